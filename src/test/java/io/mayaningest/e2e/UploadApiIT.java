package io.mayaningest.e2e;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static io.mayaningest.testing.UploadClient.bearer;
import static io.mayaningest.testing.UploadClient.field;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.UploadClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The upload API against a real Mayan: a document described by names (type label, metadata type names,
 * tag labels, cabinet path) followed to done through its status URL, exactly so in Mayan; a new file of
 * it through Mayan's 202 with the new file's id in the status; a request with several problems refused
 * with all of them before anything reaches Mayan.
 */
class UploadApiIT {

    private static final String CLIENT_TOKEN = "e2e-client-" + UUID.randomUUID();
    static RealMayan mayan;
    static ServiceProcess service;
    static UploadClient client;

    @BeforeAll
    static void startService() throws Exception {
        mayan = RealMayan.find();
        MayanFixtures.ensure(mayan);
        Path work = Files.createDirectories(RealMayan.projectDir().resolve(Path.of("target", "e2e", "upload-" + UUID.randomUUID())));
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("mayan.poll-initial-delay", "200ms");
        properties.put("mayan.poll-max-delay", "2s");
        properties.put("ingest.api-clients.e2e.token", CLIENT_TOKEN);
        properties.put("ingest.sources.api.kind", "http");
        properties.put("ingest.sources.api.clients", "e2e");
        properties.put("ingest.sources.api.document-type", "Default");
        service = new ServiceProcess(work, properties, Map.of("MAYAN_URL", mayan.url(), "MAYAN_TOKEN", mayan.token()),
                List.of("-Xmx256m", "-XX:+UseSerialGC"));
        service.start();
        client = new UploadClient(service.baseUrl(), bearer(CLIENT_TOKEN));
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.stop();
            System.out.println("E2E: service log " + service.log());
        }
    }

    @Test
    void anUploadByNamesReachesDoneAndANewFileOfItNamesTheNewFile() throws Exception {
        String unique = UUID.randomUUID().toString();
        String label = "API invoice " + unique;
        byte[] content = pdf(label);
        UploadClient.Answer accepted = client.upload("api", "invoice-" + unique + ".pdf", content, List.of(
                field("document_type", MayanFixtures.INVOICE),
                field("label", label),
                field("description", "Uploaded through the API"),
                field("metadata", "{\"invoice_number\": \"E2E-" + unique.substring(0, 8) + "\"}"),
                field("metadata.currency", "CHF"),
                field("tags", "urgent,scanned"),
                field("cabinets", "Finance")), UUID.randomUUID().toString());
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        JsonNode status = client.awaitFinal(accepted.body().path("statusUrl").asText(), Duration.ofMinutes(3));
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("done");

        JsonNode doc = mayan.theDocument(label);
        long id = doc.path("id").asLong();
        assertThat(status.path("documentId").asLong()).isEqualTo(id);
        assertThat(status.path("fileId").asLong()).isEqualTo(doc.path("file_latest").path("id").asLong());
        assertThat(status.path("checksum").asText()).isEqualTo(sha256(content))
                .isEqualTo(doc.path("file_latest").path("checksum").asText());
        assertThat(status.path("documentUrl").asText()).startsWith(mayan.url()).contains("/" + id + "/");
        assertThat(doc.path("document_type").path("label").asText()).isEqualTo(MayanFixtures.INVOICE);
        assertThat(doc.path("description").asText()).isEqualTo("Uploaded through the API");
        assertThat(mayan.metadata(id)).containsEntry("invoice_number", "E2E-" + unique.substring(0, 8))
                .containsEntry("currency", "CHF");
        assertThat(mayan.tagLabels(id)).containsExactlyInAnyOrder("urgent", "scanned");
        assertThat(mayan.cabinetPaths(id)).containsExactly("Finance");

        byte[] second = pdf(label + " page 2");
        UploadClient.Answer newFile = client.upload("api", "invoice-" + unique + "-2.pdf", second, List.of(
                field("document_id", String.valueOf(id)), field("action", "append")), null);
        assertThat(newFile.status()).as(newFile.text()).isEqualTo(202);
        JsonNode fileStatus = client.awaitFinal(newFile.body().path("statusUrl").asText(), Duration.ofMinutes(3));
        assertThat(fileStatus.path("status").asText()).as(fileStatus.toString()).isEqualTo("done");
        List<JsonNode> files = new ArrayList<>(mayan.files(id));
        files.sort(Comparator.comparingLong((JsonNode f) -> f.path("id").asLong()).reversed());
        assertThat(files).hasSize(2);
        assertThat(fileStatus.path("documentId").asLong()).isEqualTo(id);
        assertThat(fileStatus.path("fileId").asLong()).isEqualTo(files.get(0).path("id").asLong())
                .isNotEqualTo(status.path("fileId").asLong());
        assertThat(files.get(0).path("checksum").asText()).isEqualTo(sha256(second));
        System.out.println("E2E: upload API: document " + id + " (file " + status.path("fileId") + "), new file "
                + fileStatus.path("fileId") + " through Mayan's 202");
    }

    @Test
    void severalProblemsAreAllAnsweredAndNothingReachesMayan() throws Exception {
        String label = "API refused " + UUID.randomUUID();
        UploadClient.Answer refused = client.upload("api", "refused.pdf", pdf(label), List.of(
                field("document_type", MayanFixtures.INVOICE), field("label", label),
                field("metadata.currency", "YEN"), field("tags", "no-such-tag"), field("cabinets", "No/Such/Cabinet")), null);
        assertThat(refused.status()).as(refused.text()).isEqualTo(422);
        List<String> fields = new ArrayList<>();
        refused.body().path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).containsExactlyInAnyOrder("metadata.currency", "metadata.invoice_number", "tags", "cabinets");
        assertThat(mayan.documentsLabelled(label)).isEmpty();
        System.out.println("E2E: upload API 422 fields " + fields);
    }
}
