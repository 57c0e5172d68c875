package io.mayaningest.e2e;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.it.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real Mayan (any supported release from 4.5 on; 4.12.2 by default): no request of the service reaches the deprecated {@code documents/upload/};
 * new documents go through the web-form source's {@code document_upload} action and new files through
 * its {@code document_file_upload}, and they carry their type, label, file name, metadata, tags and
 * cabinets exactly as before. Shown by Mayan's own gunicorn access log, where the service's requests
 * are told from those of other clients of the same Mayan by a User-Agent unique to this run. On Mayan
 * 4.4, which has no such source action, the same documents come through {@code documents/upload/} and
 * the new file through {@code documents/{id}/files/}, and no source action is called.
 */
class SourcesApiIT {

    static RealMayan mayan;
    static ServiceProcess service;
    static Path work;
    static Path drawings;
    static Path plain;
    static String agent;
    static long accessLogOffset;

    @BeforeAll
    static void startService() throws Exception {
        mayan = RealMayan.find();
        Assumptions.assumeTrue(mayan.accessLog().isPresent(), "Mayan's access log is not on this machine");
        MayanFixtures.ensure(mayan);
        String run = UUID.randomUUID().toString();
        agent = "mayan-ingest-e2e/" + run;
        work = Files.createDirectories(RealMayan.projectDir().resolve(Path.of("target", "e2e", run)));
        drawings = Files.createDirectories(work.resolve("drawings"));
        plain = Files.createDirectories(work.resolve("plain"));
        accessLogOffset = Files.size(mayan.accessLog().get());

        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("mayan.poll-initial-delay", "200ms");
        properties.put("mayan.poll-max-delay", "2s");
        properties.put("mayan.user-agent", agent);
        source(properties, "drawings", drawings);
        properties.put("ingest.sources.drawings.document-type", MayanFixtures.DRAWING);
        properties.put("ingest.sources.drawings.filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
        properties.put("ingest.sources.drawings.label", "Drawing {no} rev {rev}");
        properties.put("ingest.sources.drawings.description", "Scanned from {file.name}");
        properties.put("ingest.sources.drawings.metadata.drawing_no", "{no}");
        properties.put("ingest.sources.drawings.metadata.revision", "{rev}");
        properties.put("ingest.sources.drawings.tags", "scanned,engineering");
        properties.put("ingest.sources.drawings.cabinets", "Engineering/Drawings");
        source(properties, "plain", plain);
        properties.put("ingest.sources.plain.document-type", "Default");
        service = new ServiceProcess(work, properties, Map.of("MAYAN_URL", mayan.url(), "MAYAN_TOKEN", mayan.token()),
                List.of("-Xmx256m", "-XX:+UseSerialGC"));
        service.start();
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
            System.out.println("E2E: service log " + service.log());
        }
    }

    @Test
    void noRequestReachesDocumentsUploadAndDocumentsStayExactlyAsBefore() throws Exception {
        String no = mayan.unusedDrawingNumber();
        String drawing = no + "_rev3.pdf";
        byte[] drawingContent = pdf("sources api " + no);
        drop(drawings, drawing, drawingContent);

        String unique = UUID.randomUUID().toString();
        String plainName = "Prüfbericht – ÄÖÜ " + unique + ".pdf";
        byte[] plainContent = pdf(plainName);
        drop(plain, plainName, plainContent);

        awaitDone(drawings, drawing);
        awaitDone(plain, plainName);

        JsonNode doc = mayan.theDocument("Drawing " + no + " rev 3");
        long id = doc.path("id").asLong();
        assertThat(doc.path("document_type").path("label").asText()).isEqualTo("Drawing");
        assertThat(doc.path("description").asText()).isEqualTo("Scanned from " + drawing);
        assertThat(doc.path("file_latest").path("filename").asText()).isEqualTo(drawing);
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(drawingContent));
        assertThat(mayan.metadata(id)).containsEntry("drawing_no", no).containsEntry("revision", "3");
        assertThat(mayan.tagLabels(id)).containsExactly("engineering", "scanned");
        assertThat(mayan.cabinetPaths(id)).containsExactly("Engineering / Drawings");

        // Without a mapped label Mayan's immediate mode would leave it "": the service sends the file name.
        List<JsonNode> byPart = mayan.documentsLabelledLike(unique);
        assertThat(byPart).as("documents whose label contains %s", unique).hasSize(1);
        JsonNode named = byPart.get(0);
        assertThat(named.path("label").asText()).isEqualTo(plainName);
        assertThat(named.path("document_type").path("label").asText()).isEqualTo("Default");
        assertThat(named.path("file_latest").path("filename").asText()).isEqualTo(plainName);
        assertThat(named.path("file_latest").path("checksum").asText()).isEqualTo(sha256(plainContent));

        // A new file on the existing drawing: through document_file_upload, the ingest id as its comment.
        String second = "append-" + unique + ".pdf";
        byte[] secondContent = pdf(second);
        drop(plain, second + ".json", "{\"document_id\": " + id + ", \"action\": \"append\"}");
        drop(plain, second, secondContent);
        awaitDone(plain, second);
        List<JsonNode> files = mayan.files(id).stream()
                .sorted(Comparator.comparingLong((JsonNode f) -> f.path("id").asLong()).reversed()).toList();
        assertThat(files).hasSize(2);
        assertThat(files.get(0).path("filename").asText()).isEqualTo(second);
        assertThat(files.get(0).path("checksum").asText()).isEqualTo(sha256(secondContent));
        assertThat(files.get(0).path("comment").asText()).matches("[0-9a-f-]{36}");

        List<String> ours = newLines(mayan.accessLog().get(), accessLogOffset).stream()
                .filter(l -> l.contains(agent)).toList();
        System.out.println("E2E: the service's upload requests in Mayan's access log:");
        ours.stream().filter(l -> l.contains("POST")).forEach(l -> System.out.println("  | " + l));
        assertThat(ours).as("the service's requests in Mayan's access log").isNotEmpty();
        if (mayan.version().startsWith("4.4.")) {
            // Mayan 4.4 has no source action that names the document (MayanDialect): documents/upload/ for
            // new documents, documents/{id}/files/ (with action=2 for append) for new files, no source action.
            assertThat(ours).filteredOn(l -> l.contains("POST /api/v4/documents/upload/ ") && l.contains("\" 201 "))
                    .hasSize(2);
            assertThat(ours).filteredOn(l -> l.contains("POST /api/v4/documents/" + id + "/files/ ")
                    && l.contains("\" 202 ")).hasSize(1);
            assertThat(ours).as("source actions").noneMatch(l -> l.contains("/api/v4/sources/"));
            assertThat(service.logText()).contains("Mayan " + RealMayan.VERSION + " at " + mayan.url()
                    + ": API mode Mayan 4.4 dialect: documents/upload/").doesNotContain("as deprecated");
            assertThat(service.get("/q/health/ready")).contains("\"" + RealMayan.VERSION + "\"")
                    .contains("Mayan 4.4 dialect");
            return;
        }
        assertThat(ours).as("requests to the deprecated documents/upload/").noneMatch(l -> l.contains("/documents/upload/"));
        assertThat(ours).as("no new files through documents/{id}/files/ either")
                .noneMatch(l -> l.contains("POST /api/v4/documents/") && l.contains("/files/"));
        assertThat(ours).filteredOn(l -> l.contains("POST /api/v4/sources/1/actions/document_upload/execute/ ")
                && l.contains("\" 201 ")).hasSize(2);
        assertThat(ours).filteredOn(l -> l.contains("POST /api/v4/sources/1/actions/document_file_upload/execute/ ")
                && l.contains("\" 202 ")).hasSize(1);

        assertThat(service.logText()).contains("Mayan " + RealMayan.VERSION + " at " + mayan.url()
                + ": API mode sources action API (source \"Default\", id 1)").doesNotContain("as deprecated");
        String ready = service.get("/q/health/ready");
        assertThat(ready).contains("\"" + RealMayan.VERSION + "\"").contains("sources action API");
    }

    private static List<String> newLines(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length <= offset) {
                return List.of();
            }
            byte[] bytes = new byte[(int) (length - offset)];
            raf.seek(offset);
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        }
    }
}
