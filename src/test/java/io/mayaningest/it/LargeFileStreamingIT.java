package io.mayaningest.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.Test;

/**
 * Streaming, shown rather than promised: a file far larger than the heap (1 GiB by default,
 * {@code -Dingest.it.large-file-mb=N}) is ingested by the packaged service running with
 * {@code -Xmx96m}. Prints size, time, throughput and the service's peak RSS.
 */
class LargeFileStreamingIT {

    private static final String TOKEN = "it-token";

    @Test
    void aFileMuchLargerThanTheHeapIsIngested() throws Exception {
        long megabytes = Long.getLong("ingest.it.large-file-mb", 1024);
        Path work = Files.createDirectories(Path.of("target", "it", "large-" + UUID.randomUUID()).toAbsolutePath());
        Path inbox = Files.createDirectories(work.resolve("inbox"));
        Path staging = work.resolve(".staging.bin");
        String sha256 = write(staging, megabytes);

        try (FakeMayan mayan = FakeMayan.start().withToken(TOKEN)) {
            ServiceProcess service = new ServiceProcess(work, Map.of(
                    "mayan.url", mayan.baseUrl(),
                    "mayan.poll-initial-delay", "200ms",
                    "ingest.sources.inbox.kind", "file",
                    "ingest.sources.inbox.path", inbox.toString(),
                    "ingest.sources.inbox.poll-interval", "200ms",
                    "ingest.sources.inbox.stable-for", "300ms"),
                    Map.of("MAYAN_TOKEN", TOKEN), List.of("-Xmx96m", "-XX:+UseSerialGC"));
            try {
                service.start();
                long start = System.nanoTime();
                Files.move(staging, inbox.resolve("large.bin"), StandardCopyOption.ATOMIC_MOVE);
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    service.sampleRss();
                    return Files.exists(inbox.resolve(".done").resolve("large.bin"));
                });
                double seconds = (System.nanoTime() - start) / 1e9;

                FakeDocument doc = mayan.documentByLabel("large.bin").orElseThrow();
                assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256);
                assertThat(service.logText()).doesNotContain("OutOfMemoryError");
                System.out.printf("%nSTREAMING: %d MiB ingested with -Xmx96m in %.1f s (%.1f MiB/s), "
                        + "service peak RSS %d MiB%n%n", megabytes, seconds, megabytes / seconds,
                        service.peakRssKb() / 1024);
            } finally {
                service.stop();
                Files.deleteIfExists(inbox.resolve(".done").resolve("large.bin"));
            }
        }
    }

    /** Pseudo-random content (not zeros, so nothing along the way can compress it away). */
    private static String write(Path file, long megabytes) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[1024 * 1024];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long i = 0; i < megabytes; i++) {
                random.nextBytes(block);
                out.write(block);
                digest.update(block);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
