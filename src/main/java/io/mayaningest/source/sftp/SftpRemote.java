package io.mayaningest.source.sftp;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;

/**
 * The service's own SFTP connection to one source's server, for what happens beside Camel's consumer:
 * fetching a sidecar, moving a file to done/ or error/, writing its {@code .error.json}, deleting it.
 * Camel's consumer connection belongs to its polling thread while the pipeline of an item runs
 * asynchronously, so acknowledgements use this second, lazily opened connection (one per source,
 * calls serialised), with the same host-key checking.
 */
public class SftpRemote implements AutoCloseable {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final int TIMEOUT_MS = 15_000;

    @FunctionalInterface
    interface Operation<T> {
        T run(ChannelSftp channel) throws SftpException, java.io.IOException;
    }

    private final SftpSettings settings;
    private Session session;
    private ChannelSftp channel;

    public SftpRemote(SftpSettings settings) {
        this.settings = settings;
    }

    /** Runs an operation, opening the connection when needed and once more if it was lost. */
    synchronized <T> T call(Operation<T> operation) throws Exception {
        for (int attempt = 1;; attempt++) {
            ChannelSftp ch = connect();
            try {
                return operation.run(ch);
            } catch (SftpException e) {
                if (attempt >= 2 || ch.isConnected() && e.id != ChannelSftp.SSH_FX_CONNECTION_LOST
                        && e.id != ChannelSftp.SSH_FX_NO_CONNECTION) {
                    throw e;
                }
                close();
            }
        }
    }

    private ChannelSftp connect() throws JSchException {
        if (channel != null && channel.isConnected() && session.isConnected()) {
            return channel;
        }
        close();
        JSch jsch = new JSch();
        if (settings.strictHostKeyChecking()) {
            jsch.setKnownHosts(settings.effectiveKnownHosts().toString());
        }
        if (settings.privateKeyFile().isPresent()) {
            jsch.addIdentity(settings.privateKeyFile().get().toString(), settings.privateKeyPassphrase().orElse(null));
        }
        Session s = jsch.getSession(settings.username(), settings.host(), settings.port());
        settings.password().ifPresent(s::setPassword);
        s.setConfig("StrictHostKeyChecking", settings.strictHostKeyChecking() ? "yes" : "no");
        s.connect(TIMEOUT_MS);
        ChannelSftp ch = (ChannelSftp) s.openChannel("sftp");
        ch.connect(TIMEOUT_MS);
        session = s;
        channel = ch;
        return ch;
    }

    /** Copies a remote file to a local one if it exists; false when it does not. */
    public boolean fetchIfExists(String remote, Path local) throws Exception {
        return call(ch -> {
            if (!exists(ch, remote)) {
                return false;
            }
            Files.createDirectories(local.getParent());
            try (OutputStream out = Files.newOutputStream(local)) {
                ch.get(remote, out);
            }
            return true;
        });
    }

    /**
     * Moves a remote file into a folder (created when missing), never over an existing file: a name
     * already taken gets a time stamp. Returns the new remote path, or null if the file is gone.
     */
    public String moveInto(String remote, String folder, String uniqueSuffix) throws Exception {
        return call(ch -> {
            if (!exists(ch, remote)) {
                return null;
            }
            mkdirs(ch, folder);
            String name = remote.substring(remote.lastIndexOf('/') + 1);
            String target = SftpSettings.join(folder, name);
            if (exists(ch, target)) {
                int dot = name.lastIndexOf('.');
                String stem = dot > 0 ? name.substring(0, dot) : name;
                String ext = dot > 0 ? name.substring(dot) : "";
                target = SftpSettings.join(folder, stem + "-" + STAMP.format(Instant.now()) + uniqueSuffix + ext);
            }
            ch.rename(remote, target);
            return target;
        });
    }

    /** Moves a file to an exact remote path (a sidecar following its document); replaces nothing. */
    public void moveTo(String remote, String target) throws Exception {
        call(ch -> {
            if (exists(ch, remote) && !exists(ch, target)) {
                ch.rename(remote, target);
            }
            return null;
        });
    }

    /**
     * Writes a small file (an error report) whole or not at all, as a partner's script watching the folder
     * should see it: uploaded under a hidden temporary name beside it, then renamed into place (SFTP v3's
     * rename refuses an existing target, so an older report of that name is removed first).
     */
    public void write(String remote, InputStream content) throws Exception {
        call(ch -> {
            int slash = remote.lastIndexOf('/');
            String tmp = SftpSettings.join(slash < 0 ? "" : slash == 0 ? "/" : remote.substring(0, slash),
                    ".report-" + java.util.UUID.randomUUID().toString().substring(0, 8) + ".tmp");
            ch.put(content, tmp, ChannelSftp.OVERWRITE);
            try {
                if (exists(ch, remote)) {
                    ch.rm(remote);
                }
                ch.rename(tmp, remote);
            } finally {
                if (exists(ch, tmp)) {
                    ch.rm(tmp);
                }
            }
            return null;
        });
    }

    /** Whether a remote file (or link) exists. */
    public boolean exists(String remote) throws Exception {
        return call(ch -> exists(ch, remote));
    }

    public void delete(String remote) throws Exception {
        call(ch -> {
            if (exists(ch, remote)) {
                ch.rm(remote);
            }
            return null;
        });
    }

    private static boolean exists(ChannelSftp ch, String remote) throws SftpException {
        try {
            ch.lstat(remote);
            return true;
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    private static void mkdirs(ChannelSftp ch, String folder) throws SftpException {
        StringBuilder path = new StringBuilder(folder.startsWith("/") ? "/" : "");
        for (String part : folder.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (path.length() > 0 && path.charAt(path.length() - 1) != '/') {
                path.append('/');
            }
            path.append(part);
            if (!exists(ch, path.toString())) {
                ch.mkdir(path.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.disconnect();
            channel = null;
        }
        if (session != null) {
            session.disconnect();
            session = null;
        }
    }
}
