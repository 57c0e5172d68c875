package io.mayaningest.mayan;

import java.time.Duration;

import io.mayaningest.core.IngestException;

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
    private boolean serviceLevel;

    public MayanException(int status, String method, String path, String detail, boolean permanent, String reason,
            String fix, Duration retryAfter, Throwable cause) {
        super(permanent, reason, fix, retryAfter, cause);
        this.status = status;
        this.method = method;
        this.path = path;
        this.detail = detail;
    }

    /**
     * Something answered, but not Mayan's API: a redirect (a proxy or single sign-on sending the
     * service to its login page) or an HTML page where Mayan answers JSON. No item can get past it and
     * it is never the item's fault, so it is transient for the item and pauses the sources.
     */
    public static MayanException misconfigured(int status, String method, String path, String detail, String reason,
            String fix) {
        MayanException e = new MayanException(status, method, path, detail, false, reason, fix, null, null);
        e.serviceLevel = true;
        return e;
    }

    /** Not Mayan's API answering (see {@link #misconfigured}): the service's configuration or a proxy. */
    public boolean isServiceLevel() {
        return serviceLevel;
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

    /** Mayan's own 404 (JSON): the object does not exist or is hidden; not an HTML 404 of something else. */
    public boolean isNotFound() {
        return status == 404 && !serviceLevel;
    }
}
