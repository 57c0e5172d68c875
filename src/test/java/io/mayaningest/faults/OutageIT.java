package io.mayaningest.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Mayan unreachable in the middle of a run (200 files, 2 minutes by default;
 * {@code -Dingest.it.outage-files}, {@code -Dingest.it.outage-seconds}): the sources pause, readiness
 * says why, nothing is quarantined for the outage, and everything arrives once Mayan is back.
 */
class OutageIT {

    @Test
    void everythingArrivesAfterAnOutageAndNothingIsQuarantinedForIt() throws Exception {
        int files = Integer.getInteger("ingest.it.outage-files", 200);
        int outageSeconds = Integer.getInteger("ingest.it.outage-seconds", 120);
        try (FaultRun run = new FaultRun("outage")) {
            run.service(Map.of()).start();
            run.dropDrawings(0, files);
            await().atMost(Duration.ofMinutes(5)).until(() -> {
                assertThat(run.errorCount()).as("files in error/ (see %s)", run.service.log()).isZero();
                return run.doneCount() >= files / 4;
            });

            run.mayan.setUnreachable(true);
            long doneAtOutage = run.doneCount();
            await().atMost(Duration.ofSeconds(30)).until(() -> run.service.status("/q/health/ready") == 503);
            assertThat(run.service.get("/q/health/ready")).contains("did not answer").contains("sourcesPausedSince");
            // Hold the outage; the files wait in the folder, none goes to error/.
            await().during(Duration.ofSeconds(outageSeconds)).atMost(Duration.ofSeconds(outageSeconds + 30))
                    .until(() -> run.errorCount() == 0);
            assertThat(run.errorCount()).isZero();
            assertThat(run.doneCount()).isLessThanOrEqualTo(doneAtOutage + 4);

            run.mayan.setUnreachable(false);
            await().atMost(Duration.ofMinutes(5)).until(() -> run.doneCount() == files);
            await().atMost(Duration.ofSeconds(30)).until(() -> run.service.status("/q/health/ready") == 200);

            FaultRun.Counts counts = run.count();
            System.out.println(counts.line("Mayan unreachable for " + outageSeconds + " s during " + files + " files"));
            assertThat(run.errorCount()).isZero();
            assertThat(counts.found()).isEqualTo(files);
            assertThat(counts.complete()).isEqualTo(files);
            assertThat(counts.duplicated()).isZero();
            assertThat(counts.lost()).isZero();
            assertThat(run.service.logText()).contains("Sources paused").contains("sources resume");
        }
    }
}
