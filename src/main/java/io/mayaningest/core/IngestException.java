package io.mayaningest.core;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure with words a person can act on: what went wrong ({@link #reason()}) and what to do about
 * it ({@link #fix()}).
 * <p>
 * Permanent failures (bad input, a Mayan 4xx) send the item to quarantine at once. Transient ones
 * (Mayan unreachable, 5xx, 429, a timeout) are retried with back-off and leave the item where it is.
 */
public class IngestException extends RuntimeException {

    private final boolean permanent;
    private final String fix;
    private final Duration retryAfter;

    public IngestException(boolean permanent, String reason, String fix, Duration retryAfter, Throwable cause) {
        super(reason, cause);
        this.permanent = permanent;
        this.fix = fix;
        this.retryAfter = retryAfter;
    }

    public static IngestException permanent(String reason, String fix) {
        return new IngestException(true, reason, fix, null, null);
    }

    public static IngestException permanent(String reason, String fix, Throwable cause) {
        return new IngestException(true, reason, fix, null, cause);
    }

    public static IngestException transientFailure(String reason, String fix, Throwable cause) {
        return new IngestException(false, reason, fix, null, cause);
    }

    public boolean isPermanent() {
        return permanent;
    }

    public String reason() {
        return getMessage();
    }

    public String fix() {
        return fix;
    }

    /** What Mayan asked for in {@code Retry-After}, if it did. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
