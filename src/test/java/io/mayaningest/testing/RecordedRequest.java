package io.mayaningest.testing;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One request as {@link FakeMayan} answered it.
 *
 * @param method HTTP method, upper case
 * @param path   raw (still percent-encoded) path, with {@code ?query} when there was one
 * @param status the status code that was sent (injected faults included)
 * @param time   when the request arrived
 */
public record RecordedRequest(String method, String path, int status, Instant time) {

    /** The path without its query string. */
    public String pathWithoutQuery() {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /**
     * The matching rule shared by {@link FakeMayan#count}, {@code failNext} and {@code stallNext}:
     * {@code method} is compared case-insensitively ({@code null} or {@code "*"} match any method), and
     * {@code pathRegex} must match the whole path, either without or with the query string.
     */
    boolean matches(String method, Pattern pathRegex) {
        return matches(method, pathRegex, this.method, this.path);
    }

    static boolean matches(String wantedMethod, Pattern pathRegex, String method, String pathAndQuery) {
        if (wantedMethod != null && !"*".equals(wantedMethod)
                && !wantedMethod.toUpperCase(Locale.ROOT).equals(method)) {
            return false;
        }
        int q = pathAndQuery.indexOf('?');
        String bare = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        return pathRegex.matcher(bare).matches() || pathRegex.matcher(pathAndQuery).matches();
    }
}
