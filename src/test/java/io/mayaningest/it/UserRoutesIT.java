package io.mayaningest.it;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.Fixtures;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The YAML routes of routes/examples/, copied into routes/ of the packaged service's working directory
 * as a user does, driven end to end against the Mayan test double: a second folder acknowledged by
 * Camel's move/moveFailed, an HTTP drop behind the operator's authentication, and the event tap. And a
 * route with a syntax error, which must stop start-up naming its file and line.
 */
class UserRoutesIT {

    private static final String TOKEN = "it-token";
    private static final String OPERATOR = "it-operator-" + UUID.randomUUID();
    private static final Path EXAMPLES = Path.of("routes", "examples").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeMayan mayan;
    private Path work;
    private Path invoices;
    private ServiceProcess service;

    @BeforeEach
    void setUp() throws Exception {
        mayan = FakeMayan.start().withToken(TOKEN);
        Fixtures.create(mayan);
        work = Files.createDirectories(Path.of("target", "it", "routes-" + UUID.randomUUID()).toAbsolutePath());
        invoices = Files.createDirectories(work.resolve("invoices"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.stop();
        }
        mayan.close();
    }

    private ServiceProcess service(List<String> examples, Map<String, String> extra, List<String> jvm) throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        for (String example : examples) {
            Files.copy(EXAMPLES.resolve(example), routes.resolve(example));
        }
        Map<String, String> config = new HashMap<>(Map.of(
                "mayan.url", mayan.baseUrl(),
                "mayan.poll-initial-delay", "100ms",
                "mayan.poll-max-delay", "300ms",
                "mayan.retry-initial-delay", "100ms",
                "ingest.operator.token", OPERATOR,
                "invoices.path", invoices.toString()));
        config.putAll(extra);
        service = new ServiceProcess(work, config, Map.of("MAYAN_TOKEN", TOKEN), jvm);
        return service;
    }

    @Test
    void aFolderRouteIngestsThroughTheEntryAndTakesItsOwnFailurePathForABadFile() throws Exception {
        service(List.of("second-folder.yaml", "events-log.yaml"), Map.of(), List.of("-Xmx128m")).start();

        byte[] content = pdf("invoice 4711");
        drop(invoices, "4711.pdf", content);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(invoices.resolve(".done").resolve("4711.pdf")));
        FakeDocument doc = mayan.documentByLabel("Invoice 4711").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.metadata()).containsEntry("invoice_number", "4711");
        assertThat(doc.tags()).containsExactly("scanned");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));

        // An empty file is bad input: Camel's moveFailed takes it, and the log says why and what to do.
        drop(invoices, "4712.pdf", new byte[0]);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(invoices.resolve(".error").resolve("4712.pdf")));
        assertThat(invoices.resolve(".done").resolve("4712.pdf")).doesNotExist();
        assertThat(mayan.documentByLabel("Invoice 4712")).isEmpty();
        assertThat(service.logText()).contains("the file is empty (0 bytes). Fix: check the program that wrote it");

        // The event tap saw both, with the route's id as their source.
        await().atMost(Duration.ofSeconds(20)).until(() -> service.logText().lines().anyMatch(l ->
                l.contains("[mayan-ingest-events]") && l.contains("done: {") && l.contains("\"documentId\":" + doc.id())
                        && l.contains("\"source\":\"invoices-folder\"")));
        assertThat(service.logText().lines().anyMatch(l -> l.contains("[mayan-ingest-events]") && l.contains("failed: {")
                && l.contains("\"fileName\":\"4712.pdf\"") && l.contains("the file is empty"))).isTrue();

        // Put back after the fix, the failed file resumes its ledger row (and this time it is not empty).
        Files.delete(invoices.resolve(".error").resolve("4712.pdf"));
        drop(invoices, "4712.pdf", pdf("invoice 4712"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(invoices.resolve(".done").resolve("4712.pdf")));
        assertThat(mayan.documentByLabel("Invoice 4712")).isPresent();
    }

    @Test
    void anHttpDropTakesAStreamedMultipartUploadBehindTheOperatorsAuthentication() throws Exception {
        long megabytes = 160;
        service(List.of("http-drop.yaml"), Map.of("quarkus.http.limits.max-body-size", "512M"),
                List.of("-Xmx96m", "-XX:+UseSerialGC")).start();
        String url = "http://127.0.0.1:" + service.port() + "/api/drop/documents";
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> anonymous = http.send(multipart(url, null, "a.pdf", pdf("a"), Map.of()),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        // Much larger than the heap: Quarkus streams the part to disk, the service spools and hashes it.
        Path large = work.resolve("large.bin");
        String sha256 = write(large, megabytes);
        HttpResponse<String> ok;
        try (InputStream in = Files.newInputStream(large)) {
            ok = http.send(multipart(url, OPERATOR, "scan-large.bin", in, Map.of("label", "Large scan")),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(ok.body());
        FakeDocument doc = mayan.documentByLabel("Large scan").orElseThrow();
        assertThat(answer.path("documentId").asLong()).isEqualTo(doc.id());
        assertThat(answer.path("status").asText()).isEqualTo("done");
        assertThat(doc.documentTypeLabel()).isEqualTo("Default");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256);
        assertThat(doc.latestFile().orElseThrow().filename()).isEqualTo("scan-large.bin");
        assertThat(service.logText()).doesNotContain("OutOfMemoryError");

        HttpResponse<String> refused = http.send(multipart(url, OPERATOR, "b.pdf", pdf("b"),
                Map.of("documentType", "Blueprint")), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("document type \"Blueprint\" does not exist in Mayan")
                .contains("Fix: create the document type");
        // Uploads are not left behind in the uploads directory.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Path uploads = work.resolve("data").resolve("uploads");
            try (var files = Files.list(uploads)) {
                return files.findAny().isEmpty();
            }
        });
    }

    @Test
    void aRouteWithASyntaxErrorStopsStartUpNamingTheFileAndLine() throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("broken.yaml"), """
                - route:
                    id: broken
                    from:
                      uri: "file:inbox2"
                      steps:
                        - to: direct:mayan-ingest
                       - log: misaligned
                """);
        int exit = service(List.of(), Map.of(), List.of("-Xmx128m")).runToExit(Duration.ofSeconds(120));

        assertThat(exit).isNotZero();
        String log = service.logText();
        assertThat(log).contains("broken.yaml").containsPattern("line \\d+");
        assertThat(log).doesNotContain("Listening on");
    }

    private static HttpRequest multipart(String url, String token, String fileName, Object content,
            Map<String, String> fields) {
        String boundary = "----mayan-ingest-" + UUID.randomUUID();
        StringBuilder head = new StringBuilder();
        fields.forEach((k, v) -> head.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
        head.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(fileName).append("\"\r\n")
                .append("Content-Type: application/octet-stream\r\n\r\n");
        InputStream body = content instanceof byte[] bytes ? new ByteArrayInputStream(bytes) : (InputStream) content;
        InputStream all = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(head.toString().getBytes(StandardCharsets.UTF_8)), body,
                new ByteArrayInputStream(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8)))));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> all));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }

    /** Pseudo-random content, so nothing on the way can compress it away. */
    private static String write(Path file, long megabytes) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[1024 * 1024];
        Random random = new Random(7);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long i = 0; i < megabytes; i++) {
                random.nextBytes(block);
                out.write(block);
                digest.update(block);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
