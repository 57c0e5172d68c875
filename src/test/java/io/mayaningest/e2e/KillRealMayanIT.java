package io.mayaningest.e2e;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.it.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The packaged service killed with SIGKILL at random moments and restarted each time while it ingests 50
 * drawings from a watched folder into the real Mayan ({@code -De2e.kill-files}, {@code -De2e.kills},
 * {@code -De2e.kill-seed}); then, only through Mayan's REST API: exactly one complete document per file
 * (checksum, metadata, tags, cabinet), and every file in done/, none in error/.
 * <p>
 * The drawing numbers are unique to the run: a 4-digit block no label in Mayan starts with yet, and
 * 50 numbers in it.
 */
class KillRealMayanIT {

    static ServiceProcess service;

    @RegisterExtension
    static final TestWatcher LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            ChannelsIT.printLogTail(service, context.getDisplayName());
        }
    };

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.stop();
            System.out.println("E2E: kill test service log " + service.log());
        }
    }

    @Test
    void killedFiveTimesItStillFilesEveryDrawingExactlyOnce() throws Exception {
        int files = Integer.getInteger("e2e.kill-files", 50);
        int kills = Integer.getInteger("e2e.kills", 5);
        long seed = Long.getLong("e2e.kill-seed", System.nanoTime());
        Random random = new Random(seed);

        RealMayan mayan = RealMayan.find();
        MayanFixtures.ensure(mayan);
        String block = unusedBlock(mayan);
        Path work = Files.createDirectories(RealMayan.projectDir()
                .resolve(Path.of("target", "e2e", "kill-" + UUID.randomUUID())));
        Path inbox = Files.createDirectories(work.resolve("drawings"));
        System.out.printf("E2E: SIGKILL test seed %d, drawings %s00..%s%02d, work dir %s%n", seed, block, block,
                files - 1, work);

        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("mayan.poll-initial-delay", "200ms");
        properties.put("mayan.poll-max-delay", "2s");
        properties.put("mayan.retry-initial-delay", "500ms");
        properties.put("mayan.retry-max-delay", "5s");
        properties.put("mayan.health-interval", "1s");
        // An upload cut by the kill is done or dropped by Mayan within a second or two; the default 2 min
        // of looking for what it may have created would stretch the run.
        properties.put("mayan.interrupted-upload-grace", "15s");
        properties.put("ingest.sources.drawings.kind", "file");
        properties.put("ingest.sources.drawings.path", inbox.toString());
        properties.put("ingest.sources.drawings.poll-interval", "300ms");
        properties.put("ingest.sources.drawings.stable-for", "500ms");
        properties.put("ingest.sources.drawings.document-type", MayanFixtures.DRAWING);
        properties.put("ingest.sources.drawings.filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
        properties.put("ingest.sources.drawings.label", "Drawing {no} rev {rev}");
        properties.put("ingest.sources.drawings.metadata.drawing_no", "{no}");
        properties.put("ingest.sources.drawings.metadata.revision", "{rev}");
        properties.put("ingest.sources.drawings.tags", "scanned,engineering");
        properties.put("ingest.sources.drawings.cabinets", "Engineering/Drawings");
        service = new ServiceProcess(work, properties, Map.of("MAYAN_URL", mayan.url(), "MAYAN_TOKEN", mayan.token()),
                List.of("-Xmx256m", "-XX:+UseSerialGC"));

        // Label → checksum; staged under hidden names, then all renamed into the folder at once.
        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, String> numbers = new LinkedHashMap<>();
        List<Path> staged = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            String no = block + String.format("%02d", i);
            String name = no + "_rev1.pdf";
            byte[] content = pdf("kill drawing " + no + " " + UUID.randomUUID());
            expected.put("Drawing " + no + " rev 1", sha256(content));
            numbers.put("Drawing " + no + " rev 1", no);
            Path hidden = inbox.resolve(".staged-" + name);
            Files.write(hidden, content);
            staged.add(hidden);
        }

        service.start();
        long t0 = System.nanoTime();
        for (Path hidden : staged) {
            Files.move(hidden, inbox.resolve(hidden.getFileName().toString().substring(".staged-".length())),
                    StandardCopyOption.ATOMIC_MOVE);
        }
        List<String> moments = new ArrayList<>();
        for (int i = 0; i < kills && count(inbox.resolve(".done")) < files; i++) {
            // Killed at a random point of the run: once 1 to 6 more files are done than at the last kill.
            long target = Math.min(files, count(inbox.resolve(".done")) + 1 + random.nextInt(6));
            await().atMost(Duration.ofMinutes(3)).until(() -> count(inbox.resolve(".done")) >= target);
            moments.add(String.format("%.1f s (%d done)", ChannelsIT.seconds(t0, System.nanoTime()),
                    count(inbox.resolve(".done"))));
            service.kill();
            service.start();
        }
        int killed = service.starts() - 1;
        System.out.println("E2E: SIGKILLs at " + moments);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> count(inbox.resolve(".done")) + errorReports(inbox) >= files);
        long end = System.nanoTime();

        // Only through Mayan's REST API from here on (and the folder's done/ and error/).
        // filter_label is a case-insensitive substring match: keep the labels this test makes.
        Map<String, List<JsonNode>> byLabel = mayan.documentsLabelledLike("Drawing " + block).stream()
                .filter(d -> d.path("label").asText().startsWith("Drawing " + block))
                .collect(Collectors.groupingBy(d -> d.path("label").asText()));
        int duplicated = byLabel.values().stream().mapToInt(d -> Math.max(0, d.size() - 1)).sum();
        long found = expected.keySet().stream().filter(byLabel::containsKey).count();
        long lost = files - found;
        List<String> incomplete = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            for (JsonNode doc : byLabel.getOrDefault(e.getKey(), List.of())) {
                long id = doc.path("id").asLong();
                String problem = problem(mayan, doc, e.getValue(), numbers.get(e.getKey()));
                if (problem != null) {
                    incomplete.add(e.getKey() + " (document " + id + "): " + problem);
                }
            }
        }
        System.out.printf("E2E: SIGKILL x%d during %d files: expected %d, found %d, duplicated %d, lost %d, in %.1f s%n",
                killed, files, files, found, duplicated, lost, ChannelsIT.seconds(t0, end));

        assertThat(errorReports(inbox)).as("files in error/ (see %s)", service.log()).isZero();
        assertThat(count(inbox.resolve(".done"))).as("files in done/").isEqualTo(files);
        assertThat(byLabel.keySet()).as("labels in Mayan starting with \"Drawing %s\"", block)
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(byLabel.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> e.getKey() + " → documents " + e.getValue().stream().map(d -> d.path("id").asText()).toList()))
                .as("duplicated documents (seed %d)", seed).isEmpty();
        assertThat(incomplete).as("documents that are not complete (seed %d)", seed).isEmpty();
        assertThat(lost).isZero();
    }

    /** What is wrong with a document of one drawing, or null when it is complete. */
    private static String problem(RealMayan mayan, JsonNode doc, String checksum, String no)
            throws IOException, InterruptedException {
        long id = doc.path("id").asLong();
        List<String> problems = new ArrayList<>();
        if (!MayanFixtures.DRAWING.equals(doc.path("document_type").path("label").asText())) {
            problems.add("type " + doc.path("document_type").path("label").asText());
        }
        if (!checksum.equals(doc.path("file_latest").path("checksum").asText())) {
            problems.add("checksum " + doc.path("file_latest").path("checksum").asText());
        }
        Map<String, String> metadata = mayan.metadata(id);
        if (!Map.of("drawing_no", no, "revision", "1").equals(metadata)) {
            problems.add("metadata " + metadata);
        }
        List<String> tags = mayan.tagLabels(id);
        if (!List.of("engineering", "scanned").equals(tags)) {
            problems.add("tags " + tags);
        }
        List<String> cabinets = mayan.cabinetPaths(id);
        if (!List.of("Engineering / Drawings").equals(cabinets)) {
            problems.add("cabinets " + cabinets);
        }
        return problems.isEmpty() ? null : String.join(", ", problems);
    }

    /** A 4-digit block (1000..9999) that no label "Drawing <block>…" in Mayan uses yet. */
    private static String unusedBlock(RealMayan mayan) throws IOException, InterruptedException {
        for (int i = 0; i < 20; i++) {
            String block = String.valueOf(ThreadLocalRandom.current().nextInt(1000, 10_000));
            if (mayan.documentsLabelledLike("Drawing " + block).isEmpty()) {
                return block;
            }
        }
        throw new IllegalStateException("no unused block of drawing numbers found in 20 tries");
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static long errorReports(Path inbox) throws IOException {
        Path error = inbox.resolve(".error");
        if (!Files.isDirectory(error)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(error)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".error.json")).count();
        }
    }
}
