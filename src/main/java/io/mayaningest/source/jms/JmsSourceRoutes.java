package io.mayaningest.source.jms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.source.SourceValidation;
import io.mayaningest.source.SourceKinds;
import io.mayaningest.source.SourceRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.jboss.logging.Logger;

/**
 * JMS queues (the broker of {@code quarkus.artemis.*}). One route template; each
 * {@code ingest.sources.<name>} of kind {@code jms} becomes a route {@code source-<name>}.
 * <p>
 * The session is transacted: the message is committed only when the route ends normally, i.e. after
 * Mayan confirmed the document, or after a permanent failure was sent to the dead-letter queue on the
 * same session (so both happen or neither). A transient failure that outlived the in-process retries
 * rolls the session back and the broker redelivers with its redelivery delay. {@code mapJmsMessage=false}
 * keeps the raw {@code BytesMessage}, which the mapper reads in chunks into the spool.
 */
@ApplicationScoped
public class JmsSourceRoutes extends RouteBuilder {

    public static final String TEMPLATE = "jms-source";
    public static final String KIND = "jms";
    private static final Logger LOG = Logger.getLogger(JmsSourceRoutes.class);

    private final IngestConfig config;
    private final JmsSourceMapper mapper;
    private final JmsAcknowledger acknowledger;
    private final io.mayaningest.ledger.Ledger ledger;
    private final MayanConfig mayan;

    private final SourceKinds kinds;

    public JmsSourceRoutes(IngestConfig config, JmsSourceMapper mapper, JmsAcknowledger acknowledger,
            io.mayaningest.ledger.Ledger ledger, MayanConfig mayan, SourceKinds kinds) {
        this.kinds = kinds;
        this.mayan = mayan;
        this.ledger = ledger;
        this.config = config;
        this.mapper = mapper;
        this.acknowledger = acknowledger;
    }

    @Override
    public void configure() throws Exception {
        RouteDefinition template = routeTemplate(TEMPLATE)
                .templateParameter("source", null, "the source's name: ingest.sources.<source>")
                .templateParameter("destination", null, "the queue to consume")
                .templateParameter("concurrency", "1", "transacted consumers, each one message at a time")
                // Several transacted consumers, each receiving, ingesting and committing its own message
                // on its own thread (the JMS component's way to work on messages side by side).
                .from("jms:queue:{{destination}}?transacted=true&mapJmsMessage=false&concurrentConsumers={{concurrency}}"
                        // Local JMS transactions: the consumer may be cached (no XA manager involved).
                        + "&cacheLevelName=CACHE_CONSUMER"
                        // A rollback is the expected way to ask for redelivery; the reason is logged by Quarantine.
                        + "&errorHandlerLoggingLevel=DEBUG&errorHandlerLogStackTrace=false");
        SourceRoutes.ingestAndAcknowledge(template, mapper, acknowledger, ledger);
        // SmallRye accepts the key on any source (one SourceConfig for all kinds); elsewhere it would do nothing.
        config.sources().forEach((name, source) -> {
            if (source.concurrentConsumers().isPresent() && !KIND.equals(source.kind())) {
                throw new IllegalArgumentException("ingest.sources." + name + ".concurrent-consumers is a setting of"
                        + " sources of kind jms; for kind " + source.kind() + " use ingest.sources." + name + ".concurrency");
            }
        });

        for (Map.Entry<String, SourceConfig> entry : kinds.ofKind(KIND).entrySet()) {
            String name = entry.getKey();
            SourceConfig source = entry.getValue();
            String destination = destination(name, source);
            Files.createDirectories(spoolPath(name, source, config));
            templatedRoute(TEMPLATE)
                    .routeId(SourceRoutes.routeId(name))
                    .parameter("source", name)
                    .parameter("destination", destination)
                    .parameter("concurrency", String.valueOf(consumers(name, source, mayan.maxInFlight())));
            LOG.infof("Source %s consumes the queue %s with %d transacted consumers (dead letters: %s)", name,
                    destination, consumers(name, source, mayan.maxInFlight()), deadLetterDestination(name, source));
        }
    }

    /**
     * The transacted consumers of this replica: {@code concurrent-consumers} (the name JMS users know), or
     * {@code concurrency} (the name every source kind shares), else the shared default
     * ({@link SourceValidation#concurrency}). Both may be given, but must agree: two different numbers for
     * one setting would leave the operator guessing which one was taken.
     */
    static int consumers(String name, SourceConfig source, int maxInFlight) {
        String prefix = "ingest.sources." + name + ".";
        Optional<Integer> consumers = source.concurrentConsumers();
        if (consumers.isPresent() && consumers.get() < 1) {
            throw new IllegalArgumentException(prefix + "concurrent-consumers=" + consumers.get()
                    + " is not allowed; use 1 or more (1 takes the messages one after the other, in order)");
        }
        if (consumers.isPresent() && source.concurrency().isPresent()
                && !consumers.get().equals(source.concurrency().get())) {
            throw new IllegalArgumentException(prefix + "concurrent-consumers=" + consumers.get() + " and " + prefix
                    + "concurrency=" + source.concurrency().get() + " are the same setting of a jms source and"
                    + " disagree; set only one of them");
        }
        return consumers.orElseGet(() -> SourceValidation.concurrency(source, maxInFlight));
    }

    static String destination(String name, SourceConfig source) {
        String d = source.destination().map(String::strip).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new IllegalArgumentException("ingest.sources." + name
                        + ".destination is required for a source of kind jms"));
        if (d.startsWith("queue:")) {
            d = d.substring("queue:".length());
        }
        if (d.startsWith("topic:") || d.contains("?")) {
            throw new IllegalArgumentException("ingest.sources." + name + ".destination must be a queue name, not " + d);
        }
        return d;
    }

    static String deadLetterDestination(String name, SourceConfig source) {
        return source.deadLetterDestination().map(String::strip).filter(s -> !s.isEmpty())
                .map(d -> d.startsWith("queue:") ? d.substring("queue:".length()) : d)
                .orElse(destination(name, source) + ".DLQ");
    }

    static Path spoolPath(String name, SourceConfig source, IngestConfig config) {
        return source.spoolPath().map(Path::of).orElseGet(() -> Path.of(config.dataDir(), "spool", name))
                .toAbsolutePath().normalize();
    }
}
