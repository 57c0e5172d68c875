package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.mayan.MayanClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import org.apache.camel.ProducerTemplate;
import org.jboss.logging.Logger;

/**
 * Result events for the enterprise bus ({@code ingest.events.destination}): one JSON text message per
 * item that was ingested ({@code done}) or quarantined ({@code failed}), whatever its source kind.
 * Does nothing on JMS when no destination is configured; a route in routes/ can also tap every
 * event on {@value #TAP}.
 * <p>
 * Events are best effort: the item is already in Mayan (or in quarantine) when its event is sent, so
 * a broker that cannot be reached is logged and never turns a finished item into a failed one.
 */
@ApplicationScoped
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    /** Where a user's route taps the result events (the same JSON as the JMS events, plus Mayan* headers). */
    public static final String TAP = "direct:mayan-ingest-events";
    // Without a consuming route the event is simply not taken (no error, nothing queued).
    // block=false: without it a direct: producer with no consumer waits up to 30 s (the direct component's
    // timeout) for one to appear, in the item's thread, before failIfNoConsumers=false lets it go; with no
    // user route on the tap, every item then took 30 s longer.
    private static final String TAP_URI = TAP + "?block=false&failIfNoConsumers=false";

    private final Optional<String> destination;
    private final Instance<ConnectionFactory> connectionFactory;
    private final MayanClient mayan;
    private final ObjectMapper json;
    private final Instance<ProducerTemplate> producer;
    /** One context for all events; JMSContext is not thread-safe, so sends are synchronized on this bean. */
    private JMSContext context;
    private Destination target;

    public EventPublisher(IngestConfig config, Instance<ConnectionFactory> connectionFactory, MayanClient mayan,
            ObjectMapper json, Instance<ProducerTemplate> producer) {
        this.producer = producer;
        this.destination = config.events().destination().map(String::strip).filter(s -> !s.isEmpty());
        this.connectionFactory = connectionFactory;
        this.mayan = mayan;
        this.json = json;
    }

    public boolean enabled() {
        return destination.isPresent();
    }

    public void done(IngestRequest item) {
        publish(event(item, "done", null));
    }

    public void failed(IngestRequest item, IngestException failure) {
        publish(event(item, "failed", failure.reason() + " | fix: " + failure.fix()));
    }

    /** The event as a map, in the documented field order. */
    public Map<String, Object> event(IngestRequest item, String status, String error) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("ingestId", item.getIngestId());
        event.put("status", status);
        event.put("documentId", item.getDocumentId());
        event.put("fileId", item.getFileId());
        event.put("checksum", item.getSha256());
        event.put("documentUrl", item.getDocumentId() == null ? null : mayan.documentUrl(item.getDocumentId()));
        event.put("source", item.getSourceName());
        event.put("fileName", item.getFileName());
        event.put("error", error);
        return event;
    }

    private void publish(Map<String, Object> event) {
        String text;
        try {
            text = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        tap(event, text);
        if (destination.isEmpty()) {
            return;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                send(text);
                return;
            } catch (JMSRuntimeException | IllegalStateException e) {
                // A broken connection is dropped and opened again once; then the event is given up.
                close();
                if (attempt == 2) {
                    LOG.warnf("Could not publish the %s event of ingest %s to %s: %s", event.get("status"),
                            event.get("ingestId"), destination.get(), e.getMessage());
                }
            }
        }
    }

    /**
     * Hands the event to a user's route on {@value #TAP}, if one consumes it (a route in routes/ that
     * logs it, forwards it to a queue, ...). Synchronous, in the item's thread; its failure is logged
     * and never changes the item's outcome.
     */
    private void tap(Map<String, Object> event, String text) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("MayanIngestId", event.get("ingestId"));
        headers.put("MayanIngestStatus", event.get("status"));
        headers.put("MayanDocumentId", event.get("documentId"));
        headers.put("MayanSource", event.get("source"));
        try {
            producer.get().sendBodyAndHeaders(TAP_URI, text, headers);
        } catch (RuntimeException e) {
            LOG.warnf("The route on %s failed on the %s event of ingest %s: %s", TAP, event.get("status"),
                    event.get("ingestId"), e.getMessage());
        }
    }

    private synchronized void send(String text) {
        if (context == null) {
            context = connectionFactory.get().createContext(JMSContext.AUTO_ACKNOWLEDGE);
            target = destination(context, destination.get());
        }
        context.createProducer().send(target, text);
    }

    /** {@code topic:x} is a topic; {@code queue:x} or a plain name is a queue. */
    static Destination destination(JMSContext context, String name) {
        if (name.startsWith("topic:")) {
            return context.createTopic(name.substring("topic:".length()));
        }
        return context.createQueue(name.startsWith("queue:") ? name.substring("queue:".length()) : name);
    }

    @PreDestroy
    synchronized void close() {
        if (context != null) {
            try {
                context.close();
            } catch (RuntimeException e) {
                LOG.debugf("closing the events connection: %s", e.getMessage());
            }
            context = null;
        }
    }
}
