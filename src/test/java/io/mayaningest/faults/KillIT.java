package io.mayaningest.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The service killed with SIGKILL at random moments (during uploads, polls, metadata calls, moves)
 * and restarted each time, while it ingests 200 drawings ({@code -Dingest.it.kill-files},
 * {@code -Dingest.it.kills}, {@code -Dingest.it.kill-seed}): exactly one complete document per file.
 */
class KillIT {

    @Test
    void killedTwentyTimesItStillIngestsEveryFileExactlyOnce() throws Exception {
        int files = Integer.getInteger("ingest.it.kill-files", 200);
        int kills = Integer.getInteger("ingest.it.kills", 20);
        long seed = Long.getLong("ingest.it.kill-seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("FAULTS: kill test seed " + seed);
        try (FaultRun run = new FaultRun("kill")) {
            run.service(Map.of()).start();
            run.dropDrawings(0, files);
            for (int i = 0; i < kills && run.doneCount() < files; i++) {
                // Killed at a random point of the run: once 1 to 12 more files are done than at the last kill
                // (or as many as there are), so every start makes progress and the kills spread over the run.
                long target = Math.min(files, run.doneCount() + 1 + random.nextInt(12));
                await().atMost(Duration.ofMinutes(2)).until(() -> run.doneCount() >= target);
                run.service.kill();
                run.service.start();
            }
            try {
                await().atMost(Duration.ofMinutes(5)).until(() -> run.doneCount() + run.errorCount() >= files);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("after the last kill the run did not finish in 5 minutes (seed " + seed + "): "
                        + run.stallReport(files), e);
            }

            FaultRun.Counts counts = run.count();
            System.out.println(counts.line(files + " files, " + (run.service.starts() - 1) + " SIGKILLs"));
            assertThat(run.errorCount()).as("files in error/ (see %s)", run.service.log()).isZero();
            assertThat(run.doneCount()).isEqualTo(files);
            assertThat(counts.duplicated()).as("duplicated documents, seed %d", seed).isZero();
            assertThat(counts.lost()).isZero();
            assertThat(counts.complete()).isEqualTo(files);
        }
    }
}
