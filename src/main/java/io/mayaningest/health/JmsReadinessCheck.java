package io.mayaningest.health;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.source.jms.JmsSourceRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the JMS broker accepts a connection, and only checked when the broker is used (a
 * source of kind jms or {@code ingest.events.destination}); otherwise a service without a broker stays
 * ready. (The Artemis extension's own check is off in application.properties for that reason.)
 */
@Readiness
@ApplicationScoped
public class JmsReadinessCheck implements HealthCheck {

    private static final long CACHE_NANOS = 5_000_000_000L;

    private final boolean used;
    private final Instance<ConnectionFactory> connectionFactory;
    private volatile HealthCheckResponse last;
    private volatile long lastAt;

    public JmsReadinessCheck(IngestConfig config, Instance<ConnectionFactory> connectionFactory) {
        this.connectionFactory = connectionFactory;
        this.used = config.events().destination().filter(d -> !d.isBlank()).isPresent() || config.sources().values()
                .stream().anyMatch(s -> s.enabled() && JmsSourceRoutes.KIND.equals(s.kind()));
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("jms-broker");
        if (!used) {
            return builder.up().withData("used", false).build();
        }
        HealthCheckResponse cached = last;
        if (cached != null && System.nanoTime() - lastAt < CACHE_NANOS) {
            return cached;
        }
        try (Connection connection = connectionFactory.get().createConnection()) {
            builder.up();
        } catch (Exception e) {
            builder.down().withData("reason", "the JMS broker refuses a connection: " + e.getMessage())
                    .withData("fix", "check quarkus.artemis.url (ARTEMIS_URL), quarkus.artemis.username and password,"
                            + " and that the broker runs");
        }
        HealthCheckResponse response = builder.build();
        last = response;
        lastAt = System.nanoTime();
        return response;
    }
}
