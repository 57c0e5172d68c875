package io.mayaningest.source.route;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.pipeline.PipelineRoutes;
import io.mayaningest.pipeline.SourceErrorPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;

/**
 * The public entry of the service for routes a user writes ({@code routes/*.yaml}):
 * {@value #ENTRY} takes a document as the body and the {@code Mayan*} headers, and returns once Mayan
 * confirmed it (README, "Routes"). Items that arrive here are of kind {@value #KIND}.
 * <p>
 * The item runs through {@value #ITEM} in an exchange of its own, under the same error policy as
 * every built-in source (retries with back-off, then quarantine in the ledger and a failed event). The
 * caller's exchange therefore carries no error-handling state of ours: it sees either the result
 * headers or one plain {@link IngestFailedException}, and its own error handler, {@code onException},
 * dead-letter channel or {@code moveFailed} decides.
 */
@ApplicationScoped
public class RouteSourceRoutes extends RouteBuilder {

    public static final String KIND = "route";
    public static final String ENTRY = "direct:mayan-ingest";
    public static final String ENTRY_ROUTE = "mayan-ingest";
    public static final String ITEM = "direct:mayan-ingest-item";
    public static final String ITEM_ROUTE = "mayan-ingest-item";

    private final RouteSourceMapper mapper;
    private final RouteAcknowledger acknowledger;
    private final Ledger ledger;

    public RouteSourceRoutes(RouteSourceMapper mapper, RouteAcknowledger acknowledger, Ledger ledger) {
        this.mapper = mapper;
        this.acknowledger = acknowledger;
        this.ledger = ledger;
    }

    @Override
    public void configure() {
        // No error handler: a failure to spool the body goes straight back to the caller, whose body
        // (a file, a stream) is the only copy and which alone can send it again.
        from(ENTRY).routeId(ENTRY_ROUTE).errorHandler(noErrorHandler())
                .bean(mapper, "read")
                .bean(mapper, "ingest");

        from(ITEM).routeId(ITEM_ROUTE).routeConfigurationId(SourceErrorPolicy.ID)
                .bean(mapper, "map")
                .to(PipelineRoutes.INGEST)
                .bean(acknowledger, "success")
                .bean(ledger, "acknowledged");
    }
}
