package io.mayaningest.source;

import io.mayaningest.pipeline.SourceAcknowledger;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.pipeline.PipelineRoutes;
import io.mayaningest.pipeline.SourceErrorPolicy;
import org.apache.camel.builder.Builder;
import org.apache.camel.model.RouteDefinition;

/** What every one-item-per-exchange source route does after its consumer, in one place. */
public final class SourceRoutes {

    /** The exchange property that carries the name of the source an item came from. */
    public static final String SOURCE_PROPERTY = "mayanIngestSource";

    private SourceRoutes() {
    }

    /** The id of the route a source {@code <name>} runs as: {@code source-<name>}. */
    public static String routeId(String source) {
        return "source-" + source;
    }

    /** How a file source's start-up line says its {@code concurrency}. */
    public static String describeConcurrency(int concurrency) {
        return concurrency > 1 ? concurrency + " files at a time" : "one file at a time, in order";
    }

    /**
     * The source error policy; the item read ({@code mapper.read}) and mapped ({@code mapper.map});
     * the pipeline; then, only once Mayan confirmed it, the source's acknowledgement and its ledger record.
     */
    public static RouteDefinition ingestAndAcknowledge(RouteDefinition route, SourceMapper mapper,
            SourceAcknowledger acknowledger, Ledger ledger) {
        route.routeConfigurationId(SourceErrorPolicy.ID)
                .setProperty(SOURCE_PROPERTY, Builder.constant("{{source}}"));
        return itemSteps(route, mapper, acknowledger, ledger);
    }

    /**
     * The same for a consumer with one polling thread (a folder): the items of one poll are handed to a
     * pool of {@code {{concurrency}}} threads (Camel's Threads EIP), so one slow upload does not hold up
     * the next file. The queue is small and, when full, the poller runs the item itself: that is the
     * back-pressure, and it keeps a poll of a huge folder from queueing every file in memory. The file
     * stays in the consumer's in-progress repository until its exchange completes on the pool thread,
     * so the next poll does not take it again meanwhile.
     */
    public static RouteDefinition ingestAndAcknowledgeConcurrently(RouteDefinition route, SourceMapper mapper,
            SourceAcknowledger acknowledger, Ledger ledger) {
        route.routeConfigurationId(SourceErrorPolicy.ID)
                .setProperty(SOURCE_PROPERTY, Builder.constant("{{source}}"))
                .threads().poolSize("{{concurrency}}").maxPoolSize("{{concurrency}}").maxQueueSize("{{concurrency}}")
                        .callerRunsWhenRejected(true).threadName("ingest-{{source}}");
        return itemSteps(route, mapper, acknowledger, ledger);
    }

    private static RouteDefinition itemSteps(RouteDefinition route, SourceMapper mapper, SourceAcknowledger acknowledger,
            Ledger ledger) {
        return route
                .bean(mapper, "read")
                // claims: with several replicas on one ledger, the one holding the item's claim goes on;
                // for the others the exchange ends here, unacknowledged (Ledger#claim).
                .bean(ledger, "claim")
                .bean(mapper, "map")
                .to(PipelineRoutes.INGEST)
                .bean(acknowledger, "success")
                .bean(ledger, "acknowledged");
    }
}
