package io.mayaningest.mayan;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.mayaningest.config.MayanConfig;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Keeps the service's requests to Mayan under Mayan's own API throttle, so that it does not meet 429s
 * (each one a wasted request, a Retry-After wait and a second call). Mayan 4.12 throttles every user
 * at {@code REST_API_THROTTLING_RATE_USER} = 20/second (mayan/apps/rest_api/literals.py), counted by
 * Django REST framework in a sliding one-second window held in a {@code LocMemCache}: per gunicorn
 * worker, and gunicorn gives each request to whichever worker accepts it first. Below 20 per second
 * evenly spaced, no second of any one worker can hold more than 20 of ours, however the workers share
 * them; a burst can, which is why the bucket holds a single request. The rate is {@code mayan.max-requests-per-second}.
 *
 * <p>Hand-written because neither Camel's Throttle EIP (per route, and the client is called from many
 * routes and beans) nor anything in Quarkus limits the rate of one HTTP client. Each caller reserves the
 * next free slot under a lock and then waits on a condition until its slot comes, so no thread spins and
 * callers go in the order they asked.
 */
@Singleton
public class MayanThrottle {

    /** No limit: for clients made outside CDI (tests) and for {@code mayan.max-requests-per-second=0}. */
    public static final MayanThrottle OFF = new MayanThrottle(0, System::nanoTime);

    private final long intervalNanos;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turn = lock.newCondition();
    /** When the next request may go (clock nanos). */
    private long nextFree;
    private boolean started;

    @Inject
    public MayanThrottle(MayanConfig config) {
        this(config.maxRequestsPerSecond(), System::nanoTime);
    }

    /** {@code perSecond} 0 or less: no limit. */
    MayanThrottle(double perSecond, LongSupplier clock) {
        this.intervalNanos = perSecond > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) / perSecond) : 0;
        this.clock = clock;
    }

    public boolean isOn() {
        return intervalNanos > 0;
    }

    /** Waits until the next request to Mayan may be sent. */
    public void acquire() {
        long wait = reserve();
        if (wait <= 0) {
            return;
        }
        lock.lock();
        try {
            long deadline = clock.getAsLong() + wait;
            long left = wait;
            // awaitNanos returns early on a spurious wake-up or a signal; nobody signals, so this loop only
            // guards against the former.
            while (left > 0) {
                left = turn.awaitNanos(left);
                left = Math.min(left, deadline - clock.getAsLong());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a turn to call Mayan", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next slot and returns how long (nanos) the caller must wait for it: 0 when the previous
     * slot is long past. Unused time is not saved up, so the bucket holds one request.
     */
    long reserve() {
        if (intervalNanos == 0) {
            return 0;
        }
        lock.lock();
        try {
            long now = clock.getAsLong();
            if (!started || nextFree - now < 0) {
                started = true;
                nextFree = now;
            }
            long slot = nextFree;
            nextFree = slot + intervalNanos;
            return slot - now;
        } finally {
            lock.unlock();
        }
    }
}
