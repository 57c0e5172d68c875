package io.mayaningest.faults;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The disk under ingest.data-dir fills up and is freed again, for real: the data directory is a small
 * tmpfs mounted for this test (so it needs root; skipped otherwise). While the ledger cannot write,
 * readiness is DOWN with the reason and the fix and the file waits in its folder; once space is back
 * the ledger works again without a restart and the file is ingested.
 */
class LedgerDiskFullIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFullDiskMakesTheServiceUnreadyAndTheLedgerRecoversOnceSpaceIsBack() throws Exception {
        Assumptions.assumeTrue("0".equals(run("id", "-u").strip()),
                "SKIPPED: mounting a small tmpfs for the data directory needs root (id -u is not 0)");
        try (FaultRun run = new FaultRun("disk-full")) {
            Path mount = Files.createDirectories(run.work.resolve("data-mount"));
            String mounted = run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
            Assumptions.assumeTrue(mounted.isEmpty() || isMounted(mount),
                    "SKIPPED: could not mount a tmpfs (" + mounted + ")");
            try {
                Path plain = Files.createDirectories(run.work.resolve("plain"));
                run.service(Map.of("ingest.data-dir", mount.resolve("data").toString(),
                        "ingest.sources.plain.kind", "file",
                        "ingest.sources.plain.path", plain.toString(),
                        "ingest.sources.plain.poll-interval", "200ms",
                        "ingest.sources.plain.stable-for", "300ms")).start();
                drop(plain, "before.pdf", pdf("before " + UUID.randomUUID()));
                awaitDone(plain, "before.pdf");
                await().atMost(Duration.ofSeconds(30)).until(() -> run.service.status("/q/health/ready") == 200);

                Path filler = mount.resolve("filler");
                fill(filler);
                drop(plain, "during.pdf", pdf("during " + UUID.randomUUID()));
                // Readiness is cached for a moment, and the datasource's own check may say DOWN first: wait for ours.
                await().atMost(Duration.ofSeconds(60)).until(() -> "DOWN".equals(ledgerCheck(run).path("status").asText()));
                JsonNode ledger = ledgerCheck(run);
                System.out.println("DISK FULL readiness: " + ledger);
                assertThat(run.service.status("/q/health/ready")).isEqualTo(503);
                assertThat(ledger.path("data").path("reason").asText()).contains("the ledger cannot write");
                assertThat(ledger.path("data").path("fix").asText()).contains("free space", mount.resolve("data").toString());
                assertThat(plain.resolve("during.pdf")).exists();
                assertThat(plain.resolve(".error").resolve("during.pdf")).doesNotExist();

                // Some time full, with the file retried meanwhile: it is still in its folder, nothing quarantined.
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15)).until(() ->
                        Files.exists(plain.resolve("during.pdf")) && !Files.exists(plain.resolve(".error").resolve("during.pdf")));
                assertThat(plain.resolve("during.pdf")).exists();
                assertThat(ledgerCheck(run).path("status").asText()).isEqualTo("DOWN");

                Files.delete(filler);
                await().atMost(Duration.ofSeconds(60)).until(() -> run.service.status("/q/health/ready") == 200);
                System.out.println("DISK FREED readiness: " + ledgerCheck(run));
                awaitDone(plain, "during.pdf");
                assertThat(run.mayan.documentByLabel("during.pdf")).isPresent();
                drop(plain, "after.pdf", pdf("after " + UUID.randomUUID()));
                awaitDone(plain, "after.pdf");
                assertThat(run.service.starts()).isEqualTo(1);
            } finally {
                if (run.service != null) {
                    run.service.stop();
                }
                run("umount", "-l", mount.toString());
            }
        }
    }

    /** Writes until the file system says no space is left. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private static JsonNode ledgerCheck(FaultRun run) throws Exception {
        return check(JSON.readTree(run.service.get("/q/health/ready")), "ledger");
    }

    private static boolean isMounted(Path mount) throws Exception {
        return run("findmnt", "-n", mount.toString()).contains("tmpfs");
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no readiness check " + name + " in " + health);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
