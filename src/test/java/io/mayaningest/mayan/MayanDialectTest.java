package io.mayaningest.mayan;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeFile;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The version-aware client against the Mayan test double, through the running service: which
 * endpoints it uses for which release, what readiness shows, and what it logs.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class MayanDialectTest {

    private static final String LEGACY_UPLOAD = "/api/v4/documents/upload/";

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path drawings = FakeMayanResource.inbox("drawings");
    private final Path plain = FakeMayanResource.inbox("plain");
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Inject
    MayanGate gate;

    @BeforeEach
    void captureClientLog() {
        Logger.getLogger(MayanClient.class.getName()).addHandler(capture);
    }

    @AfterEach
    void backToAFresh4122() {
        Logger.getLogger(MayanClient.class.getName()).removeHandler(capture);
        mayan.setVersion("4.12.2").setSourceEnabled(1, true);
        reconnect();
        assertThat(gate.state().open()).as("gate after restoring the fake: %s", gate.state()).isTrue();
    }

    @Test
    void newDocumentsAndFilesGoThroughTheSourcesActionApi() throws IOException {
        reconnect();
        int legacyBefore = mayan.count("POST", LEGACY_UPLOAD);
        int sourceBefore = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);
        String no = String.valueOf(ThreadLocalRandom.current().nextInt(700000, 800000));
        String name = no + "_rev4.pdf";
        byte[] content = pdf(name);
        drop(drawings, name, content);
        awaitDone(drawings, name);

        FakeDocument doc = mayan.documentByLabel("Drawing " + no + " rev 4").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Drawing");
        assertThat(doc.description()).isEqualTo("Scanned from " + name);
        assertThat(doc.metadata()).containsEntry("drawing_no", no).containsEntry("revision", "4");
        assertThat(doc.latestFile().orElseThrow().filename()).isEqualTo(name);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD) - sourceBefore).isEqualTo(1);
        assertThat(mayan.count("POST", LEGACY_UPLOAD)).as("requests to documents/upload/").isEqualTo(legacyBefore);

        // A file without a mapped label: Mayan's immediate mode would leave the label "", so the file name is sent.
        String unlabelled = "memo-" + UUID.randomUUID() + ".pdf";
        drop(plain, unlabelled, pdf(unlabelled));
        awaitDone(plain, unlabelled);
        assertThat(mayan.documentByLabel(unlabelled)).isPresent();

        long target = mayan.createDocument(1, "Contract " + UUID.randomUUID(), pdf("v1"), "contract.pdf");
        int filesBefore = mayan.count("POST", "/api/v4/documents/" + target + "/files/");
        String second = "contract-v2-" + UUID.randomUUID() + ".pdf";
        drop(plain, second + ".json", "{\"document_id\": " + target + ", \"action\": \"append\"}");
        drop(plain, second, pdf(second));
        awaitDone(plain, second);
        FakeFile added = mayan.document(target).orElseThrow().latestFile().orElseThrow();
        assertThat(added.filename()).isEqualTo(second);
        assertThat(added.action()).isEqualTo("append");
        assertThat(added.comment()).as("the ingest id").matches("[0-9a-f-]{36}");
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_FILE_UPLOAD)).isPositive();
        assertThat(mayan.count("POST", "/api/v4/documents/" + target + "/files/")).isEqualTo(filesBefore);

        // Readiness caches its answer for 5 s, so an earlier test's answer (a DOWN, or 4.4.16 when the 4.4
        // test ran just before) may still show for a moment: wait for this release's answer.
        JsonPath ready = await().atMost(Duration.ofSeconds(30)).until(this::readiness,
                r -> "UP".equals(r.getString("checks.find { it.name == 'mayan' }.status"))
                        && "4.12.2".equals(r.getString("checks.find { it.name == 'mayan' }.data.version")));
        assertThat(ready.getString("checks.find { it.name == 'mayan' }.data.api"))
                .contains("sources action API (source \"Default\", id 1)").contains("document_file_upload");
    }

    @Test
    void mayan44TakesDocumentsThroughDocumentsUploadAndNewFilesWithActionIds() throws IOException {
        mayan.setVersion("4.4.16");
        reconnect();
        assertThat(gate.state().open()).as("gate on 4.4.16: %s", gate.state()).isTrue();
        assertThat(gate.state().api()).startsWith("Mayan 4.4 dialect");
        assertThat(infos()).anyMatch(m -> m.contains("Mayan 4.4.16 at ") && m.contains("API mode Mayan 4.4 dialect: documents/upload/"));
        int legacyBefore = mayan.count("POST", LEGACY_UPLOAD);
        int sourceBefore = mayan.count("POST", "/api/v4/sources/.*");

        String no = String.valueOf(ThreadLocalRandom.current().nextInt(800000, 900000));
        String name = no + "_rev2.pdf";
        byte[] content = pdf(name);
        drop(drawings, name, content);
        awaitDone(drawings, name);
        FakeDocument doc = mayan.documentByLabel("Drawing " + no + " rev 2").orElseThrow();
        assertThat(doc.metadata()).containsEntry("drawing_no", no).containsEntry("revision", "2");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(mayan.count("POST", LEGACY_UPLOAD) - legacyBefore).isEqualTo(1);

        String second = no + "-appendix-" + UUID.randomUUID() + ".pdf";
        drop(plain, second + ".json", "{\"document_id\": " + doc.id() + ", \"action\": \"append\"}");
        drop(plain, second, pdf(second));
        awaitDone(plain, second);
        FakeFile added = mayan.document(doc.id()).orElseThrow().latestFile().orElseThrow();
        assertThat(added.filename()).isEqualTo(second);
        assertThat(added.action()).as("sent as action=2, which the fake reads only on 4.4").isEqualTo("append");
        assertThat(added.comment()).as("the ingest id").matches("[0-9a-f-]{36}");
        assertThat(mayan.count("POST", "/api/v4/documents/" + doc.id() + "/files/")).isEqualTo(1);
        assertThat(mayan.count("POST", "/api/v4/sources/.*")).as("source actions").isEqualTo(sourceBefore);

        JsonPath ready = await().atMost(Duration.ofSeconds(30)).until(this::readiness,
                r -> "4.4.16".equals(r.getString("checks.find { it.name == 'mayan' }.data.version")));
        assertThat(ready.getString("checks.find { it.name == 'mayan' }.status")).isEqualTo("UP");
        assertThat(ready.getString("checks.find { it.name == 'mayan' }.data.api")).startsWith("Mayan 4.4 dialect");
    }

    @Test
    void aReleaseOutsideTheRangeIsRefusedWithTheRangeAndTheReasonAndTheSourcesStayPaused() throws IOException {
        mayan.setVersion("4.3.3");
        reconnect();
        assertThat(gate.state().open()).isFalse();
        String name = "while-refused-" + UUID.randomUUID() + ".pdf";
        drop(plain, name, pdf(name));

        JsonPath ready = await().atMost(Duration.ofSeconds(30)).until(this::readiness,
                r -> "DOWN".equals(r.getString("checks.find { it.name == 'mayan' }.status"))
                        && "4.3.3".equals(r.getString("checks.find { it.name == 'mayan' }.data.version")));
        String reason = ready.getString("checks.find { it.name == 'mayan' }.data.reason");
        assertThat(reason).contains("4.3.3").contains("older").contains("4.4.0 .. 4.12.x");
        assertThat(ready.getString("checks.find { it.name == 'mayan' }.data.fix")).contains("upgrade Mayan to 4.4");
        assertThat(ready.getString("checks.find { it.name == 'mayan' }.data.version")).isEqualTo("4.3.3");
        assertThat(warnings()).anyMatch(m -> m.contains("Mayan 4.3.3") && m.contains("refused"));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(plain.resolve(name)) && !Files.exists(plain.resolve(".done").resolve(name)));

        mayan.setVersion("5.0.1");
        reconnect();
        assertThat(gate.state().reason()).contains("newer").contains("4.4.0 .. 4.12.x");

        mayan.setVersion("4.12.2");
        reconnect();
        awaitDone(plain, name);
    }

    @Test
    void withoutAnUploadSourceTheDeprecatedEndpointIsUsedAndItsWarningLoggedOnce() throws IOException {
        mayan.setSourceEnabled(1, false);
        reconnect();
        assertThat(gate.state().api()).startsWith("documents/upload/");
        assertThat(warnings()).anyMatch(m -> m.contains("API mode documents/upload/")
                && m.contains("no enabled source offers document_upload") && m.contains("mayan.upload-source"));
        int legacyBefore = mayan.count("POST", LEGACY_UPLOAD);

        for (int i = 0; i < 2; i++) {
            String name = "legacy-" + i + "-" + UUID.randomUUID() + ".pdf";
            byte[] content = pdf(name);
            drop(plain, name, content);
            awaitDone(plain, name);
            FakeDocument doc = mayan.documentByLabel(name).orElseThrow();
            assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        }
        assertThat(mayan.count("POST", LEGACY_UPLOAD) - legacyBefore).isEqualTo(2);
        List<String> deprecation = warnings().stream().filter(m -> m.contains("as deprecated")).toList();
        assertThat(deprecation).as("deprecation warnings").hasSize(1);
        assertThat(deprecation.get(0)).contains("POST documents/upload/").contains("Sunset: Thu, 01 Jul 2027 00:00:00 GMT")
                .contains("mayan.upload-source").contains("no enabled source offers document_upload");
    }

    /** What the gate does when Mayan comes back: unreachable once, then answering again. */
    private void reconnect() {
        mayan.setUnreachable(true);
        gate.probe();
        mayan.setUnreachable(false);
        gate.probe();
    }

    private List<String> warnings() {
        return messages(Level.WARNING);
    }

    private List<String> infos() {
        return messages(Level.INFO);
    }

    private List<String> messages(Level atLeast) {
        return logged.stream().filter(r -> r.getLevel().intValue() >= atLeast.intValue())
                .map(r -> r instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage())
                .toList();
    }

    private JsonPath readiness() {
        return given().get("/q/health/ready").then().extract().jsonPath();
    }
}
