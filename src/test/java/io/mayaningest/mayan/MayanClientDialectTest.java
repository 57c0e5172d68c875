package io.mayaningest.mayan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.testing.FakeMayan;
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
    void theSupportedRangeIs45To412() {
        assertThat(MayanDialect.unsupported("4.5.0")).isNull();
        assertThat(MayanDialect.unsupported("4.5.7")).isNull();
        assertThat(MayanDialect.unsupported("4.10.6")).isNull();
        assertThat(MayanDialect.unsupported("4.12.2")).isNull();
        assertThat(MayanDialect.unsupported("4.4.16")).contains("older").contains("4.5.0 .. 4.12.x");
        assertThat(MayanDialect.unsupported("3.5.11")).contains("older");
        assertThat(MayanDialect.unsupported("4.13.0")).contains("newer");
        assertThat(MayanDialect.unsupported("5.0")).contains("newer");
        assertThat(MayanDialect.unsupported(null)).contains("did not report");
        assertThat(MayanDialect.unsupported("unknown")).contains("did not report");
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
        mayan.setVersion("4.4.16");
        MayanClient client = client(null);
        assertThat(client.detect(project()).refused()).isTrue();
        Path file = Files.writeString(dir.resolve("c.txt"), "hello", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client.uploadDocument(1, file, "c.txt", null, null, null))
                .isInstanceOf(MayanException.class).hasMessageContaining("4.5.0 .. 4.12.x");
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

    private JsonNode project() {
        return client(null).get("project/", Map.of());
    }

    private MayanClient client(String uploadSource) {
        String url = mayan.baseUrl();
        return new MayanClient(new MayanConfig() {
            public String url() { return url; }
            public Optional<String> token() { return Optional.of("t"); }
            public Optional<String> username() { return Optional.empty(); }
            public Optional<String> password() { return Optional.empty(); }
            public Optional<String> trustStore() { return Optional.empty(); }
            public Optional<String> trustStorePassword() { return Optional.empty(); }
            public String trustStoreType() { return "PKCS12"; }
            public Duration connectTimeout() { return Duration.ofSeconds(5); }
            public Duration readTimeout() { return Duration.ofSeconds(10); }
            public Duration lookupCacheTtl() { return Duration.ofMinutes(1); }
            public Duration pollInitialDelay() { return Duration.ofMillis(100); }
            public Duration pollMaxDelay() { return Duration.ofSeconds(1); }
            public Duration fileTimeout() { return Duration.ofMinutes(1); }
            public int maxRetries() { return 1; }
            public Duration retryInitialDelay() { return Duration.ofMillis(100); }
            public Duration interruptedUploadGrace() { return Duration.ofSeconds(5); }
            public int maxInFlight() { return 1; }
            public Duration healthInterval() { return Duration.ofSeconds(5); }
            public Duration retryMaxDelay() { return Duration.ofSeconds(1); }
            public Optional<String> uploadSource() { return Optional.ofNullable(uploadSource); }
            public Optional<String> userAgent() { return Optional.empty(); }
        }, new ObjectMapper());
    }
}
