package io.mayaningest.health;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.mayaningest.source.SafeNames;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * What each source knows about its own connection: a remote source that cannot log in, does not
 * trust the server's host key or finds its directory gone reports it here, and readiness shows it
 * with the reason and the fix. One bad source never stops the others or the service.
 */
@ApplicationScoped
public class SourceHealth {

    private static final Logger LOG = Logger.getLogger(SourceHealth.class);

    public record Status(boolean up, String reason, String fix, Instant since) {
    }

    private final Map<String, Status> sources = new ConcurrentHashMap<>();

    /** A source is registered as up (not yet polled) when its route is created. */
    public void register(String source) {
        sources.putIfAbsent(source, new Status(true, "not polled yet", null, Instant.now()));
    }

    public void up(String source) {
        Status previous = sources.put(source, new Status(true, "polled successfully", null, Instant.now()));
        if (previous != null && !previous.up()) {
            LOG.infof("Source %s works again", source);
        }
    }

    public void down(String source, String reason, String fix) {
        Status previous = sources.get(source);
        if (previous == null || previous.up() || !reason.equals(previous.reason())) {
            // Logged once per distinct reason, not on every poll.
            LOG.errorf("Source %s cannot poll: %s. Fix: %s", source, SafeNames.visible(reason), SafeNames.visible(fix));
            sources.put(source, new Status(false, reason, fix, Instant.now()));
        }
    }

    public Map<String, Status> all() {
        return new TreeMap<>(sources);
    }

    public Status status(String source) {
        return sources.get(source);
    }
}
