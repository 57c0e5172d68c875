package io.mayaningest.faults;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static io.mayaningest.testing.UploadClient.bearer;
import static io.mayaningest.testing.UploadClient.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.UploadClient;
import org.junit.jupiter.api.Test;

/**
 * The packaged service SIGKILLed between accepting uploads (202) and Mayan confirming them: three
 * uploaded and waiting for Mayan's workers (UPLOADED), one whose upload request is still under way
 * at Mayan (UPLOADING: Mayan creates the document, the service never hears its id). After the restart
 * every status URL reaches done, each with exactly one complete document.
 */
class UploadApiKillIT {

    private static final String CLIENT_TOKEN = "kill-client-" + UUID.randomUUID();

    @Test
    void killedBetweenAcceptanceAndConfirmationEveryUploadEndsDoneWithOneDocument() throws Exception {
        try (FaultRun run = new FaultRun("upload-kill")) {
            run.service(Map.of(
                    "ingest.api-clients.loader.token", CLIENT_TOKEN,
                    "ingest.sources.api.kind", "http",
                    "ingest.sources.api.clients", "loader",
                    "ingest.sources.api.document-type", "Drawing",
                    "ingest.sources.api.tags", "scanned")).start();
            UploadClient client = new UploadClient(run.service.baseUrl(), bearer(CLIENT_TOKEN));
            FakeMayan mayan = run.mayan;

            // Mayan's workers are down: uploads are taken (201/202), their files do not appear yet.
            mayan.setProcessingPaused(true);
            Map<String, byte[]> contents = new LinkedHashMap<>();
            Map<String, String> statusUrls = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                String no = String.valueOf(200000 + i);
                String label = "Killed upload " + no + " " + UUID.randomUUID();
                byte[] content = pdf(label);
                UploadClient.Answer a = client.upload("api", no + ".pdf", content, List.of(field("label", label),
                        field("metadata.drawing_no", no), field("metadata.revision", "1"), field("tags", "scanned,engineering"),
                        field("cabinets", "Engineering/Drawings")), UUID.randomUUID().toString());
                assertThat(a.status()).as(a.text()).isEqualTo(202);
                contents.put(label, content);
                statusUrls.put(label, a.body().path("statusUrl").asText());
            }
            for (String url : statusUrls.values()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> "uploaded".equals(client.get(url).body().path("status").asText()));
            }
            // One more, whose upload request Mayan holds for 6 s: killed while it is under way.
            mayan.stallNext("POST", Pattern.quote(FakeMayan.DOCUMENT_UPLOAD) + ".*", Duration.ofSeconds(6), 1);
            String label = "Killed mid-upload " + UUID.randomUUID();
            byte[] content = pdf(label);
            UploadClient.Answer a = client.upload("api", "200009.pdf", content, List.of(field("label", label),
                    field("metadata.drawing_no", "200009"), field("metadata.revision", "1"),
                    field("tags", "scanned,engineering"), field("cabinets", "Engineering/Drawings")), null);
            assertThat(a.status()).as(a.text()).isEqualTo(202);
            contents.put(label, content);
            statusUrls.put(label, a.body().path("statusUrl").asText());
            String midUpload = a.body().path("statusUrl").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> "uploading".equals(client.get(midUpload).body().path("status").asText()));

            run.service.kill();
            // Mayan finishes the held request (the document exists; the service never learnt its id) and its workers return.
            await().atMost(Duration.ofSeconds(15)).until(() -> mayan.documentByLabel(label).isPresent());
            mayan.setProcessingPaused(false);
            run.service.start();

            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, String> e : statusUrls.entrySet()) {
                JsonNode status = client.awaitFinal(e.getValue(), Duration.ofMinutes(2));
                assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("done");
                List<FakeDocument> docs = mayan.documents().stream().filter(d -> d.label().equals(e.getKey())).toList();
                assertThat(docs).as("documents labelled %s", e.getKey()).hasSize(1);
                FakeDocument doc = docs.get(0);
                assertThat(status.path("documentId").asLong()).isEqualTo(doc.id());
                assertThat(doc.files()).hasSize(1);
                assertThat(doc.files().get(0).checksum()).isEqualTo(sha256(contents.get(e.getKey())));
                assertThat(status.path("fileId").asLong()).isEqualTo(doc.files().get(0).id());
                assertThat(doc.metadata()).hasSize(2);
                assertThat(doc.tags()).containsExactlyInAnyOrder("scanned", "engineering");
                assertThat(doc.cabinets()).containsExactly("Engineering" + FakeMayan.CABINET_PATH_SEPARATOR + "Drawings");
                lines.add(e.getKey() + " -> document " + doc.id() + ", attempts " + status.path("attempts").asInt());
            }
            assertThat(run.service.logText()).contains("resumes at");
            System.out.println("FAULTS: upload API SIGKILL between 202 and confirmation: 4 uploads, 4 documents, 0 duplicated: "
                    + lines);
        }
    }
}
