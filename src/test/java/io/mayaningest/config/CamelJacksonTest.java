package io.mayaningest.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.FakeMayanResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/**
 * A route's {@code marshal().json()} (a user's YAML {@code marshal: json: {}} alike) writes with Quarkus'
 * ObjectMapper, the one the service itself uses, not a second one Camel would create with other
 * settings: Quarkus' writes an Instant as ISO-8601 text; Camel's own would write a number or fail.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class CamelJacksonTest {

    private static final String ROUTE = "camel-jackson-check";

    @Inject
    CamelContext camel;

    @Inject
    ProducerTemplate producer;

    @Inject
    ObjectMapper quarkusMapper;

    @Test
    void routesMarshalWithQuarkusObjectMapper() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:" + ROUTE).routeId(ROUTE).marshal().json();
            }
        });
        try {
            Map<String, Object> event = Map.of("at", Instant.parse("2026-01-02T03:04:05Z"));
            String written = producer.requestBody("direct:" + ROUTE, event, String.class);
            assertThat(written).isEqualTo("{\"at\":\"2026-01-02T03:04:05Z\"}")
                    .isEqualTo(quarkusMapper.writeValueAsString(event));
        } finally {
            camel.getRouteController().stopRoute(ROUTE);
            camel.removeRoute(ROUTE);
        }
    }
}
