package io.mayaningest.cluster;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Which leader-only sources this replica reads ({@code leader}) and which it leaves to another
 * ({@code standby (not leader)}). Always up: a standby replica serves HTTP, JMS and ledger claims and
 * must take the role the moment the leader goes; with kind=kubernetes Camel lets only a Ready pod lead,
 * so this check must never make a standby unready.
 */
@Readiness
@ApplicationScoped
public class LeaderReadinessCheck implements HealthCheck {

    private final Leadership leadership;
    private final ClusterRoutes cluster;

    public LeaderReadinessCheck(Leadership leadership, ClusterRoutes cluster) {
        this.leadership = leadership;
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("ingest-leader").up()
                .withData("cluster", leadership.kind().value());
        for (Map.Entry<String, Boolean> e : cluster.leading().entrySet()) {
            builder.withData("source." + e.getKey(), e.getValue() ? "leader" : "standby (not leader)");
        }
        return builder.build();
    }
}
