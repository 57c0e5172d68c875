package io.mayaningest.source.sftp;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static io.mayaningest.source.sftp.SftpServerResource.remote;
import static io.mayaningest.source.sftp.SftpServerResource.upload;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * SFTP sources against an embedded MINA SSHD server and the Mayan test double: what a user sees in
 * Mayan, in the server's done/ and error/ folders, and in readiness.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
@WithTestResource(SftpServerResource.class)
class SftpIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeMayan mayan = FakeMayanResource.mayan();

    @Test
    void documentWithPatternMetadataTagsAndCabinetsArrivesAndTheRemoteFileMovesToDone() throws IOException {
        byte[] content = pdf("sftp drawing 654321 rev 3");
        upload("drawings", "654321_rev3.pdf", content);

        Path done = awaitFile(remote("drawings").resolve(".done").resolve("654321_rev3.pdf"));
        FakeDocument doc = mayan.documentByLabel("SFTP drawing 654321 rev 3").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Drawing");
        assertThat(doc.metadata()).containsExactly(Map.entry("drawing_no", "654321"), Map.entry("revision", "3"));
        assertThat(doc.tags()).containsExactlyInAnyOrder("scanned", "engineering");
        assertThat(doc.cabinets()).containsExactly("Engineering" + FakeMayan.CABINET_PATH_SEPARATOR + "Drawings");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(doc.latestFile().orElseThrow().filename()).isEqualTo("654321_rev3.pdf");
        assertThat(Files.readAllBytes(done)).isEqualTo(content);
        assertThat(remote("drawings").resolve("654321_rev3.pdf")).doesNotExist();
    }

    @Test
    void sidecarOnTheServerIsDownloadedAppliedAndMovedWithItsDocument() throws IOException {
        String name = "invoice-" + UUID.randomUUID() + ".pdf";
        upload("plain", name + ".json", """
                {"document_type": "Invoice", "label": "SFTP invoice 4712",
                 "metadata": {"invoice_number": "4712", "currency": "EUR"},
                 "tags": ["urgent"], "cabinets": ["Finance"]}
                """.getBytes(StandardCharsets.UTF_8));
        byte[] content = pdf(name);
        upload("plain", name, content);

        awaitFile(remote("plain").resolve(".done").resolve(name));
        FakeDocument doc = mayan.documentByLabel("SFTP invoice 4712").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.metadata()).containsEntry("invoice_number", "4712").containsEntry("currency", "EUR");
        assertThat(doc.tags()).containsExactly("urgent");
        assertThat(doc.cabinets()).containsExactly("Finance");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        // The acknowledger renames the document, then its sidecar: a look between the two sees only one.
        awaitFile(remote("plain").resolve(".done").resolve(name + ".json"));
        assertThat(remote("plain").resolve(name + ".json")).doesNotExist();
        assertThat(mayan.documents()).noneMatch(d -> d.label().endsWith(".json"));
    }

    @Test
    void permanentErrorLandsInTheRemoteErrorFolderWithItsReport() throws IOException {
        String name = "not-a-drawing-" + UUID.randomUUID() + ".pdf";
        upload("drawings", name, pdf(name));

        Path report = awaitFile(remote("drawings").resolve(".error").resolve(name + ".error.json"));
        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.path("reason").asText()).contains("does not match the filename-pattern");
        assertThat(json.path("source").asText()).isEqualTo("sftpdrawings");
        assertThat(json.path("fix").asText()).isNotBlank();
        assertThat(remote("drawings").resolve(".error").resolve(name)).exists();
        assertThat(remote("drawings").resolve(name)).doesNotExist();
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(name));
    }

    @Test
    void unknownDocumentTypeFromSidecarGoesToErrorWithTheReason() throws IOException {
        String name = "typo-" + UUID.randomUUID() + ".pdf";
        upload("plain", name + ".yaml", "document_type: Drawng\n".getBytes(StandardCharsets.UTF_8));
        upload("plain", name, pdf(name));

        Path report = awaitFile(remote("plain").resolve(".error").resolve(name + ".error.json"));
        assertThat(JSON.readTree(report.toFile()).path("reason").asText())
                .contains("document type \"Drawng\" does not exist in Mayan");
        assertThat(remote("plain").resolve(".error").resolve(name + ".yaml")).exists();
    }

    @Test
    void aQuarantinedRemoteFileIsReplayedThroughTheOperatorApiOnceTheCauseIsFixed() throws IOException {
        String type = "Permit-" + UUID.randomUUID().toString().substring(0, 8);
        String name = "permit-" + UUID.randomUUID() + ".pdf";
        upload("plain", name + ".yaml", ("document_type: " + type + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] content = pdf(name);
        upload("plain", name, content);
        awaitFile(remote("plain").resolve(".error").resolve(name + ".error.json"));
        String id = given().header("Authorization", "Bearer " + FakeMayanResource.OPERATOR_TOKEN)
                .get("/api/quarantine?source=sftpplain").then().statusCode(200)
                .extract().jsonPath().getString("items.find { it.file == '" + name + "' }.id");

        mayan.createDocumentType(type);
        given().header("Authorization", "Bearer " + FakeMayanResource.OPERATOR_TOKEN)
                .contentType("application/json").body("{\"reason\": \"type created\"}")
                .post("/api/quarantine/" + id + "/replay").then().statusCode(202);

        awaitFile(remote("plain").resolve(".done").resolve(name));
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(name)).hasSize(1)
                .allMatch(d -> d.documentTypeLabel().equals(type) && sha256(content).equals(d.files().get(0).checksum()));
        assertThat(remote("plain").resolve(".error").resolve(name)).doesNotExist();
        assertThat(remote("plain").resolve(".error").resolve(name + ".error.json")).doesNotExist();
    }

    @Test
    void aServerWhoseHostKeyIsNotTrustedIsRejectedAndReadinessSaysWhy() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
            assertThat(ready.getString("status")).isEqualTo("DOWN");
            Map<String, Object> data = ready.getMap("checks.find { it.name == 'ingest-sources' }.data");
            assertThat(data).containsEntry("source.sftpwrongkey", "DOWN")
                    .containsEntry("source.sftpdrawings", "UP");
            assertThat((String) data.get("source.sftpwrongkey.reason")).contains("host key");
            assertThat((String) data.get("source.sftpwrongkey.fix")).contains("known_hosts_wrong");
        });
        // Nothing was taken from the distrusted server: still there, never spooled, never in Mayan.
        assertThat(remote("rejected").resolve(SftpServerResource.REJECTED_FILE)).exists();
        assertThat(remote("rejected").resolve(".done")).doesNotExist();
        assertThat(mayan.documents()).noneMatch(d -> d.label().contains("rev 9")
                || d.label().equals(SftpServerResource.REJECTED_FILE));
    }

    @Test
    void severalFilesAreUploadedAtOnceEachTakenOnceAndAcknowledgedOnlyAfterMayanConfirmedIt() throws IOException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        java.util.List<String> names = java.util.List.of(run + "-a.pdf", run + "-b.pdf", run + "-c.pdf");
        int uploadsBefore = mayan.count("POST", ".*/document_upload/execute/");
        mayan.setProcessingPaused(true);
        try {
            for (String name : names) {
                upload("plain", name, pdf("concurrent " + name));
            }
            // With Mayan's processing held, one file at a time would upload the first and wait for it:
            // all three reaching Mayan shows them handed over side by side.
            await().atMost(Duration.ofSeconds(30)).until(() -> names.stream().allMatch(this::uploaded));
            // Polls go on (every 200 ms) while the files are in flight: after three more listings of the
            // folder none is taken a second time (downloaded again), and none is moved before Mayan confirmed it.
            int listed = SftpServerResource.listings("plain");
            await().atMost(Duration.ofSeconds(10)).until(() -> SftpServerResource.listings("plain") >= listed + 3);
            assertThat(mayan.count("POST", ".*/document_upload/execute/") - uploadsBefore).isEqualTo(3);
            for (String name : names) {
                assertThat(SftpServerResource.downloads(name)).as("downloads of " + name).isEqualTo(1);
                assertThat(remote("plain").resolve(name)).exists();
                assertThat(remote("plain").resolve(".done").resolve(name)).doesNotExist();
            }
        } finally {
            mayan.setProcessingPaused(false);
        }
        for (String name : names) {
            awaitFile(remote("plain").resolve(".done").resolve(name));
            assertThat(mayan.documents()).filteredOn(d -> d.label().equals(name)).hasSize(1);
        }
        assertThat(mayan.count("POST", ".*/document_upload/execute/") - uploadsBefore).isEqualTo(3);
        // Each file was downloaded once: no poll took a file in flight again.
        for (String name : names) {
            assertThat(SftpServerResource.downloads(name)).as("downloads of " + name).isEqualTo(1);
        }
    }

    private boolean uploaded(String name) {
        return mayan.documents().stream().anyMatch(d -> d.label().equals(name));
    }

    private static Path awaitFile(Path file) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.size(file) > 0);
        return file;
    }
}
