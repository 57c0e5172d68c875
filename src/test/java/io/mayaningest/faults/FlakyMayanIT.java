package io.mayaningest.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * A flaky Mayan: 20 % of all calls (uploads, polls, metadata, tags, cabinets, lookups, probes) are
 * answered with a 500, a 503, a 429 with {@code Retry-After}, or stall for 30 s, while the service
 * ingests 50 drawings ({@code -Dingest.it.flaky-files}, {@code -Dingest.it.flaky-rate},
 * {@code -Dingest.it.flaky-seed}). Every file arrives exactly once and complete, none is quarantined.
 * <p>
 * The stall is longer than {@code mayan.read-timeout}, so the service gives up on the request while
 * Mayan still carries it out: a timed-out upload creates its document 30 s later anyway. That is the
 * case {@code UPLOADING} and {@code mayan.interrupted-upload-grace} (longer than the stall) exist for:
 * the service adopts that document instead of uploading a second one.
 */
class FlakyMayanIT {

    private static final Duration STALL = Duration.ofSeconds(30);

    @Test
    void everyFileArrivesExactlyOnceThoughAFifthOfMayanCallsFail() throws Exception {
        int files = Integer.getInteger("ingest.it.flaky-files", 50);
        double rate = Double.parseDouble(System.getProperty("ingest.it.flaky-rate", "0.2"));
        long seed = Long.getLong("ingest.it.flaky-seed", System.nanoTime());
        System.out.println("FAULTS: flaky Mayan seed " + seed);
        try (FaultRun run = new FaultRun("flaky")) {
            run.mayan.setRandomFaults(rate, seed, STALL);
            run.service(Map.of(
                    // Shorter than the stall, so a stalled call becomes a timeout the service must survive.
                    "mayan.read-timeout", "5s",
                    // Longer than the stall: a timed-out upload still lands in Mayan within it, and is adopted.
                    "mayan.interrupted-upload-grace", "40s",
                    // 20 % of calls failing means several failures in a row are ordinary; after the last
                    // retry the file would only wait for the next poll, which is slower, not wrong.
                    "mayan.max-retries", "30")).start();
            run.dropDrawings(0, files);
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> run.doneCount() + run.errorCount() >= files);
            run.mayan.clearRandomFaults();

            FaultRun.Counts counts = run.count();
            Map<String, Integer> injected = run.mayan.randomFaultCounts();
            int adopted = occurrences(run.service.logText(), "adopted document \\d+ created by the interrupted upload");
            System.out.println(counts.line(files + " files, " + Math.round(rate * 100) + " % of "
                    + run.mayan.requests().size() + " Mayan calls failed " + injected + ", " + adopted
                    + " timed-out uploads adopted"));
            assertThat(run.errorCount()).as("files in error/ (see %s)", run.service.log()).isZero();
            assertThat(run.doneCount()).isEqualTo(files);
            assertThat(counts.found()).isEqualTo(counts.expected());
            assertThat(counts.complete()).as("complete documents (checksum, metadata, tags, cabinet)").isEqualTo(files);
            assertThat(counts.duplicated()).as("duplicated documents, seed %d", seed).isZero();
            assertThat(counts.lost()).isZero();
            assertThat(injected.keySet()).as("every kind of fault was injected").contains("500", "503", "429", "stall");
        }
    }

    private static int occurrences(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
