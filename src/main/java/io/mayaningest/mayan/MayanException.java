package io.mayaningest.mayan;

import java.time.Duration;

import io.mayaningest.pipeline.IngestException;

/**
 * A failed call to Mayan, classified the way mayan-api.md §10 describes the server: 408, 429 and 5xx
 * (and no answer at all) are transient; 401/403 mean the service's credentials are wrong, which is
 * not the item's fault, so the item waits too; any other 4xx is permanent for the item.
 */
public class MayanException extends IngestException {

    private final int status;
    private final String method;
    private final String path;
    private final String detail;

    public MayanException(int status, String method, String path, String detail, boolean permanent, String reason,
            String fix, Duration retryAfter, Throwable cause) {
        super(permanent, reason, fix, retryAfter, cause);
        this.status = status;
        this.method = method;
        this.path = path;
        this.detail = detail;
    }

    /** HTTP status, or 0 when Mayan did not answer. */
    public int status() {
        return status;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** Mayan's own words from the response body (the {@code detail} or the validation messages). */
    public String detail() {
        return detail;
    }

    public boolean isAuthFailure() {
        return status == 401 || status == 403;
    }

    public boolean isNotFound() {
        return status == 404;
    }
}
