package io.mayaningest.it;

import static io.mayaningest.testing.UploadClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.UploadClient;
import org.junit.jupiter.api.Test;

/**
 * The upload API streams, shown rather than promised: a 1 GiB file ({@code -Dingest.it.large-file-mb=N})
 * POSTed to a {@code kind=http} source of the packaged service running with {@code -Xmx96m}, followed
 * to done through its status URL. Prints the time to the 202, to done, and the service's peak RSS.
 */
class UploadApiLargeFileIT {

    private static final String TOKEN = "it-token";
    private static final String CLIENT_TOKEN = "client-" + UUID.randomUUID();

    @Test
    void aFileMuchLargerThanTheHeapIsUploadedThroughTheApi() throws Exception {
        long megabytes = Long.getLong("ingest.it.large-file-mb", 1024);
        Path work = Files.createDirectories(Path.of("target", "it", "upload-large-" + UUID.randomUUID()).toAbsolutePath());
        Path file = work.resolve("large.bin");
        String sha256 = write(file, megabytes);

        try (FakeMayan mayan = FakeMayan.start().withToken(TOKEN)) {
            ServiceProcess service = new ServiceProcess(work, Map.of(
                    "mayan.url", mayan.baseUrl(),
                    "mayan.poll-initial-delay", "200ms",
                    "ingest.api-clients.bulk-loader.token", CLIENT_TOKEN,
                    "ingest.sources.bulk.kind", "http",
                    "ingest.sources.bulk.clients", "bulk-loader",
                    "ingest.sources.bulk.max-file-size", String.valueOf((megabytes + 1) * 1024 * 1024)),
                    Map.of("MAYAN_TOKEN", TOKEN), List.of("-Xmx96m", "-XX:+UseSerialGC"));
            try {
                service.start();
                UploadClient client = new UploadClient(service.baseUrl(), bearer(CLIENT_TOKEN));
                long start = System.nanoTime();
                UploadClient.Answer accepted = client.upload("bulk", "large.bin", file,
                        List.of(UploadClient.field("label", "Large upload")), null);
                double toAccepted = (System.nanoTime() - start) / 1e9;
                assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
                service.sampleRss();
                JsonNode status = client.awaitFinal(accepted.body().path("statusUrl").asText(), Duration.ofMinutes(10));
                double toDone = (System.nanoTime() - start) / 1e9;

                assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("done");
                assertThat(status.path("checksum").asText()).isEqualTo(sha256);
                FakeDocument doc = mayan.document(status.path("documentId").asLong()).orElseThrow();
                assertThat(doc.label()).isEqualTo("Large upload");
                assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256);
                assertThat(service.logText()).doesNotContain("OutOfMemoryError");
                // The spooled copy is removed once Mayan confirmed it.
                try (var spooled = Files.walk(work.resolve("data").resolve("spool"))) {
                    assertThat(spooled.filter(Files::isRegularFile).toList()).isEmpty();
                }
                System.out.printf("%nUPLOAD API STREAMING: %d MiB POSTed with -Xmx96m: 202 after %.1f s (%.1f MiB/s),"
                        + " done after %.1f s, service peak RSS %d MiB%n%n", megabytes, toAccepted, megabytes / toAccepted,
                        toDone, service.peakRssKb() / 1024);
            } finally {
                service.stop();
                Files.deleteIfExists(file);
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
