package io.mayaningest.operator;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Browser sessions of the operator console: a random id in an HttpOnly, SameSite=Strict cookie,
 * issued after the operator's user and password or token were checked at {@code POST /login}. Held in
 * memory: a restart logs the browser out, which costs one login and keeps no credential on disk.
 * Scripts never need one; they send Bearer or Basic on every request.
 */
@ApplicationScoped
public class OperatorSessions {

    public static final String COOKIE = "mayan_ingest_session";
    /**
     * Required on every cookie-authenticated request that changes something: a custom header cannot be
     * sent by another site's form or image, and a cross-origin script would need a CORS pre-flight the
     * service never grants. With SameSite=Strict this is the CSRF defence (OWASP "custom request header").
     */
    public static final String CSRF_HEADER = "X-Mayan-Ingest-Console";
    static final Duration IDLE = Duration.ofHours(8);

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();

    public String open() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        String session = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessions.put(session, Instant.now());
        return session;
    }

    /** True for a live session; each use extends it. */
    public boolean valid(String session) {
        if (session == null) {
            return false;
        }
        Instant last = sessions.get(session);
        if (last == null) {
            return false;
        }
        if (last.plus(IDLE).isBefore(Instant.now())) {
            sessions.remove(session);
            return false;
        }
        sessions.put(session, Instant.now());
        return true;
    }

    public void close(String session) {
        if (session != null) {
            sessions.remove(session);
        }
    }
}
