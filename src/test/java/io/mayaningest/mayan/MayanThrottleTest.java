package io.mayaningest.mayan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class MayanThrottleTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void slotsAreSpacedEvenlyAndUnusedTimeIsNotSavedUp() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        MayanThrottle throttle = new MayanThrottle(20, now::get);

        // Ten callers at the same instant: the first goes at once, each next one 50 ms after the one before.
        for (int i = 0; i < 10; i++) {
            assertEquals(i * 50 * MS, throttle.reserve(), "wait of caller " + i);
        }
        // An idle second later: one goes at once, but no burst of twenty was saved up.
        now.addAndGet(1_000 * MS);
        assertEquals(0, throttle.reserve());
        assertEquals(50 * MS, throttle.reserve());
    }

    @Test
    void offNeverWaits() {
        AtomicLong now = new AtomicLong();
        MayanThrottle throttle = new MayanThrottle(0, now::get);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, throttle.reserve());
        }
        MayanThrottle.OFF.acquire();
        assertTrue(!MayanThrottle.OFF.isOn());
    }

    /**
     * Four threads call as fast as they can; in no one-second window may more than the rate go through
     * (what Mayan's sliding-window throttle counts), and the rate is reached (the throttle does not starve).
     */
    @Test
    void concurrentCallersStayUnderTheRateInEverySecond() {
        int perSecond = 25;
        int calls = 3 * perSecond;
        MayanThrottle throttle = new MayanThrottle(perSecond, System::nanoTime);
        ConcurrentLinkedQueue<Long> passed = new ConcurrentLinkedQueue<>();
        AtomicInteger started = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                while (started.getAndIncrement() < calls) {
                    try {
                        throttle.acquire();
                        passed.add(System.nanoTime());
                    } catch (RuntimeException e) {
                        failed.set(true);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> passed.size() == calls);
        assertTrue(!failed.get());
        List<Long> times = new ArrayList<>(passed);
        times.sort(null);
        int maxInWindow = 0;
        for (int i = 0, j = 0; i < times.size(); i++) {
            while (times.get(i) - times.get(j) >= TimeUnit.SECONDS.toNanos(1)) {
                j++;
            }
            maxInWindow = Math.max(maxInWindow, i - j + 1);
        }
        // One more than the rate: a thread woken late can shift one call into the next window.
        assertTrue(maxInWindow <= perSecond + 1, "at most " + perSecond + " calls in any second, saw " + maxInWindow);
        long span = times.get(times.size() - 1) - times.get(0);
        // 75 calls at 25/s need 74 intervals of 40 ms: 2.96 s; allow scheduling noise, but not a stall.
        assertTrue(span >= (calls - 1) * 40 * MS - 50 * MS, "calls spread over " + span / MS + " ms");
        assertTrue(span < (calls - 1) * 40 * MS + 1_500 * MS, "calls spread over " + span / MS + " ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> threads.stream().noneMatch(Thread::isAlive));
    }
}
