package io.mayaningest.health;

import io.mayaningest.source.MappingCheck;
import io.mayaningest.source.SourceHealth;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while every remote source can reach its server and no source's fixed mapping names what
 * Mayan lacks (MappingCheck). The data names each source that is down, with the reason and the fix
 * ({@code source.<name>.reason}, {@code source.<name>.fix}).
 */
@Readiness
@ApplicationScoped
public class SourcesReadinessCheck implements HealthCheck {

    private final SourceHealth health;

    public SourcesReadinessCheck(SourceHealth health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("ingest-sources").up();
        for (Map.Entry<String, SourceHealth.Status> e : health.all().entrySet()) {
            SourceHealth.Status s = e.getValue();
            builder.withData("source." + e.getKey(), s.up() ? "UP" : "DOWN");
            if (!s.up()) {
                builder.down();
                builder.withData("source." + e.getKey() + ".reason", s.reason());
                builder.withData("source." + e.getKey() + ".fix", s.fix() == null ? "" : s.fix());
            }
        }
        return builder.build();
    }
}
