package io.mayaningest.e2e;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mayaningest.it.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The packaged service (target/quarkus-app/quarkus-run.jar) against a real Mayan EDMS 4.12.2, started
 * once for the class and configured only through config/application.properties and the environment.
 * Results are checked only through Mayan's REST API and the watched folders' .done/ and .error/.
 * <p>
 * Mayan keeps its data between runs, so every name and label here is unique to this run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int BURST = 50;
    private static final int LARGE_MB = 50;

    static RealMayan mayan;
    static ServiceProcess service;
    static Path work;
    static Path drawings;
    static Path plain;
    static String run;

    @RegisterExtension
    static final TestWatcher LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            try {
                List<String> lines = service == null ? List.of() : service.logText().lines().toList();
                System.out.println("E2E: " + context.getDisplayName() + " failed; last lines of " + service.log() + ":");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> System.out.println("  | " + l));
            } catch (IOException | RuntimeException e) {
                System.out.println("E2E: could not read the service log: " + e);
            }
        }
    };

    @BeforeAll
    static void startService() throws Exception {
        long t0 = System.nanoTime();
        mayan = RealMayan.find();
        MayanFixtures.ensure(mayan);
        long fixtures = System.nanoTime();

        run = UUID.randomUUID().toString();
        work = Files.createDirectories(RealMayan.projectDir().resolve(Path.of("target", "e2e", run)));
        drawings = Files.createDirectories(work.resolve("drawings"));
        plain = Files.createDirectories(work.resolve("plain"));

        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("mayan.poll-initial-delay", "200ms");
        properties.put("mayan.poll-max-delay", "2s");
        source(properties, "drawings", drawings);
        properties.put("ingest.sources.drawings.document-type", MayanFixtures.DRAWING);
        properties.put("ingest.sources.drawings.filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
        properties.put("ingest.sources.drawings.label", "Drawing {no} rev {rev}");
        properties.put("ingest.sources.drawings.metadata.drawing_no", "{no}");
        properties.put("ingest.sources.drawings.metadata.revision", "{rev}");
        properties.put("ingest.sources.drawings.tags", "scanned,engineering");
        properties.put("ingest.sources.drawings.cabinets", "Engineering/Drawings");
        source(properties, "plain", plain);
        properties.put("ingest.sources.plain.document-type", "Default");
        properties.put("ingest.sources.plain.max-file-size", String.valueOf(256L * 1024 * 1024));

        // Token auth: Basic costs Mayan about 200 ms per request (password hashing on every call).
        Map<String, String> env = Map.of("MAYAN_URL", mayan.url(), "MAYAN_TOKEN", mayan.token());
        service = new ServiceProcess(work, properties, env, List.of("-Xmx256m", "-XX:+UseSerialGC"));
        service.start();
        System.out.printf("E2E: %s; fixtures in %.1f s, service up in %.1f s; work dir %s%n", mayan,
                seconds(t0, fixtures), seconds(fixtures, System.nanoTime()), work);
    }

    private static void source(Map<String, String> properties, String name, Path folder) {
        String prefix = "ingest.sources." + name + ".";
        properties.put(prefix + "kind", "file");
        properties.put(prefix + "path", folder.toString());
        properties.put(prefix + "poll-interval", "300ms");
        properties.put(prefix + "stable-for", "500ms");
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.stop();
            System.out.println("E2E: service log " + service.log() + "; test client met "
                    + mayan.throttledAnswers() + " × 429");
        }
    }

    // ---- tests ------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aDrawingIsFiledFromItsFileName() throws Exception {
        String no = mayan.unusedDrawingNumber();
        String name = no + "_rev7.pdf";
        String label = "Drawing " + no + " rev 7";
        byte[] content = pdf("drawing " + run + " " + no);

        long t0 = System.nanoTime();
        drop(drawings, name, content);
        awaitDone(drawings, name);
        long done = System.nanoTime();

        JsonNode doc = mayan.theDocument(label);
        long id = doc.path("id").asLong();
        assertThat(doc.path("document_type").path("label").asText()).isEqualTo("Drawing");
        assertThat(doc.path("label").asText()).isEqualTo(label);
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(content));
        assertThat(mayan.metadata(id)).containsEntry("drawing_no", no).containsEntry("revision", "7");
        assertThat(mayan.tagLabels(id)).containsExactly("engineering", "scanned");
        assertThat(mayan.cabinetPaths(id)).containsExactly("Engineering / Drawings");
        System.out.printf("E2E: drawing %s → document %d in %.1f s%n", name, id, seconds(t0, done));
    }

    @Test
    @Order(2)
    void aSidecarMakesAnInvoice() throws Exception {
        String unique = UUID.randomUUID().toString();
        String name = "invoice-" + unique + ".pdf";
        String label = "Invoice " + unique;
        String number = "INV-" + unique.substring(0, 8);
        byte[] content = pdf("invoice " + unique);
        ObjectNode sidecar = mayan.object().put("document_type", "Invoice").put("label", label);
        sidecar.putObject("metadata").put("invoice_number", number).put("currency", "CHF");
        sidecar.putArray("tags").add("urgent").add("scanned");
        sidecar.putArray("cabinets").add("Finance");

        long t0 = System.nanoTime();
        dropWithSidecar(plain, name, content, sidecar);
        awaitDone(plain, name);
        long done = System.nanoTime();

        assertThat(plain.resolve(".done").resolve(name + ".json")).as("the sidecar travels with its document").exists();
        JsonNode doc = mayan.theDocument(label);
        long id = doc.path("id").asLong();
        assertThat(doc.path("document_type").path("label").asText()).isEqualTo("Invoice");
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(content));
        assertThat(doc.path("file_latest").path("filename").asText()).isEqualTo(name);
        assertThat(mayan.metadata(id)).containsEntry("invoice_number", number).containsEntry("currency", "CHF");
        assertThat(mayan.tagLabels(id)).containsExactly("scanned", "urgent");
        assertThat(mayan.cabinetPaths(id)).containsExactly("Finance");
        System.out.printf("E2E: sidecar invoice %s → document %d in %.1f s%n", name, id, seconds(t0, done));
    }

    @Test
    @Order(3)
    void aSecondFileIsAppendedToAnExistingDocument() throws Exception {
        String unique = UUID.randomUUID().toString();
        String first = "base-" + unique + ".pdf";
        byte[] firstContent = pdf("base " + unique);
        drop(plain, first, firstContent);
        awaitDone(plain, first);
        long id = mayan.theDocument(first).path("id").asLong();

        String second = "append-" + unique + ".pdf";
        byte[] secondContent = pdf("appended " + unique);
        ObjectNode sidecar = mayan.object().put("document_id", id).put("action", "append");
        long t0 = System.nanoTime();
        dropWithSidecar(plain, second, secondContent, sidecar);
        awaitDone(plain, second);
        long done = System.nanoTime();

        List<JsonNode> files = mayan.files(id).stream()
                .sorted(Comparator.comparingLong((JsonNode f) -> f.path("id").asLong()).reversed()).toList();
        assertThat(files).as("files of document %d", id).hasSize(2);
        JsonNode newest = files.get(0);
        assertThat(newest.path("checksum").asText()).isEqualTo(sha256(secondContent));
        assertThat(newest.path("comment").asText()).as("the comment carries the ingest id").matches(UUID_TEXT);
        assertThat(newest.path("filename").asText()).isEqualTo(second);
        assertThat(files.get(1).path("checksum").asText()).isEqualTo(sha256(firstContent));
        assertThat(mayan.get("documents/" + id + "/").path("file_latest").path("checksum").asText())
                .isEqualTo(sha256(secondContent));
        assertThat(mayan.documentsLabelled(second)).as("no new document for the appended file").isEmpty();
        System.out.printf("E2E: append to document %d (202 path) in %.1f s%n", id, seconds(t0, done));
    }

    @Test
    @Order(4)
    void aNonAsciiFileNameArrivesIntact() throws Exception {
        String unique = UUID.randomUUID().toString();
        String name = "Prüfbericht Nr. 5 – ÄÖÜ " + unique + ".pdf";
        byte[] content = pdf(name);
        long t0 = System.nanoTime();
        drop(plain, name, content);
        awaitDone(plain, name);
        long done = System.nanoTime();

        // Found by its ASCII part, so a mangled label is reported as such rather than as "not found".
        List<JsonNode> docs = mayan.documentsLabelledLike(unique);
        assertThat(docs).as("documents whose label contains %s", unique).hasSize(1);
        JsonNode doc = docs.get(0);
        long id = doc.path("id").asLong();
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(content));
        System.out.printf("E2E: non-ASCII name → document %d in %.1f s, label as stored: %s%n", id, seconds(t0, done),
                doc.path("label").asText());
        String mojibake = "label of document %d (\"PrÃ¼fbericht … â\u0080\u0093 …\" means the UTF-8 bytes were read as"
                + " ISO-8859-1: the service's multipart upload sends \"Content-Type: multipart/form-data;"
                + " charset=ISO-8859-1; boundary=…\" (HttpClient 5.5 MultipartEntityBuilder in LEGACY mode, despite"
                + " setCharset(UTF-8)) and Django decodes the label field and the file name with that charset)";
        assertThat(doc.path("label").asText()).as(mojibake, id).isEqualTo(name);
        assertThat(doc.path("file_latest").path("filename").asText())
                .as("file_latest.filename of document %d (same multipart charset bug)", id).isEqualTo(name);
    }

    @Test
    @Order(5)
    void aFiftyMegabyteFileArrives() throws Exception {
        String name = "large-" + UUID.randomUUID() + ".bin";
        byte[] content = new byte[LARGE_MB * 1024 * 1024];
        new Random(ThreadLocalRandom.current().nextLong()).nextBytes(content);
        String checksum = sha256(content);

        long t0 = System.nanoTime();
        drop(plain, name, content);
        content = null; // only the checksum is needed from here on
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(plain.resolve(".done").resolve(name)) || hasError(plain, name));
        long done = System.nanoTime();
        assertThat(plain.resolve(".error").resolve(name + ".error.json")).as("error report").doesNotExist();

        JsonNode doc = mayan.theDocument(name);
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(checksum);
        assertThat(doc.path("file_latest").path("size").asLong()).isEqualTo(LARGE_MB * 1024L * 1024L);
        double s = seconds(t0, done);
        System.out.printf("E2E: %d MB file → document %d in %.1f s (%.1f MB/s)%n", LARGE_MB, doc.path("id").asLong(),
                s, LARGE_MB / s);
    }

    @Test
    @Order(6)
    void anInvalidDrawingNumberIsRejectedBeforeUpload() throws Exception {
        String name = "bad-drawing-" + UUID.randomUUID() + ".pdf";
        ObjectNode sidecar = mayan.object().put("document_type", "Drawing");
        sidecar.putObject("metadata").put("drawing_no", "12");
        dropWithSidecar(plain, name, pdf(name), sidecar);

        JsonNode report = awaitError(plain, name);
        String reason = report.path("reason").asText();
        assertThat(reason).as("reason in %s.error.json", name).contains("drawing_no").contains("\"12\"")
                .containsIgnoringCase("pattern");
        assertThat(report.path("fix").asText()).isNotBlank();
        assertThat(plain.resolve(".error").resolve(name)).exists();
        assertThat(plain.resolve(".error").resolve(name + ".json")).as("the sidecar goes to error/ too").exists();
        assertThat(mayan.documentsLabelled(name)).as("no document may exist for a rejected file").isEmpty();
        System.out.println("E2E: invalid drawing_no rejected: " + reason);
    }

    @Test
    @Order(7)
    void aMissingRequiredInvoiceNumberIsRejectedBeforeUpload() throws Exception {
        String name = "no-invoice-number-" + UUID.randomUUID() + ".pdf";
        dropWithSidecar(plain, name, pdf(name), mayan.object().put("document_type", "Invoice"));

        JsonNode report = awaitError(plain, name);
        String reason = report.path("reason").asText();
        assertThat(reason).as("reason in %s.error.json", name).contains("invoice_number").containsIgnoringCase("required");
        assertThat(plain.resolve(".error").resolve(name)).exists();
        assertThat(mayan.documentsLabelled(name)).as("no document may exist for a rejected file").isEmpty();
        System.out.println("E2E: missing invoice_number rejected: " + reason);
    }

    @Test
    @Order(8)
    void aBurstOfFiftyFilesArrivesExactlyOnce() throws Exception {
        String prefix = "burst-" + UUID.randomUUID().toString().substring(0, 13) + "-";
        Map<String, String> checksums = new LinkedHashMap<>();
        List<Path> staged = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            String name = prefix + String.format(Locale.ROOT, "%02d", i) + ".pdf";
            byte[] content = pdf(name + " " + UUID.randomUUID());
            checksums.put(name, sha256(content));
            Path hidden = plain.resolve(".staged-" + name);
            Files.write(hidden, content);
            staged.add(hidden);
        }
        long serviceLogOffset = service.logText().length();
        long accessLogOffset = mayan.accessLog().map(EndToEndIT::size).orElse(0L);

        long t0 = System.nanoTime();
        for (Path hidden : staged) {
            Files.move(hidden, plain.resolve(hidden.getFileName().toString().substring(".staged-".length())),
                    StandardCopyOption.ATOMIC_MOVE);
        }
        Path done = plain.resolve(".done");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> checksums.keySet().stream().allMatch(n -> Files.exists(done.resolve(n)) || hasError(plain, n)));
        long end = System.nanoTime();

        List<String> errors = checksums.keySet().stream().filter(n -> hasError(plain, n)).toList();
        assertThat(errors).as("burst files in error/").isEmpty();
        assertThat(checksums.keySet()).allSatisfy(n -> assertThat(done.resolve(n)).exists());

        Map<String, List<JsonNode>> byLabel = mayan.documentsLabelledLike(prefix).stream()
                .collect(Collectors.groupingBy(d -> d.path("label").asText()));
        assertThat(byLabel.keySet()).as("labels of the burst in Mayan").containsExactlyInAnyOrderElementsOf(checksums.keySet());
        checksums.forEach((name, checksum) -> {
            assertThat(byLabel.get(name)).as("documents labelled %s", name).hasSize(1);
            assertThat(byLabel.get(name).get(0).path("file_latest").path("checksum").asText())
                    .as("checksum of %s", name).isEqualTo(checksum);
        });

        double s = seconds(t0, end);
        String serviceLog = service.logText().substring((int) serviceLogOffset);
        long serviceLines429 = serviceLog.lines()
                .filter(l -> l.contains("429 on") || l.toLowerCase(Locale.ROOT).contains("throttl")).count();
        String mayan429 = mayan.accessLog().map(log -> {
            long n = newLines(log, accessLogOffset).stream()
                    .filter(l -> l.contains("\" 429 ") && l.contains("Apache-HttpClient")).count();
            return n + " × 429 to the service in Mayan's access log";
        }).orElse("Mayan's access log not readable here");
        System.out.printf("E2E: burst %d files in %.1f s = %.1f documents/minute; %s; %d service log lines about 429/throttling%n",
                BURST, s, BURST * 60 / s, mayan429, serviceLines429);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** The sidecar first, then the document: the service reads the sidecar when it takes the document. */
    private static void dropWithSidecar(Path folder, String name, byte[] content, JsonNode sidecar) throws IOException {
        drop(folder, name + ".json", RealMayan.JSON.writeValueAsString(sidecar).getBytes(StandardCharsets.UTF_8));
        drop(folder, name, content);
    }

    private static boolean hasError(Path folder, String name) {
        return Files.exists(folder.resolve(".error").resolve(name + ".error.json"));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> newLines(Path file, long offset) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length <= offset) {
                return List.of();
            }
            byte[] bytes = new byte[(int) (length - offset)];
            raf.seek(offset);
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }
}
