package io.mayaningest.pipeline;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeFile;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The watched-folder pipeline against the Mayan test double: what a user sees in Mayan and in the
 * folder's done/ and error/ after dropping files.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class FolderIngestTest {

    private static final String SEP = FakeMayan.CABINET_PATH_SEPARATOR;

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path drawings = FakeMayanResource.inbox("drawings");
    private final Path plain = FakeMayanResource.inbox("plain");

    @Inject
    Ledger ledger;

    @Test
    void newDocumentWithMetadataTagsAndCabinetsFromFileNamePattern() throws IOException {
        byte[] content = pdf("drawing 123456 rev 2");
        drop(drawings, "123456_rev2.pdf", content);

        awaitDone(drawings, "123456_rev2.pdf");
        FakeDocument doc = mayan.documentByLabel("Drawing 123456 rev 2").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Drawing");
        assertThat(doc.description()).isEqualTo("Scanned from 123456_rev2.pdf");
        assertThat(doc.metadata()).containsExactly(Map.entry("drawing_no", "123456"), Map.entry("revision", "2"));
        assertThat(doc.tags()).containsExactlyInAnyOrder("scanned", "engineering");
        assertThat(doc.cabinets()).containsExactly("Engineering" + SEP + "Drawings");
        assertThat(doc.files()).hasSize(1);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(drawings.resolve("123456_rev2.pdf")).doesNotExist();
    }

    @Test
    void aThrottledTagRetriesOnlyWhatIsLeftAndNeverReadsTheNewDocumentsMetadata() throws IOException {
        // A 429 on the first tag retries the pipeline; the two metadata values set before it are not sent
        // again, and a document this exchange created is never asked for its (empty) metadata rows.
        String rev = String.valueOf(1000 + (System.nanoTime() % 100000));
        String name = "654321_rev" + rev + ".pdf";
        mayan.failNext("POST", "/api/v4/documents/\\d+/tags/attach/", 429, 1);
        drop(drawings, name, pdf(name));

        awaitDone(drawings, name);
        FakeDocument doc = mayan.documentByLabel("Drawing 654321 rev " + rev).orElseThrow();
        assertThat(doc.metadata()).containsExactly(Map.entry("drawing_no", "654321"), Map.entry("revision", rev));
        assertThat(doc.tags()).containsExactlyInAnyOrder("scanned", "engineering");
        assertThat(doc.cabinets()).containsExactly("Engineering" + SEP + "Drawings");
        String metadata = "/api/v4/documents/" + doc.id() + "/metadata/";
        assertThat(mayan.count("POST", metadata)).isEqualTo(2);
        assertThat(mayan.count("PATCH", metadata + "\\d+/")).isZero();
        assertThat(mayan.count("GET", metadata)).isZero();
    }

    @Test
    void sidecarOverridesTheSourceMappingAndTravelsWithItsDocument() throws IOException {
        String name = "invoice-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", """
                {"document_type": "Invoice", "label": "Invoice 4711", "description": "from the sidecar",
                 "metadata": {"invoice_number": "4711", "currency": "CHF"},
                 "tags": ["urgent"], "cabinets": ["Finance"]}
                """);
        byte[] content = pdf(name);
        drop(plain, name, content);

        awaitDone(plain, name);
        FakeDocument doc = mayan.documentByLabel("Invoice 4711").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.description()).isEqualTo("from the sidecar");
        assertThat(doc.metadata()).containsEntry("invoice_number", "4711").containsEntry("currency", "CHF");
        assertThat(doc.tags()).containsExactly("urgent");
        assertThat(doc.cabinets()).containsExactly("Finance");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        // The sidecar moved with its document and was never uploaded as a document of its own.
        assertThat(plain.resolve(".done").resolve(name + ".json")).exists();
        assertThat(mayan.documents()).noneMatch(d -> d.label().endsWith(".json"));
    }

    @Test
    void yamlSidecarWithCommaSeparatedTags() throws IOException {
        String name = "memo-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".yaml", "label: Memo YAML " + name + "\ntags: urgent, scanned\n");
        drop(plain, name, pdf(name));

        awaitDone(plain, name);
        FakeDocument doc = mayan.documentByLabel("Memo YAML " + name).orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Default");
        assertThat(doc.tags()).containsExactlyInAnyOrder("urgent", "scanned");
        assertThat(plain.resolve(".done").resolve(name + ".yaml")).exists();
    }

    @Test
    void newFileOnAnExistingDocumentIsResolvedFromThe202() throws IOException {
        long documentId = mayan.createDocument(1, "Contract " + UUID.randomUUID(), pdf("v1"), "contract.pdf");
        int fileUploads = mayan.count("POST", FakeMayan.DOCUMENT_FILE_UPLOAD);
        String name = "contract-v2-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"document_id\": " + documentId + ", \"action\": \"append\"}");
        byte[] content = pdf(name);
        drop(plain, name, content);

        awaitDone(plain, name);
        FakeDocument doc = mayan.document(documentId).orElseThrow();
        assertThat(doc.files()).hasSize(2);
        FakeFile added = doc.latestFile().orElseThrow();
        assertThat(added.checksum()).isEqualTo(sha256(content));
        assertThat(added.action()).isEqualTo("append");
        assertThat(added.filename()).isEqualTo(name);
        assertThat(added.comment()).matches("[0-9a-f-]{36}");
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(name));
        // Through the "Default" source's document_file_upload, not documents/{id}/files/ (MayanClient#uploadFile).
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_FILE_UPLOAD) - fileUploads).isEqualTo(1);
        assertThat(mayan.count("POST", "/api/v4/documents/" + documentId + "/files/")).isZero();
    }

    @Test
    void nonAsciiFileNameArrivesIntact() throws IOException {
        String name = "Prüfbericht Nr. 5 – ÄÖÜ.pdf";
        byte[] content = pdf("umlauts");
        drop(plain, name, content);

        awaitDone(plain, name);
        FakeDocument doc = mayan.documentByLabel(name).orElseThrow();
        assertThat(doc.latestFile().orElseThrow().filename()).isEqualTo(name);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
    }

    @Test
    void aFileStillBeingWrittenIsNotTakenEarly() throws Exception {
        String name = "slow-" + UUID.randomUUID() + ".pdf";
        Path file = plain.resolve(name);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        int chunks = 15;
        AtomicInteger written = new AtomicInteger();
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try {
            // One 64 KiB chunk every 150 ms: the folder's stable-for is 400 ms, so the file must not be
            // taken before the writer stops (about 2.2 s).
            writer.scheduleAtFixedRate(() -> {
                if (written.get() >= chunks) {
                    return;
                }
                try {
                    Files.write(file, chunk, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    synchronized (digest) {
                        digest.update(chunk);
                    }
                    written.incrementAndGet();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 150, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> written.get() >= chunks);
        } finally {
            writer.shutdownNow();
        }
        String expected = java.util.HexFormat.of().formatHex(digest.digest());

        awaitDone(plain, name);
        FakeDocument doc = mayan.documentByLabel(name).orElseThrow();
        assertThat(doc.files()).hasSize(1);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(expected);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(name))).hasSize(1);
    }

    @Test
    void transientMayanFailuresAreRetriedAndTheFileStaysMeanwhile() throws IOException {
        String name = "retry-" + UUID.randomUUID() + ".pdf";
        mayan.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 503, 2);
        mayan.failNext("GET", "/api/v4/documents/\\d+/files/", 429, 2);
        byte[] content = pdf(name);
        drop(plain, name, content);

        awaitDone(plain, name);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(name))).hasSize(1);
        assertThat(mayan.documentByLabel(name).orElseThrow().latestFile().orElseThrow().checksum())
                .isEqualTo(sha256(content));
        assertThat(plain.resolve(".error").resolve(name)).doesNotExist();
    }

    @Test
    void aThrottledUploadIsSentAgainWithoutWaitingForTheInterruptedUploadGrace() throws IOException {
        // A 429 means Mayan created nothing: the file must not wait out mayan.interrupted-upload-grace (8 s
        // here, 2 min by default) as if the answer to a processed upload had been lost.
        String name = "throttled-" + UUID.randomUUID() + ".pdf";
        mayan.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 429, 2);
        byte[] content = pdf(name);
        long t0 = System.nanoTime();
        drop(plain, name, content);

        await().atMost(Duration.ofSeconds(6)).until(() -> Files.exists(plain.resolve(".done").resolve(name)));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(name))).hasSize(1);
        assertThat(mayan.documentByLabel(name).orElseThrow().latestFile().orElseThrow().checksum())
                .isEqualTo(sha256(content));
    }

    @Test
    void aRedirectToALoginPagePausesTheSourcesAndNamesTheProxyNotTheFile() throws IOException {
        String name = "behind-sso-" + UUID.randomUUID() + ".pdf";
        // As a single sign-on proxy in front of Mayan answers: a 302 to its login page, with secrets in the query.
        mayan.setLoginRedirect("https://sso.example.test:8443/oauth2/start?client_id=mayan&state=s3cr3t");
        try {
            drop(plain, name, pdf(name));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
                assertThat(ready.getString("checks.find { it.name == 'mayan' }.status")).isEqualTo("DOWN");
                Map<String, Object> data = ready.getMap("checks.find { it.name == 'mayan' }.data");
                assertThat((String) data.get("reason")).contains("with a redirect (302) to https://sso.example.test:8443 ")
                        .contains("a proxy or single sign-on in front of Mayan")
                        .doesNotContain("s3cr3t").doesNotContain("client_id").doesNotContain("oauth2").doesNotContain("rd=");
                assertThat((String) data.get("fix")).contains("point mayan.url at Mayan's API directly")
                        .contains("let the proxy pass API calls");
            });
            // Not the file's fault: it waits in the folder, nothing in error/, no quarantined ledger row.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    Files.exists(plain.resolve(name)) && !Files.exists(plain.resolve(".error").resolve(name)));
            assertThat(ledger.all()).noneMatch(e -> e.fileName().equals(name) && e.state() == LedgerState.FAILED);
        } finally {
            mayan.setLoginRedirect(null);
        }
        awaitDone(plain, name);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(name))).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(given().get("/q/health/ready").then().extract()
                .jsonPath().getString("checks.find { it.name == 'mayan' }.status")));
    }

    @Test
    void aFileRewrittenWhileItIsUploadedIsReportedAsChangedNotAsAProxy() throws IOException {
        String name = "rewritten-" + UUID.randomUUID() + ".pdf";
        byte[] first = pdf("first " + name);
        byte[] second = pdf("second and longer content of " + name);
        int uploads = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);
        // Mayan throttles the first two uploads (429, Retry-After: 1 s; fewer than mayan.max-retries, so the
        // same exchange carries on): meanwhile the file is rewritten in place, after the service read and
        // hashed it and before the upload that goes through reads it.
        mayan.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 429, 2);
        drop(plain, name, first);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD) > uploads);
        Files.write(plain.resolve(name), second);

        JsonNode report = awaitError(plain, name);
        long id = mayan.documentByLabel(name).orElseThrow().id();
        assertThat(report.path("reason").asText()).contains("was changed while it was being uploaded")
                .contains("was " + sha256(first) + " when the service read it and is " + sha256(second) + " now")
                .contains("file", "of document " + id + " with checksum " + sha256(second) + " (the changed content)")
                .doesNotContain("proxy");
        assertThat(report.path("fix").asText()).contains("delete document " + id + " in Mayan")
                .contains("replay the item once the file is complete").doesNotContain("proxy");
        assertThat(plain.resolve(".error").resolve(name)).hasBinaryContent(second);
    }

    // ---- clear errors, nothing lost -------------------------------------------------------------

    @Test
    void unknownDocumentTypeGoesToErrorWithTheExistingTypes() throws IOException {
        String name = "drawing-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"document_type\": \"Drawng\"}");
        drop(plain, name, pdf(name));

        JsonNode report = awaitError(plain, name);
        // Other tests may add types to the shared test double; these three are always there.
        assertThat(report.path("reason").asText())
                .contains("document type \"Drawng\" does not exist in Mayan; existing types: ")
                .contains("Default, Drawing, Invoice");
        assertThat(report.path("fix").asText()).contains("create the document type");
        assertThat(plain.resolve(".error").resolve(name)).exists();
        assertThat(plain.resolve(".error").resolve(name + ".json")).exists();
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(name));
    }

    @Test
    void metadataTypeNotAttachedToTheDocumentTypeIsRefusedBeforeUpload() throws IOException {
        String name = "orphan-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"metadata\": {\"orphan\": \"x\"}}");
        drop(plain, name, pdf(name));

        JsonNode report = awaitError(plain, name);
        assertThat(report.path("reason").asText())
                .contains("metadata type \"orphan\" is not attached to document type \"Default\"");
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(name));
    }

    @Test
    void invalidMetadataValuesAreRefusedBeforeUpload() throws IOException {
        String name = "bad-values-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", """
                {"document_type": "Invoice", "metadata": {"invoice_number": "1", "currency": "GBP"}}
                """);
        drop(plain, name, pdf(name));

        JsonNode report = awaitError(plain, name);
        assertThat(report.path("reason").asText())
                .contains("metadata \"currency\" value \"GBP\" is not one of the options of metadata type \"currency\": EUR, USD, CHF");
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(name));

        String other = "bad-regex-" + UUID.randomUUID() + ".pdf";
        drop(plain, other + ".json", "{\"document_type\": \"Drawing\", \"metadata\": {\"drawing_no\": \"12\"}}");
        drop(plain, other, pdf(other));
        assertThat(awaitError(plain, other).path("reason").asText())
                .contains("metadata \"drawing_no\" value \"12\" does not match the pattern ^\\d{6}$");
    }

    @Test
    void missingRequiredMetadataIsRefused() throws IOException {
        String name = "no-number-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"document_type\": \"Invoice\"}");
        drop(plain, name, pdf(name));

        assertThat(awaitError(plain, name).path("reason").asText())
                .contains("metadata \"invoice_number\" is required for document type \"Invoice\" but has no value");
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(name));
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        String name = "empty-" + UUID.randomUUID() + ".pdf";
        drop(plain, name, new byte[0]);

        assertThat(awaitError(plain, name).path("reason").asText()).contains("the file is empty");
        assertThat(plain.resolve(".error").resolve(name)).exists();
    }

    @Test
    void aMayanClientErrorQuarantinesTheItemWithMayansWords() throws IOException {
        String name = "rejected-" + UUID.randomUUID() + ".pdf";
        mayan.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 400, 1);
        drop(plain, name, pdf(name));

        JsonNode report = awaitError(plain, name);
        assertThat(report.path("reason").asText()).contains("Mayan rejected POST sources/1/actions/document_upload/execute/ with 400: injected");
        assertThat(plain.resolve(".error").resolve(name)).exists();
    }

    @Test
    void aFileNameThatDoesNotMatchThePatternIsRefused() throws IOException {
        drop(drawings, "scan-001.pdf", pdf("scan-001"));

        assertThat(awaitError(drawings, "scan-001.pdf").path("reason").asText())
                .contains("does not match the filename-pattern");
    }

    @Test
    void aSidecarThatIsNotJsonIsRefused() throws IOException {
        String name = "broken-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"label\": ");
        drop(plain, name, pdf(name));

        assertThat(awaitError(plain, name).path("reason").asText()).contains("is not valid JSON");
        assertThat(plain.resolve(".error").resolve(name + ".json")).exists();
    }

    @Test
    void aSidecarNamingAMissingDocumentIsRefused() throws IOException {
        String name = "ghost-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"document_id\": 999999, \"action\": \"replace\"}");
        drop(plain, name, pdf(name));

        assertThat(awaitError(plain, name).path("reason").asText()).contains("document 999999 does not exist in Mayan");
    }

    @Test
    void yamlSidecarValuesReachMayanAsTheTextWritten() throws IOException {
        String name = "as-written-" + UUID.randomUUID() + ".pdf";
        // Each of these is re-typed by a YAML number/boolean resolver: 0x1F -> 31, yes -> true, 012345 -> 5349
        // (octal), 1.10 -> 1.1.
        drop(plain, name + ".yaml", """
                document_type: Drawing
                label: 0x1F %s
                description: yes
                metadata:
                  drawing_no: 012345
                  revision: 1.10
                """.formatted(name));
        drop(plain, name, pdf(name));

        awaitDone(plain, name);
        FakeDocument doc = mayan.documentByLabel("0x1F " + name).orElseThrow();
        assertThat(doc.description()).isEqualTo("yes");
        assertThat(doc.metadata()).containsEntry("drawing_no", "012345").containsEntry("revision", "1.10");
    }

    @Test
    void jsonSidecarNumbersKeepTheirLiteralText() throws IOException {
        String name = "literal-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"document_type\": \"Drawing\", \"label\": \"" + name + "\","
                + " \"metadata\": {\"drawing_no\": 654321, \"revision\": 1.10}}");
        drop(plain, name, pdf(name));

        awaitDone(plain, name);
        assertThat(mayan.documentByLabel(name).orElseThrow().metadata()).containsEntry("drawing_no", "654321")
                .containsEntry("revision", "1.10");
    }
}
