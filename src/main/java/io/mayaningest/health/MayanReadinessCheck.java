package io.mayaningest.health;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.mayan.MayanClient;
import io.mayaningest.pipeline.IngestException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when Mayan answers with the service's credentials: without Mayan nothing can be
 * ingested, and the files wait where they are.
 */
@Readiness
@ApplicationScoped
public class MayanReadinessCheck implements HealthCheck {

    private static final long CACHE_NANOS = 5_000_000_000L;

    private final MayanClient client;
    private volatile HealthCheckResponse last;
    private volatile long lastAt;

    public MayanReadinessCheck(MayanClient client) {
        this.client = client;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse cached = last;
        if (cached != null && System.nanoTime() - lastAt < CACHE_NANOS) {
            return cached;
        }
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("mayan").withData("url", client.baseUrl());
        try {
            JsonNode project = client.get("project/", Map.of());
            // project/ answers anonymous clients too; a list shows whether our credentials work.
            JsonNode types = client.get("document_types/", Map.of("page_size", "1"));
            if (types.path("count").asLong() == 0) {
                builder.down().withData("reason", "Mayan shows the service no document types")
                        .withData("fix", "set mayan.token or mayan.username/mayan.password, and give that user access"
                                + " to the document types it should upload to");
            } else {
                builder.up().withData("version", project.path("__version__").asText("unknown"));
            }
        } catch (IngestException e) {
            builder.down().withData("reason", e.reason()).withData("fix", e.fix());
        }
        HealthCheckResponse response = builder.build();
        last = response;
        lastAt = System.nanoTime();
        return response;
    }
}
