package io.mayaningest.pipeline;

import io.mayaningest.core.IngestRequest;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * The pipeline every source feeds: ledger, validate, upload, await the file, enrich. Its entry
 * contract is {@link #INGEST} with an {@link IngestRequest} body; when it returns normally the item is
 * in Mayan, confirmed, and the caller acknowledges its source.
 * <p>
 * These routes have no error handler of their own: a failure propagates to the source route, whose
 * error policy ({@code SourceErrorPolicy}) retries the whole pipeline. That is safe because every step
 * consults the ledger and skips what is already done.
 */
@ApplicationScoped
public class PipelineRoutes extends RouteBuilder {

    public static final String INGEST = "direct:ingest";
    public static final String VALIDATE = "direct:validate";
    public static final String UPLOAD = "direct:upload";
    public static final String AWAIT_FILE = "direct:await-file";
    public static final String ENRICH = "direct:enrich";

    public static final String INGEST_ROUTE = "ingest";
    public static final String VALIDATE_ROUTE = "validate";
    public static final String UPLOAD_ROUTE = "upload";
    public static final String AWAIT_FILE_ROUTE = "await-file";
    public static final String ENRICH_ROUTE = "enrich";

    private final Ledger ledger;
    private final Resolver resolver;
    private final Uploader uploader;
    private final FileAwaiter awaiter;
    private final Enricher enricher;
    private final Duplicates duplicates;
    private final EventPublisher events;
    private final IngestMetrics metrics;
    private final LogContext logContext;

    public PipelineRoutes(Ledger ledger, Resolver resolver, Uploader uploader, FileAwaiter awaiter, Enricher enricher,
            Duplicates duplicates, EventPublisher events, IngestMetrics metrics, LogContext logContext) {
        this.logContext = logContext;
        this.events = events;
        this.metrics = metrics;
        this.duplicates = duplicates;
        this.ledger = ledger;
        this.resolver = resolver;
        this.uploader = uploader;
        this.awaiter = awaiter;
        this.enricher = enricher;
    }

    @Override
    public void configure() {
        String done = "${body.state} == '" + LedgerState.DONE + "'";
        from(INGEST).routeId(INGEST_ROUTE).errorHandler(noErrorHandler())
                .bean(logContext, "enter")
                .bean(metrics, "started")
                .bean(ledger, "begin")
                .bean(logContext, "enter")
                .choice()
                    .when(simple(done))
                        .log(LoggingLevel.INFO, "${body.describe()} was already ingested as document ${body.documentId}")
                    .otherwise()
                        .to(VALIDATE)
                .end()
                // Validation may find the content already ingested (duplicate policy "skip").
                .choice()
                    .when(simple("${body.state} != '" + LedgerState.DONE + "'"))
                        .bean(awaiter, "uploading")
                        .to(UPLOAD)
                        .bean(metrics, "awaitStarted")
                        .to(AWAIT_FILE)
                        .bean(metrics, "awaitEnded")
                        .to(ENRICH)
                        .bean(ledger, "done")
                        .bean(metrics, "ingested")
                    .otherwise()
                        .bean(metrics, "duplicate")
                .end()
                // Every item that ends done is announced, a skipped duplicate too (with the document it matched).
                .bean(events, "done");

        // The lookups (LookupRoutes) enrich the item in order: the metadata lookup needs the type's id.
        // A retried item starts with no lookups found, so nothing of an earlier attempt is judged again.
        from(VALIDATE).routeId(VALIDATE_ROUTE).errorHandler(noErrorHandler())
                .removeProperty(LookupRoutes.FOUND)
                .enrich(LookupRoutes.LOOKUP_DOCUMENT_TYPE, LookupRoutes.FOUND_STRATEGY)
                .enrich(LookupRoutes.LOOKUP_METADATA_TYPES, LookupRoutes.FOUND_STRATEGY)
                .enrich(LookupRoutes.LOOKUP_TAGS, LookupRoutes.FOUND_STRATEGY)
                .enrich(LookupRoutes.LOOKUP_CABINETS, LookupRoutes.FOUND_STRATEGY)
                .bean(resolver, "judge")
                .bean(ledger, "validated")
                .bean(duplicates, "apply");

        from(UPLOAD).routeId(UPLOAD_ROUTE).errorHandler(noErrorHandler())
                .bean(uploader, "upload");

        // Mayan computes the checksum in Celery; poll with growing, asynchronous delays (no thread is
        // held while waiting) until our file shows our checksum.
        from(AWAIT_FILE).routeId(AWAIT_FILE_ROUTE).errorHandler(noErrorHandler())
                .loopDoWhile(method(awaiter, "pending"))
                    .delay(exchangeProperty(FileAwaiter.NEXT_DELAY)).asyncDelayed()
                    .process(awaiter.gate()).id("await-file-gate")
                    .bean(awaiter, "poll")
                .end();

        from(ENRICH).routeId(ENRICH_ROUTE).errorHandler(noErrorHandler())
                .bean(enricher, "enrich")
                .bean(ledger, "enriched");
    }
}
