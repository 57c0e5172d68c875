package io.mayaningest.source;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.mayaningest.core.SafeNames;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * What each source knows about its own connection: a remote source that cannot log in, does not
 * trust the server's host key or finds its directory gone reports it here, and readiness shows it
 * with the reason and the fix. One bad source never stops the others or the service.
 * <p>
 * Two conditions make up a source's state: its connection (reported by its consumer, e.g. every SFTP
 * poll) and its mapping (reported by {@link MappingCheck}: the names its properties give exist in
 * Mayan). They are kept apart so that a successful poll never clears a mapping problem, and the other
 * way round; the source is up only while both are.
 */
@ApplicationScoped
public class SourceHealth {

    private static final Logger LOG = Logger.getLogger(SourceHealth.class);

    public record Status(boolean up, String reason, String fix, Instant since) {
    }

    private final Map<String, Status> sources = new ConcurrentHashMap<>();
    private final Map<String, Status> mappings = new ConcurrentHashMap<>();

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

    /** The names the source's mapping gives are missing in Mayan: down until {@link #mappingUp(String)}. */
    public void mappingDown(String source, String reason, String fix) {
        Status previous = mappings.get(source);
        if (previous == null || previous.up() || !reason.equals(previous.reason())) {
            LOG.errorf("Source %s takes nothing until its mapping is fixed: %s. Fix: %s", source,
                    SafeNames.visible(reason), SafeNames.visible(fix));
            mappings.put(source, new Status(false, reason, fix, Instant.now()));
        }
    }

    public void mappingUp(String source) {
        Status previous = mappings.put(source, new Status(true, "mapping checked", null, Instant.now()));
        if (previous != null && !previous.up()) {
            LOG.infof("Source %s: every name of its mapping exists in Mayan now; it takes items again", source);
        }
    }

    /** Whether the mapping check found names missing in Mayan (not checked yet: false). */
    public boolean mappingDown(String source) {
        Status mapping = mappings.get(source);
        return mapping != null && !mapping.up();
    }

    /** Whether the mapping check has come to a result for the source (up or down) since start-up. */
    public boolean mappingChecked(String source) {
        return mappings.containsKey(source);
    }

    public Map<String, Status> all() {
        Map<String, Status> all = new TreeMap<>();
        for (String source : sources.keySet()) {
            all.put(source, status(source));
        }
        for (String source : mappings.keySet()) {
            all.put(source, status(source));
        }
        return all;
    }

    /** The source's state: down while its connection or its mapping is, with both reasons when both are. */
    public Status status(String source) {
        Status connection = sources.get(source);
        Status mapping = mappings.get(source);
        if (mapping == null || mapping.up()) {
            // A source that reports no connection of its own (a folder) is up once its mapping is checked.
            return connection != null ? connection : mapping;
        }
        if (connection == null || connection.up()) {
            return mapping;
        }
        return new Status(false, connection.reason() + "; " + mapping.reason(), connection.fix() == null
                ? mapping.fix() : connection.fix() + "; " + mapping.fix(),
                connection.since().isBefore(mapping.since()) ? connection.since() : mapping.since());
    }

    /** When the source's consumer last polled successfully (only sources that report polls: SFTP). */
    public Instant lastPoll(String source) {
        Status connection = sources.get(source);
        return connection != null && connection.up() && "polled successfully".equals(connection.reason())
                ? connection.since() : null;
    }
}
