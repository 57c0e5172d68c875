package io.mayaningest.faults;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.mayaningest.Fixtures;
import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;

/**
 * One fault test's world: the Mayan test double, a watched folder of N drawings (pattern metadata,
 * two tags, a cabinet), and the packaged service as a process. {@link #count()} is what the closing
 * note reports: documents expected, found, duplicated and lost.
 */
final class FaultRun implements AutoCloseable {

    static final String TOKEN = "fault-token";

    final FakeMayan mayan;
    final Path work;
    final Path inbox;
    final Map<String, String> expected = new LinkedHashMap<>();
    final long started = System.nanoTime();
    ServiceProcess service;

    FaultRun(String name) throws IOException {
        mayan = FakeMayan.start().withToken(TOKEN);
        Fixtures.create(mayan);
        work = Files.createDirectories(Path.of("target", "it", name + "-" + UUID.randomUUID()).toAbsolutePath());
        inbox = Files.createDirectories(work.resolve("inbox"));
    }

    ServiceProcess service(Map<String, String> extra) throws IOException {
        return service(extra, Map.of("MAYAN_TOKEN", TOKEN));
    }

    ServiceProcess service(Map<String, String> extra, Map<String, String> env) throws IOException {
        Map<String, String> config = new HashMap<>(Map.of(
                "mayan.url", mayan.baseUrl(),
                "mayan.poll-initial-delay", "100ms",
                "mayan.poll-max-delay", "500ms",
                "mayan.retry-initial-delay", "200ms",
                "mayan.retry-max-delay", "2s",
                "mayan.health-interval", "1s",
                "mayan.interrupted-upload-grace", "5s"));
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
        config.putAll(extra);
        service = new ServiceProcess(work, config, env, List.of("-Xmx128m", "-XX:+UseSerialGC"));
        return service;
    }

    /** Drops n drawings 100000.. and remembers their labels and checksums. */
    void dropDrawings(int from, int n) throws IOException {
        for (int i = from; i < from + n; i++) {
            String no = String.valueOf(100000 + i);
            byte[] content = pdf("drawing " + no + " " + UUID.randomUUID());
            drop(inbox, no + "_rev1.pdf", content);
            expected.put("Drawing " + no + " rev 1", sha256(content));
        }
    }

    long doneCount() throws IOException {
        return countFiles(inbox.resolve(".done"));
    }

    long errorCount() throws IOException {
        return countFiles(inbox.resolve(".error"));
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".error.json")).count();
        }
    }

    /**
     * One line (a CI summary shows only the first line of a failure) on why the run did not finish: the
     * files neither done nor in error, what Mayan holds of them, whether the service is up, and its last
     * warnings and log line.
     */
    String stallReport(long files) {
        StringBuilder line = new StringBuilder();
        try {
            List<String> left;
            try (Stream<Path> listed = Files.list(inbox)) {
                left = listed.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
            }
            line.append(doneCount()).append(" done + ").append(errorCount()).append(" in error of ").append(files)
                    .append("; left in the folder ").append(left.size()).append(": ")
                    .append(left.subList(0, Math.min(5, left.size())));
            for (String name : left.subList(0, Math.min(3, left.size()))) {
                String label = "Drawing " + name.substring(0, Math.min(6, name.length())) + " rev 1";
                line.append("; ").append(name).append(" in Mayan: ").append(mayan.documentByLabel(label)
                        .map(d -> "document " + d.id() + ", files " + d.files().size() + ", checksum "
                                + (d.files().isEmpty() ? "-" : d.files().get(0).checksum()))
                        .orElse("none"));
            }
            line.append("; service ").append(service == null ? "never started" : service.isRunning() ? "running" : "down");
            if (service != null && Files.exists(service.log())) {
                List<String> log = Files.readAllLines(service.log());
                List<String> warnings = log.stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
                line.append("; last warnings: ");
                warnings.subList(Math.max(0, warnings.size() - 3), warnings.size())
                        .forEach(w -> line.append(w, 0, Math.min(w.length(), 300)).append(" | "));
                String last = log.isEmpty() ? "" : log.get(log.size() - 1);
                line.append("last log line: ").append(last, 0, Math.min(last.length(), 300));
            }
        } catch (IOException | RuntimeException e) {
            line.append("; (report incomplete: ").append(e).append(')');
        }
        return line.toString().replace('\n', ' ');
    }

    /** Documents expected, found complete (checksum, metadata, tags, cabinet), duplicated and lost. */
    Counts count() {
        Map<String, Integer> byLabel = new HashMap<>();
        int complete = 0;
        for (FakeDocument d : mayan.documents()) {
            byLabel.merge(d.label(), 1, Integer::sum);
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            FakeDocument d = mayan.documentByLabel(e.getKey()).orElse(null);
            if (d != null && d.files().size() == 1 && e.getValue().equals(d.files().get(0).checksum())
                    && d.metadata().size() == 2 && d.tags().size() == 2 && d.cabinets().size() == 1) {
                complete++;
            }
        }
        int duplicated = byLabel.values().stream().mapToInt(c -> Math.max(0, c - 1)).sum();
        long lost = expected.keySet().stream().filter(l -> !byLabel.containsKey(l)).count();
        return new Counts(expected.size(), byLabel.size(), complete, duplicated, (int) lost,
                (System.nanoTime() - started) / 1_000_000_000.0);
    }

    record Counts(int expected, int found, int complete, int duplicated, int lost, double seconds) {
        String line(String test) {
            return String.format("FAULTS: %s: expected %d, found %d (complete %d), duplicated %d, lost %d, in %.1f s",
                    test, expected, found, complete, duplicated, lost, seconds);
        }
    }

    @Override
    public void close() throws Exception {
        if (service != null) {
            service.stop();
        }
        mayan.close();
    }
}
