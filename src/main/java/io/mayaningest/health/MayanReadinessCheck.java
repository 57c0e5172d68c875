package io.mayaningest.health;

import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanGate;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when Mayan answers with the service's credentials: without Mayan nothing can be
 * ingested, the sources are paused, and the files wait where they are.
 */
@Readiness
@ApplicationScoped
public class MayanReadinessCheck implements HealthCheck {

    private static final long CACHE_NANOS = 5_000_000_000L;

    private final MayanClient client;
    private final MayanGate gate;
    private volatile MayanGate.State last;
    private volatile long lastAt;

    public MayanReadinessCheck(MayanClient client, MayanGate gate) {
        this.client = client;
        this.gate = gate;
    }

    @Override
    public HealthCheckResponse call() {
        MayanGate.State state = last;
        if (state == null || System.nanoTime() - lastAt > CACHE_NANOS) {
            state = gate.probe();
            last = state;
            lastAt = System.nanoTime();
        }
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("mayan").withData("url", client.baseUrl());
        // The release Mayan reported and the API mode chosen for it (MayanDialect), up or down.
        if (state.version() != null) {
            builder.withData("version", state.version());
        }
        if (state.api() != null) {
            builder.withData("api", state.api());
        }
        if (state.open()) {
            builder.up();
        } else {
            builder.down().withData("reason", state.reason()).withData("fix", state.fix())
                    .withData("sourcesPausedSince", state.since().toString());
        }
        return builder.build();
    }
}
