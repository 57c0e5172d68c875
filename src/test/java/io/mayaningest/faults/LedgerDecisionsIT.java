package io.mayaningest.faults;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.Test;

/**
 * How the ledger decides what an item is, with the packaged service as a process and real files:
 * the content decides, not only the name, size and time stamp; a file is acknowledged only as the
 * content Mayan confirmed; an interrupted upload adopts only its own document; duplicates=skip holds
 * for items in flight at the same time; odd and long paths are stored and replayed as they are.
 */
class LedgerDecisionsIT {

    private static final String OPERATOR_TOKEN = "operator-" + UUID.randomUUID();
    private static final String UPLOAD = FakeMayan.DOCUMENT_UPLOAD;

    /** A plain folder source (Default type, label = file name, recursive) in the run's work directory. */
    private static Map<String, String> plain(Path folder, String... extra) {
        Map<String, String> config = new HashMap<>(Map.of(
                "ingest.sources.plain.kind", "file",
                "ingest.sources.plain.path", folder.toString(),
                "ingest.sources.plain.poll-interval", "200ms",
                "ingest.sources.plain.stable-for", "300ms",
                "ingest.sources.plain.recursive", "true",
                "ingest.operator.token", OPERATOR_TOKEN));
        for (int i = 0; i < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    /** Like a copy that keeps the time stamp (cp -p, rsync, unzip): written aside, stamped, renamed into place. */
    private static Path dropWithTime(Path folder, String name, byte[] content, FileTime time) throws IOException {
        Path temp = folder.resolve(".part-" + System.nanoTime());
        Files.write(temp, content);
        Files.setLastModifiedTime(temp, time);
        return Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<FakeDocument> withChecksum(FaultRun run, byte[] content) {
        return run.mayan.documents().stream()
                .filter(d -> d.latestFile().map(f -> sha256(content).equals(f.checksum())).orElse(false)).toList();
    }

    private static long files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aFileWithTheSameNameSizeAndTimeButOtherContentIsUploaded() throws Exception {
        try (FaultRun run = new FaultRun("same-key")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            String marker = UUID.randomUUID().toString();
            byte[] first = pdf("scan A " + marker);
            byte[] second = pdf("scan B " + marker);
            assertThat(second).hasSameSizeAs(first);
            FileTime time = FileTime.fromMillis(1_700_000_000_000L);

            dropWithTime(plain, "scan.pdf", first, time);
            awaitDone(plain, "scan.pdf");
            // The scanner writes its next page under the same name; size and time stamp happen to be equal.
            dropWithTime(plain, "scan.pdf", second, time);

            await().atMost(Duration.ofSeconds(60)).until(() -> !withChecksum(run, second).isEmpty()
                    && !Files.exists(plain.resolve("scan.pdf")) && files(plain.resolve(".done")) == 2);
            assertThat(withChecksum(run, first)).hasSize(1);
            assertThat(withChecksum(run, second)).hasSize(1);
            assertThat(run.mayan.count("POST", UPLOAD)).isEqualTo(2);
        }
    }

    @Test
    void aFileOverwrittenWhileMayanConfirmsItIsIngestedAgainNotMovedAway() throws Exception {
        try (FaultRun run = new FaultRun("overwrite")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            byte[] first = pdf("report v1 " + UUID.randomUUID());
            byte[] second = pdf("report v2 " + UUID.randomUUID() + " with more text");
            run.mayan.setProcessingPaused(true);
            drop(plain, "report.pdf", first);
            // Uploaded; Mayan's workers hold the file, so the service is polling for its checksum.
            await().atMost(Duration.ofSeconds(30)).until(() -> run.mayan.count("POST", UPLOAD) == 1);
            drop(plain, "report.pdf", second);
            run.mayan.setProcessingPaused(false);

            await().atMost(Duration.ofSeconds(60)).until(() -> !withChecksum(run, second).isEmpty()
                    && Files.exists(plain.resolve(".done").resolve("report.pdf")));
            assertThat(withChecksum(run, first)).hasSize(1);
            assertThat(Files.readAllBytes(plain.resolve(".done").resolve("report.pdf"))).isEqualTo(second);
            assertThat(run.service.logText()).contains("changed while Mayan confirmed it");
        }
    }

    @Test
    void anInterruptedUploadAdoptsOnlyADocumentProvedToBeItsOwn() throws Exception {
        try (FaultRun run = new FaultRun("adopt")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain, "mayan.read-timeout", "3s")).start();
            run.mayan.setProcessingPaused(true);
            // Another client's scan.pdf, whose checksum Mayan has not computed yet.
            long foreign = run.mayan.uploadDocument(1, "scan.pdf", pdf("someone else's scan " + UUID.randomUUID()),
                    "scan.pdf");
            // Our upload's answer is lost (Mayan answers after the service gave up) but Mayan creates it.
            run.mayan.stallNext("POST", UPLOAD, Duration.ofSeconds(8), 1);
            byte[] ours = pdf("our scan " + UUID.randomUUID());
            drop(plain, "scan.pdf", ours);

            await().atMost(Duration.ofSeconds(60)).until(() -> run.mayan.documents().stream()
                    .filter(d -> d.label().equals("scan.pdf")).count() == 2);
            run.mayan.setProcessingPaused(false);

            awaitDone(plain, "scan.pdf");
            assertThat(run.mayan.count("POST", UPLOAD)).isEqualTo(1);
            assertThat(withChecksum(run, ours)).hasSize(1);
            long adopted = withChecksum(run, ours).get(0).id();
            assertThat(adopted).isNotEqualTo(foreign);
            assertThat(run.service.logText()).contains("adopted document " + adopted)
                    .doesNotContain("delete document " + foreign);
            assertThat(run.mayan.document(foreign)).isPresent();
        }
    }

    @Test
    void identicalFilesDroppedTogetherBecomeOneDocumentWithSkip() throws Exception {
        try (FaultRun run = new FaultRun("together")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            byte[] content = pdf("twice " + UUID.randomUUID());
            run.mayan.setProcessingPaused(true);
            drop(plain, "copy-1.pdf", content);
            drop(plain, "copy-2.pdf", content);
            // Both are taken while the first is in flight: the second either uploads too (the defect) or waits.
            await().atMost(Duration.ofSeconds(60)).until(() -> run.mayan.count("POST", UPLOAD) >= 2
                    || run.service.logText().contains("has the same content as"));
            run.mayan.setProcessingPaused(false);

            awaitDone(plain, "copy-1.pdf");
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(plain.resolve(".done").resolve("copy-2.pdf")));
            assertThat(run.mayan.count("POST", UPLOAD)).isEqualTo(1);
            assertThat(withChecksum(run, content)).hasSize(1);
        }
    }

    @Test
    void aFileRenamedAfterItsUploadIsNotUploadedAgainWithSkip() throws Exception {
        try (FaultRun run = new FaultRun("renamed")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            byte[] content = pdf("renamed " + UUID.randomUUID());
            run.mayan.setProcessingPaused(true);
            drop(plain, "draft.pdf", content);
            await().atMost(Duration.ofSeconds(30)).until(() -> run.mayan.count("POST", UPLOAD) == 1);
            Files.move(plain.resolve("draft.pdf"), plain.resolve("final.pdf"));
            await().atMost(Duration.ofSeconds(60)).until(() -> run.mayan.count("POST", UPLOAD) >= 2
                    || run.service.logText().contains("has the same content as"));
            run.mayan.setProcessingPaused(false);

            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(plain.resolve(".done").resolve("final.pdf")));
            assertThat(run.mayan.count("POST", UPLOAD)).isEqualTo(1);
            assertThat(withChecksum(run, content)).hasSize(1);
        }
    }

    /**
     * The item that held the content died with the service and its file was taken away: the copy that
     * comes later waits for it only for mayan.interrupted-upload-grace (5 s here), then is uploaded.
     */
    @Test
    void aCrashedHolderOfTheContentDoesNotBlockACopyForEver() throws Exception {
        try (FaultRun run = new FaultRun("holder-died")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            byte[] content = pdf("holder " + UUID.randomUUID());
            run.mayan.setProcessingPaused(true);
            drop(plain, "first.pdf", content);
            await().atMost(Duration.ofSeconds(30)).until(() -> run.mayan.count("POST", UPLOAD) == 1);
            run.service.kill();
            Files.delete(plain.resolve("first.pdf"));
            run.mayan.setProcessingPaused(false);
            run.service.start();

            drop(plain, "second.pdf", content);
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(plain.resolve(".done").resolve("second.pdf")));
        }
    }

    @Test
    void aQuarantinedFileWithAPipeInItsNameIsReplayedUnderItsOwnName() throws Exception {
        try (FaultRun run = new FaultRun("pipe")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            String name = "invoice|2026|march.pdf";
            drop(plain, name + ".json", "{\"tags\": [\"march-close\"]}");
            drop(plain, name, pdf("pipe " + UUID.randomUUID()));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(plain.resolve(".error").resolve(name + ".error.json")));

            run.mayan.createTag("march-close");
            HttpResponse<String> replay = operatorPost(run, "/api/quarantine/replay", "{\"reason\": \"tag created\"}");
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);

            awaitDone(plain, name);
            assertThat(run.mayan.documentByLabel(name)).isPresent();
            assertThat(plain.resolve("invoice")).doesNotExist();
        }
    }

    @Test
    void aFileBelowAPathLongerThanTheLedgersKeyColumnIsIngested() throws Exception {
        try (FaultRun run = new FaultRun("long-path")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            run.service(plain(plain)).start();
            Path deep = plain;
            for (int i = 0; i < 11; i++) {
                deep = deep.resolve(i + "-" + "d".repeat(200));
            }
            Files.createDirectories(deep);
            assertThat(plain.relativize(deep).toString().length()).isGreaterThan(2000);
            byte[] content = pdf("deep " + UUID.randomUUID());
            drop(deep, "deep.pdf", content);

            Path done = plain.resolve(".done").resolve(plain.relativize(deep)).resolve("deep.pdf");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(done));
            assertThat(withChecksum(run, content)).hasSize(1);
        }
    }

    private static HttpResponse<String> operatorPost(FaultRun run, String path, String json) throws Exception {
        String url = run.service.baseUrl() + path;
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + OPERATOR_TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
