package io.mayaningest.source.sftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.mayaningest.testing.SftpTestServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;

/**
 * An embedded Apache MINA SSHD SFTP server on a free port with password login, its files in a folder
 * under target/, and a known_hosts file holding its host key. Three SFTP sources point at it:
 * {@code sftpdrawings} (file-name pattern), {@code sftpplain} (sidecars, errors) and
 * {@code sftpwrongkey}, whose known_hosts holds a different key for the same server and so must be
 * rejected.
 */
public class SftpServerResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER = "ingest";
    public static final String PASSWORD = "s3cret-" + UUID.randomUUID();
    /** Put on the server before the service starts; the source that distrusts the server must never take it. */
    public static final String REJECTED_FILE = "123456_rev9.pdf";

    static Path root;
    private static final Map<String, AtomicInteger> DOWNLOADS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> LISTINGS = new ConcurrentHashMap<>();

    /** How often a file of this name was downloaded from the server (read from its first byte). */
    public static int downloads(String fileName) {
        AtomicInteger n = DOWNLOADS.get(fileName);
        return n == null ? 0 : n.get();
    }

    /** How often a folder of this name (drawings, plain, ...) was listed: each poll of its source lists it. */
    public static int listings(String folder) {
        AtomicInteger n = LISTINGS.get(folder);
        return n == null ? 0 : n.get();
    }
    private SshServer server;

    /** The server's folder of a source (drawings, plain, rejected) as a local path. */
    public static Path remote(String folder) {
        return root.resolve(folder);
    }

    @Override
    public Map<String, String> start() {
        try {
            Path base = Files.createDirectories(Path.of("target", "test-sftp", UUID.randomUUID().toString()))
                    .toAbsolutePath();
            root = Files.createDirectories(base.resolve("server"));
            for (String folder : List.of("drawings", "plain", "rejected")) {
                Files.createDirectories(root.resolve(folder));
            }
            Files.write(root.resolve("rejected").resolve(REJECTED_FILE), "%PDF-1.4 rejected".getBytes());

            Path knownHosts = base.resolve("known_hosts");
            server = SftpTestServer.start(root, USER, PASSWORD, knownHosts, new SftpEventListener() {
                // Counts the downloads of each file (its first block read) and the listings of each folder,
                // for tests that a file is taken once while the source goes on polling.
                @Override
                public void reading(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
                        byte[] data, int dataOffset, int dataLen) {
                    if (offset == 0) {
                        count(DOWNLOADS, localHandle.getFile());
                    }
                }

                @Override
                public void readEntries(ServerSession session, String remoteHandle, DirectoryHandle localHandle,
                        Map<String, Path> entries) {
                    count(LISTINGS, localHandle.getFile());
                }
            });
            int port = server.getPort();
            Path wrongKnownHosts = base.resolve("known_hosts_wrong");
            Files.writeString(wrongKnownHosts, SftpTestServer.knownHostsLine(port, SftpTestServer.ecKeyPair().getPublic()));

            Map<String, String> config = new HashMap<>();
            // Other builds on this machine use the default test port 8081: take any free one.
            config.put("quarkus.http.test-port", "0");
            String drawings = "ingest.sources.sftpdrawings.";
            server(config, drawings, port, knownHosts, "drawings");
            config.put(drawings + "document-type", "Drawing");
            config.put(drawings + "filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
            config.put(drawings + "label", "SFTP drawing {no} rev {rev}");
            config.put(drawings + "metadata.drawing_no", "{no}");
            config.put(drawings + "metadata.revision", "{rev}");
            config.put(drawings + "tags", "scanned,engineering");
            config.put(drawings + "cabinets", "Engineering/Drawings");
            // One file at a time, in order (the sequential route); sftpplain takes the default, several at once.
            config.put(drawings + "concurrency", "1");

            server(config, "ingest.sources.sftpplain.", port, knownHosts, "plain");

            String wrong = "ingest.sources.sftpwrongkey.";
            server(config, wrong, port, wrongKnownHosts, "rejected");
            config.put(wrong + "spool-path", base.resolve("spool-wrongkey").toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the SFTP test server", e);
        }
    }

    private static void server(Map<String, String> config, String prefix, int port, Path knownHosts, String path) {
        config.put(prefix + "kind", "sftp");
        config.put(prefix + "host", "127.0.0.1");
        config.put(prefix + "port", String.valueOf(port));
        config.put(prefix + "username", USER);
        config.put(prefix + "password", PASSWORD);
        config.put(prefix + "known-hosts-file", knownHosts.toString());
        config.put(prefix + "path", path);
        config.put(prefix + "poll-interval", "200ms");
        config.put(prefix + "stable-for", "400ms");
    }

    private static void count(Map<String, AtomicInteger> counts, Path file) {
        counts.computeIfAbsent(file.getFileName().toString(), n -> new AtomicInteger()).incrementAndGet();
    }

    /** Uploads the way an SFTP client with a temporary name does: the source never sees half a file. */
    public static Path upload(String folder, String name, byte[] content) throws IOException {
        Path dir = Files.createDirectories(root.resolve(folder));
        Path temp = dir.resolve(".upload-" + System.nanoTime());
        Files.write(temp, content);
        return Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException e) {
                // the JVM is ending anyway
            }
        }
    }
}
