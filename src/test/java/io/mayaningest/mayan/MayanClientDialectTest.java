package io.mayaningest.mayan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.testing.FakeFile;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.TestMayanConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which source and endpoints the client chooses for which Mayan, and mayan.upload-source, against the test double. */
class MayanClientDialectTest {

    private FakeMayan mayan;
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        mayan = FakeMayan.start().withToken("t");
    }

    @AfterEach
    void stop() {
        mayan.close();
    }

    @Test
    void theSupportedRangeIs44To412() {
        assertThat(MayanDialect.unsupported("4.4.0")).isNull();
        assertThat(MayanDialect.unsupported("4.4.16")).isNull();
        assertThat(MayanDialect.unsupported("4.5.0")).isNull();
        assertThat(MayanDialect.unsupported("4.5.7")).isNull();
        assertThat(MayanDialect.unsupported("4.10.6")).isNull();
        assertThat(MayanDialect.unsupported("4.12.2")).isNull();
        assertThat(MayanDialect.unsupported("4.3.3")).contains("older").contains("4.4.0 .. 4.12.x");
        assertThat(MayanDialect.unsupportedFix("4.3.3")).contains("upgrade Mayan to 4.4");
        assertThat(MayanDialect.unsupported("3.5.11")).contains("older");
        assertThat(MayanDialect.unsupported("4.13.0")).contains("newer").contains("4.4.0 .. 4.12.x");
        assertThat(MayanDialect.unsupported("5.0")).contains("newer");
        assertThat(MayanDialect.unsupported(null)).contains("did not report");
        assertThat(MayanDialect.unsupported("unknown")).contains("did not report");
    }

    @Test
    void mayan44TakesNewDocumentsThroughDocumentsUploadAndNewFilesWithActionIds() throws Exception {
        mayan.setVersion("4.4.16");
        MayanClient client = client(null);
        MayanDialect d = client.detect(project());
        assertThat(d.refused()).isFalse();
        assertThat(d.fileActionIds()).isTrue();
        assertThat(d.viaSources()).isFalse();
        assertThat(d.fallbackReason()).as("nothing to fix on 4.4").isNull();
        assertThat(d.mode()).startsWith("Mayan 4.4 dialect: documents/upload/").contains("action ids");
        assertThat(mayan.count("GET", "/api/v4/sources/.*")).as("4.4's sources are not asked").isZero();

        Path file = Files.writeString(dir.resolve("e.txt"), "hello", StandardCharsets.UTF_8);
        JsonNode doc = client.uploadDocument(1, file, "e.txt", "E", "a memo", null);
        assertThat(doc.path("label").asText()).isEqualTo("E");
        assertThat(mayan.count("POST", "/api/v4/documents/upload/")).isEqualTo(1);
        long id = doc.path("id").asLong();

        Path second = Files.writeString(dir.resolve("e2.txt"), "hello again", StandardCharsets.UTF_8);
        client.uploadFile(id, second, "e2.txt", "append", "corr-1");
        Path third = Files.writeString(dir.resolve("e3.txt"), "and again", StandardCharsets.UTF_8);
        client.uploadFile(id, third, "e3.txt", "keep", "corr-2");
        List<FakeFile> files = await().atMost(Duration.ofSeconds(10))
                .until(() -> mayan.document(id).orElseThrow().files(), f -> f.size() == 3);
        assertThat(files).extracting(FakeFile::comment).containsExactly("", "corr-1", "corr-2");
        assertThat(files).extracting(FakeFile::action).as("the fake reads 4.4's action ids 2 and 3")
                .containsExactly("replace", "append", "keep");
        assertThat(files.get(2).filename()).isEqualTo("e3.txt");
        assertThat(mayan.count("POST", "/api/v4/documents/" + id + "/files/")).isEqualTo(2);
        assertThat(mayan.count("POST", "/api/v4/sources/.*")).isZero();
    }

    @Test
    void onMayan44AConfiguredUploadSourceIsNotUsedAndNotRefused() {
        mayan.setVersion("4.4.16");
        MayanDialect d = client("Scanner").detect(project());
        assertThat(d.refused()).isFalse();
        assertThat(d.fileActionIds()).isTrue();
    }

    @Test
    void theActionIdsAreThoseOfMayan44() {
        assertThat(MayanDialect.fileActionId("replace")).isEqualTo("1");
        assertThat(MayanDialect.fileActionId("append")).isEqualTo("2");
        assertThat(MayanDialect.fileActionId("keep")).isEqualTo("3");
        assertThatThrownBy(() -> MayanDialect.fileActionId("move")).isInstanceOf(IllegalArgumentException.class);
        assertThat(MayanDialect.beforeSourcesApi("4.4.16")).isTrue();
        assertThat(MayanDialect.beforeSourcesApi("4.5.0")).isFalse();
        assertThat(MayanDialect.beforeSourcesApi("4.12.2")).isFalse();
    }

    @Test
    void byDefaultTheWebFormSourceDefaultIsChosenOverOthers() {
        mayan.addWatchFolderSource("Aaa watch folder");
        MayanDialect d = client(null).detect(project());
        assertThat(d.viaSources()).isTrue();
        assertThat(d.sourceId()).isEqualTo(1);
        assertThat(d.sourceFiles()).isTrue();
        assertThat(d.mode()).contains("source \"Default\", id 1");
    }

    @Test
    void theConfiguredUploadSourceIsUsedByLabel() throws Exception {
        long scanner = mayan.addWebFormSource("Scanner");
        MayanClient client = client("Scanner");
        assertThat(client.detect(project()).sourceId()).isEqualTo(scanner);
        Path file = Files.writeString(dir.resolve("a.txt"), "hello", StandardCharsets.UTF_8);
        JsonNode doc = client.uploadDocument(1, file, "a.txt", null, null, null);
        assertThat(doc.path("label").asText()).isEqualTo("a.txt");
        assertThat(mayan.count("POST", FakeMayan.sourceActionPath(scanner, "document_upload"))).isEqualTo(1);
        assertThat(mayan.count("POST", "/api/v4/documents/upload/")).isZero();
    }

    @Test
    void aConfiguredUploadSourceThatIsMissingOrUnusableIsRefusedNamingTheSetting() {
        MayanDialect missing = client("Scanner").detect(project());
        assertThat(missing.refused()).isTrue();
        assertThat(missing.refusal()).contains("mayan.upload-source \"Scanner\"").contains("\"Default\" (id 1)");
        assertThat(missing.refusalFix()).contains("mayan.upload-source");

        mayan.addWatchFolderSource("Watch");
        assertThat(client("Watch").detect(project()).refusal()).contains("without a document_upload action");

        long off = mayan.addWebFormSource("Off");
        mayan.setSourceEnabled(off, false);
        assertThat(client("Off").detect(project()).refusal()).contains("disabled");
    }

    @Test
    void withoutAUsableSourceTheFallbackIsDocumentsUploadWithTheReason() throws Exception {
        mayan.removeSources();
        mayan.addWatchFolderSource("Watch");
        MayanClient client = client(null);
        MayanDialect d = client.detect(project());
        assertThat(d.viaSources()).isFalse();
        assertThat(d.fallbackReason()).contains("no enabled source offers document_upload").contains("\"Watch\" (id 2)");
        Path file = Files.writeString(dir.resolve("b.txt"), "hello", StandardCharsets.UTF_8);
        client.uploadDocument(1, file, "b.txt", "B", null, null);
        assertThat(mayan.count("POST", "/api/v4/documents/upload/")).isEqualTo(1);

        mayan.removeSources();
        assertThat(client.detect(project()).fallbackReason()).contains("sees no sources");
    }

    @Test
    void anUnsupportedReleaseGetsNoUpload() throws Exception {
        mayan.setVersion("4.3.3");
        MayanClient client = client(null);
        assertThat(client.detect(project()).refused()).isTrue();
        Path file = Files.writeString(dir.resolve("c.txt"), "hello", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client.uploadDocument(1, file, "c.txt", null, null, null))
                .isInstanceOf(MayanException.class).hasMessageContaining("4.4.0 .. 4.12.x");
        assertThat(mayan.documents()).isEmpty();
    }

    @Test
    void aSourceThatWentAwayIsLookedForAgain() throws Exception {
        MayanClient client = client(null);
        client.detect(project());
        mayan.setSourceEnabled(1, false);
        Path file = Files.writeString(dir.resolve("d.txt"), "hello", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client.uploadDocument(1, file, "d.txt", null, null, null))
                .isInstanceOfSatisfying(MayanException.class, e -> {
                    assertThat(e.isServiceLevel()).isTrue();
                    assertThat(e.isNotFound()).as("not the document type's 404").isFalse();
                    assertThat(e.reason()).contains("\"Default\" (id 1)").contains("gone, disabled");
                });
        assertThat(client.currentDialect()).isNull();
        client.uploadDocument(1, file, "d.txt", null, null, null);
        assertThat(mayan.count("POST", "/api/v4/documents/upload/")).as("re-detected: the fallback").isEqualTo(1);
    }

    @Test
    void onMayan45ASourceThatWentAwayIsToldFromAMissingTypeThoughBoth404sSayOnlyNotFound() throws Exception {
        mayan.setVersion("4.5.7");
        MayanClient client = client(null);
        assertThat(client.detect(project()).viaSources()).isTrue();
        Path file = Files.writeString(dir.resolve("f.txt"), "hello", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client.uploadDocument(99999, file, "f.txt", null, null, null))
                .isInstanceOfSatisfying(MayanException.class, e -> {
                    assertThat(e.detail()).isEqualTo("Not found.");
                    assertThat(e.isServiceLevel()).as("the document type's 404: the item's fault").isFalse();
                });
        assertThat(client.currentDialect()).as("the source is still there").isNotNull();

        mayan.setSourceEnabled(1, false);
        assertThatThrownBy(() -> client.uploadDocument(1, file, "f.txt", null, null, null))
                .isInstanceOfSatisfying(MayanException.class, e -> {
                    assertThat(e.isServiceLevel()).isTrue();
                    assertThat(e.reason()).contains("\"Default\" (id 1)").contains("gone, disabled");
                });
        assertThat(client.currentDialect()).isNull();
        assertThat(mayan.documents()).isEmpty();
    }

    private JsonNode project() {
        return client(null).get("project/", Map.of());
    }

    private MayanClient client(String uploadSource) {
        return new MayanClient(TestMayanConfig.of(mayan.baseUrl()).withUploadSource(uploadSource), new ObjectMapper());
    }
}
