package io.mayaningest.replicas;

import io.mayaningest.testing.Postgres;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import io.mayaningest.Fixtures;
import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeFile;
import io.mayaningest.testing.FakeMayan;

/**
 * One replicas test's world: the Mayan test double, one shared watched folder of drawings (file-name
 * pattern mapping: two metadata, two tags, a cabinet), a fresh PostgreSQL schema as the one ledger,
 * and any number of packaged replicas on them, each a process of its own with its own replica id.
 */
final class ReplicaRun implements AutoCloseable {

    static final String TOKEN = "replica-token";

    final FakeMayan mayan;
    final Postgres pg;
    final Path work;
    final Path inbox;
    final Path staging;
    final Map<String, String> expected = new LinkedHashMap<>();
    final List<ServiceProcess> replicas = new ArrayList<>();
    private int next;

    ReplicaRun(String name, Postgres pg) throws IOException {
        this.pg = pg;
        mayan = FakeMayan.start().withToken(TOKEN);
        Fixtures.create(mayan);
        work = Files.createDirectories(Path.of("target", "it", name + "-" + UUID.randomUUID()).toAbsolutePath());
        inbox = Files.createDirectories(work.resolve("inbox"));
        staging = Files.createDirectories(work.resolve("staging"));
    }

    /** A replica named {@code id} on the shared folder and ledger (not started). */
    ServiceProcess replica(String id, Map<String, String> extra) throws IOException {
        Map<String, String> config = new HashMap<>(Map.of(
                "mayan.url", mayan.baseUrl(),
                "mayan.poll-initial-delay", "100ms",
                "mayan.poll-max-delay", "300ms",
                "mayan.retry-initial-delay", "200ms",
                "mayan.retry-max-delay", "2s",
                "mayan.health-interval", "1s",
                "mayan.interrupted-upload-grace", "3s",
                "ingest.replica-id", id));
        config.putAll(Map.of(
                "ingest.sources.drawings.kind", "file",
                "ingest.sources.drawings.path", inbox.toString(),
                "ingest.sources.drawings.poll-interval", "200ms",
                "ingest.sources.drawings.stable-for", "300ms",
                "ingest.sources.drawings.document-type", "Drawing",
                "ingest.sources.drawings.filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf",
                "ingest.sources.drawings.label", "Drawing {no} rev {rev}",
                "ingest.sources.drawings.metadata.drawing_no", "{no}",
                "ingest.sources.drawings.metadata.revision", "{rev}",
                "ingest.sources.drawings.tags", "scanned,engineering"));
        config.put("ingest.sources.drawings.cabinets", "Engineering/Drawings");
        config.putAll(pg.properties());
        config.putAll(extra);
        Map<String, String> env = new HashMap<>(pg.env());
        env.put("MAYAN_TOKEN", TOKEN);
        ServiceProcess p = new ServiceProcess(work.resolve("replica-" + id), config, env,
                List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        replicas.add(p);
        return p;
    }

    /** Writes n drawings outside the folder (labels and checksums remembered); {@link #release()} moves them in at once. */
    void stage(int n) throws IOException {
        for (int i = next; i < next + n; i++) {
            String no = String.valueOf(100000 + i);
            byte[] content = pdf("drawing " + no + " " + UUID.randomUUID());
            Files.write(staging.resolve(no + "_rev1.pdf"), content);
            expected.put("Drawing " + no + " rev 1", sha256(content));
        }
        next += n;
    }

    /** Moves every staged file into the watched folder (renames: each appears whole). */
    void release() throws IOException {
        try (Stream<Path> files = Files.list(staging)) {
            for (Path p : files.toList()) {
                Files.move(p, inbox.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    long doneCount() throws IOException {
        return count(inbox.resolve(".done"));
    }

    long errorCount() throws IOException {
        return count(inbox.resolve(".error"));
    }

    long inboxCount() throws IOException {
        try (Stream<Path> files = Files.list(inbox)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".error.json")).count();
        }
    }

    /** Documents complete with their checksum and whole mapping (two metadata with the right values, tags, cabinet). */
    int complete() {
        int complete = 0;
        for (Map.Entry<String, String> e : expected.entrySet()) {
            FakeDocument d = mayan.documentByLabel(e.getKey()).orElse(null);
            String no = e.getKey().split(" ")[1];
            if (d != null && d.files().size() == 1 && e.getValue().equals(d.files().get(0).checksum())
                    && no.equals(d.metadata().get("drawing_no")) && "1".equals(d.metadata().get("revision"))
                    && d.tags().size() == 2 && d.cabinets().size() == 1) {
                complete++;
            }
        }
        return complete;
    }

    /** Documents beyond the first with the same content (by the files' checksums): duplicates. */
    int duplicatedDocuments() {
        Map<String, Integer> bySha = new HashMap<>();
        for (FakeDocument d : mayan.documents()) {
            for (FakeFile f : d.files()) {
                bySha.merge(f.sha256(), 1, Integer::sum);
            }
        }
        return bySha.values().stream().mapToInt(c -> c - 1).sum();
    }

    long lost() {
        return expected.keySet().stream().filter(l -> mayan.documentByLabel(l).isEmpty()).count();
    }

    int uploadRequests() {
        return mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);
    }

    /** Upload requests the double accepted (2xx): each created a document. */
    long acceptedUploadRequests() {
        return uploadStatuses().entrySet().stream().filter(e -> e.getKey() / 100 == 2)
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Upload requests by the double's answer: a request cut off by a SIGKILL is answered 400 and creates nothing. */
    Map<Integer, Long> uploadStatuses() {
        return mayan.countByStatus("POST", FakeMayan.DOCUMENT_UPLOAD);
    }

    /** Items per replica, from the ledger's record of who worked on each. */
    Map<String, Integer> shares() throws SQLException {
        Map<String, Integer> shares = new TreeMap<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT replica, count(*) FROM ingest_item GROUP BY replica")) {
            while (rs.next()) {
                shares.put(rs.getString(1), rs.getInt(2));
            }
        }
        return shares;
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess p : replicas) {
            p.stop();
        }
        mayan.close();
    }
}
