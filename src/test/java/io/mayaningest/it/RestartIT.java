package io.mayaningest.it;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.Fixtures;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The packaged service as a process: a crash between upload and confirmation, and a Mayan that is down. */
class RestartIT {

    private static final String TOKEN = "it-token";

    private FakeMayan mayan;
    private Path work;
    private Path inbox;

    @BeforeEach
    void setUp() throws Exception {
        mayan = FakeMayan.start().withToken(TOKEN);
        Fixtures.create(mayan);
        work = Files.createDirectories(Path.of("target", "it", "restart-" + UUID.randomUUID()).toAbsolutePath());
        inbox = work.resolve("inbox");
    }

    @AfterEach
    void tearDown() {
        mayan.close();
    }

    private Map<String, String> config(String mayanUrl) {
        return Map.of(
                "mayan.url", mayanUrl,
                "mayan.poll-initial-delay", "100ms",
                "mayan.poll-max-delay", "300ms",
                "mayan.retry-initial-delay", "100ms",
                "ingest.sources.inbox.kind", "file",
                "ingest.sources.inbox.path", inbox.toString(),
                "ingest.sources.inbox.poll-interval", "200ms",
                "ingest.sources.inbox.stable-for", "300ms");
    }

    @Test
    void aCrashBetweenUploadAndConfirmationDoesNotUploadTwice() throws Exception {
        mayan.setProcessingPaused(true);
        ServiceProcess service = new ServiceProcess(work, config(mayan.baseUrl()), Map.of("MAYAN_TOKEN", TOKEN),
                List.of("-Xmx128m"));
        try {
            service.start();
            String name = "crash-" + UUID.randomUUID() + ".pdf";
            byte[] content = pdf(name);
            drop(inbox, name, content);

            // Uploaded, and the service is polling for a file Mayan has not processed yet: crash now.
            await().atMost(Duration.ofSeconds(30)).until(() -> mayan.count("GET", "/api/v4/documents/\\d+/files/") >= 2);
            assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD)).isEqualTo(1);
            service.kill();
            assertThat(inbox.resolve(name)).exists();

            mayan.setProcessingPaused(false);
            service.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(inbox.resolve(".done").resolve(name)));
            assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD)).isEqualTo(1);
            List<FakeDocument> docs = mayan.documents().stream().filter(d -> d.label().equals(name)).toList();
            assertThat(docs).hasSize(1);
            assertThat(docs.get(0).files()).hasSize(1);
            assertThat(docs.get(0).latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
            assertThat(service.logText()).contains("resumes at UPLOADED");
        } finally {
            service.stop();
        }
    }

    @Test
    void withMayanUnreachableTheServiceStartsNotReadyAndLeavesFilesInPlace() throws Exception {
        ServiceProcess service = new ServiceProcess(work, config("http://127.0.0.1:9"), Map.of("MAYAN_TOKEN", TOKEN),
                List.of("-Xmx128m"));
        try {
            service.start();
            drop(inbox, "waiting.pdf", pdf("waiting"));

            assertThat(service.status("/q/health/live")).isEqualTo(200);
            assertThat(service.status("/q/health/ready")).isEqualTo(503);
            assertThat(service.get("/q/health/ready")).contains("did not answer");
            // The sources pause: the file is not even read while Mayan does not answer.
            await().atMost(Duration.ofSeconds(20)).until(() -> service.logText().contains("Sources paused"));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                    Files.exists(inbox.resolve("waiting.pdf")) && !Files.exists(inbox.resolve(".error")));
            assertThat(inbox.resolve("waiting.pdf")).exists();
            assertThat(inbox.resolve(".error")).doesNotExist();
        } finally {
            service.stop();
        }
    }
}
