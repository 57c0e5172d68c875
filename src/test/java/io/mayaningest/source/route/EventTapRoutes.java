package io.mayaningest.source.route;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.mayaningest.pipeline.EventPublisher;
import org.apache.camel.builder.RouteBuilder;

/** A user's event tap, as routes/examples/events-log.yaml is, for the in-process tests: keeps what it gets. */
public class EventTapRoutes extends RouteBuilder {

    public static final Queue<String> EVENTS = new ConcurrentLinkedQueue<>();

    @Override
    public void configure() {
        from(EventPublisher.TAP).routeId("test-event-tap")
                .process(e -> EVENTS.add(e.getMessage().getHeader("MayanIngestStatus") + " "
                        + e.getMessage().getBody(String.class)));
    }
}
