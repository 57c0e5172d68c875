package io.mayaningest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.time.Duration;

import io.mayaningest.config.MayanConfig;
import org.junit.jupiter.api.Test;

/** FileAwaiter's first look: Mayan's processing time as a line over the files awaiting ahead. */
class FileAwaiterEstimateTest {

    private final FileAwaiter awaiter = new FileAwaiter(null, null, config());

    @Test
    void beforeTheSlopeIsKnownEachFileAheadCostsTheInitialDelay() {
        // No sample: 100 ms per file, its own included (plus 5 %).
        assertEquals(105, awaiter.firstDelay(0));
        assertEquals(525, awaiter.firstDelay(4));
        // One sample (1.5 s, alone in the queue): the line goes through it with the same prior slope.
        awaiter.learn(1500, 0);
        assertEquals(1500, awaiter.estimate(0));
        assertEquals(2500, awaiter.estimate(10));
    }

    @Test
    void aFlatProcessingTimeGivesTheSameFirstLookAtAnyDepth() {
        // The test double: 300 ms whatever the queue, at depths 10 to 14.
        for (int i = 0; i < 40; i++) {
            awaiter.learn(300, 10 + i % 5);
        }
        assertEquals(300, awaiter.estimate(0), 1);
        assertEquals(300, awaiter.estimate(40), 1);
        assertEquals(315, awaiter.firstDelay(12), 2);
    }

    @Test
    void aGrowingQueueIsFollowed() {
        // Celery behind: 1.5 s for a file alone plus 300 ms per file ahead of it, a burst filling the queue.
        for (int ahead = 0; ahead < 20; ahead++) {
            awaiter.learn(1500 + 300L * ahead, ahead);
        }
        assertEquals(1500, awaiter.estimate(0), 5);
        assertEquals(4500, awaiter.estimate(10), 5);
        // 5 % over the estimate, and never past mayan.poll-max-delay.
        assertEquals(4725, awaiter.firstDelay(10), 10);
        assertEquals(10_000, awaiter.firstDelay(40));
    }

    @Test
    void theLineForgetsAnOldBurst() {
        for (int ahead = 0; ahead < 20; ahead++) {
            awaiter.learn(1500 + 300L * ahead, ahead);
        }
        // The queue drained: Mayan now takes 800 ms at depths 0 to 2. The burst's far points weigh 0.8^n
        // but lever the line (after 30 samples the estimate at depth 1 is still 895 ms); after 50 they are gone.
        for (int i = 0; i < 50; i++) {
            awaiter.learn(800, i % 3);
        }
        assertEquals(800, awaiter.estimate(1), 20);
        assertEquals(800, awaiter.estimate(2), 20);
    }

    private static MayanConfig config() {
        return (MayanConfig) Proxy.newProxyInstance(MayanConfig.class.getClassLoader(), new Class<?>[] {MayanConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "pollInitialDelay" -> Duration.ofMillis(100);
                    case "pollMaxDelay" -> Duration.ofSeconds(10);
                    case "fileTimeout" -> Duration.ofMinutes(10);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
