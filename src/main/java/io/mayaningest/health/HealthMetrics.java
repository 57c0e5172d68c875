package io.mayaningest.health;

import io.mayaningest.source.SourceHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.mayan.MayanGate;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the alert rules in docker/prometheus/ watch besides the item counters: {@code mayan_ingest_source_up{source}}
 * (1 while the source polls, 0 while it is down with a reason, see readiness) and {@code mayan_ingest_mayan_up}
 * (1 while Mayan answers, 0 while the gate holds every source back).
 */
@Startup
@ApplicationScoped
public class HealthMetrics {

    public HealthMetrics(MeterRegistry registry, IngestConfig config, SourceHealth health, MayanGate gate) {
        for (String source : config.sources().keySet()) {
            Gauge.builder("mayan.ingest.source_up", health, h -> {
                SourceHealth.Status status = h.status(source);
                return status == null || status.up() ? 1 : 0;
            }).tag("source", source).description("1 while the source polls, 0 while it is down").register(registry);
        }
        Gauge.builder("mayan.ingest.mayan_up", gate, g -> g.isOpen() ? 1 : 0)
                .description("1 while Mayan answers, 0 while every source waits for it").register(registry);
    }
}
