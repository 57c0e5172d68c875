package io.mayaningest.mayan;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.core.IngestException;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Whether Mayan can take documents now. Closed when Mayan does not answer or refuses the service's
 * credentials; while closed, sources take nothing (a file stays in its folder, unread), so nothing is
 * pulled that cannot be delivered. A timer route asks Mayan every {@code mayan.health-interval}
 * whether it is back and opens the gate again; readiness reports the reason meanwhile.
 */
@Startup
@ApplicationScoped
public class MayanGate {

    private static final Logger LOG = Logger.getLogger(MayanGate.class);

    /** @param api the API mode chosen for this Mayan (MayanDialect#mode), null before the first probe */
    public record State(boolean open, String reason, String fix, Instant since, String version, String api) {
    }

    private final MayanClient client;
    private volatile State state = new State(true, null, null, Instant.now(), null, null);

    private final java.util.concurrent.ScheduledExecutorService watcher;

    public MayanGate(MayanClient client, MayanConfig config) {
        this.client = client;
        client.onServiceFailure(this::failed);
        watcher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mayan-gate");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, config.healthInterval().toMillis());
        // At start-up: read Mayan's release and endpoints (and refuse an unsupported one) before the
        // sources' first poll, without holding up the start itself.
        watcher.execute(() -> {
            try {
                probe();
            } catch (RuntimeException e) {
                LOG.debugf(e, "Mayan gate start-up probe failed");
            }
        });
        watcher.scheduleWithFixedDelay(this::watchQuietly, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void watchQuietly() {
        try {
            watch();
        } catch (RuntimeException e) {
            LOG.debugf(e, "Mayan gate probe failed");
        }
    }

    @PreDestroy
    void stop() {
        watcher.shutdownNow();
    }

    public boolean isOpen() {
        return state.open();
    }

    public State state() {
        return state;
    }

    /** A call failed in a way that no item can get past: close until the next successful probe. */
    public void failed(MayanException e) {
        // A read timeout is one slow request (a large upload, a busy worker), not an unreachable Mayan.
        boolean unreachable = e.status() == 0 && !(e.getCause() instanceof java.net.SocketTimeoutException);
        if (unreachable || e.isAuthFailure() || e.isServiceLevel()) {
            close(e.reason(), e.fix());
        }
    }

    /**
     * Asks Mayan whether it answers with the service's credentials and shows it a document type
     * ({@code project/} alone answers anonymous clients too, and an unknown auth scheme is silently
     * anonymous: e2e/MAYAN-FINDINGS.md). At start-up and on reconnect (the gate was closed), it also
     * reads Mayan's release and endpoints again: Mayan may have been upgraded or reconfigured meanwhile.
     */
    public synchronized State probe() {
        try {
            JsonNode project = client.get("project/", Map.of());
            JsonNode types = client.get("document_types/", Map.of("page_size", "1"));
            if (types.path("count").asLong() == 0) {
                close("Mayan shows the service no document types",
                        "set mayan.token or mayan.username/mayan.password, and give that user access to the document"
                                + " types it should upload to");
                return state;
            }
            MayanDialect dialect = client.currentDialect();
            if (dialect == null || !state.open() || state.api() == null) {
                dialect = client.detect(project);
            }
            if (dialect.refused()) {
                close(dialect.refusal(), dialect.refusalFix(), dialect.version(), dialect.mode());
            } else {
                open(dialect.version(), dialect.mode());
            }
        } catch (IngestException e) {
            close(e.reason(), e.fix());
        }
        return state;
    }

    /** Called by the timer route: only probes while closed. */
    public void watch() {
        if (!state.open()) {
            probe();
        }
    }

    private void open(String version, String api) {
        State before = state;
        state = new State(true, null, null, before.open() ? before.since() : Instant.now(), version, api);
        if (!before.open()) {
            LOG.infof("Mayan answers again (%s): sources resume", client.baseUrl());
        }
    }

    private void close(String reason, String fix) {
        close(reason, fix, state.version(), state.api());
    }

    private void close(String reason, String fix, String version, String api) {
        State before = state;
        state = new State(false, reason, fix, before.open() ? Instant.now() : before.since(), version, api);
        if (before.open()) {
            LOG.warnf("Sources paused: %s. Fix: %s", reason, fix);
        }
    }
}
