package io.mayaningest.source.http;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.pipeline.PipelineRoutes;
import io.mayaningest.pipeline.SourceErrorPolicy;
import io.mayaningest.source.SourceKinds;
import io.mayaningest.source.SourceRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;

/**
 * Sources of kind {@value #KIND}: programs upload through {@code /api/sources/<name>/documents}
 * ({@link UploadResource}), which spools and checks each upload and answers at once; the accepted
 * item then runs here, under the error policy every source shares (retries with back-off, quarantine
 * with its reason, result events), through the same pipeline.
 * <p>
 * One route serves every http source, because the consumer is the REST resource and the item carries
 * its source's name: a route template per source would only repeat this route. A timer resumes the
 * items that are unfinished and not in the pipeline (after a restart, or once Mayan is back).
 */
@ApplicationScoped
public class HttpSourceRoutes extends RouteBuilder {

    public static final String KIND = "http";
    /** Accepted items wait here for a worker; the ledger row, not this queue, is what survives a crash. */
    public static final String QUEUE = "seda:mayan-ingest-http?size=100000";
    public static final String ROUTE = "http-source";
    public static final String RESUME_ROUTE = "http-source-resume";

    private final IngestConfig config;
    private final MayanConfig mayan;
    private final HttpIntake intake;
    private final HttpAcknowledger acknowledger;
    private final UploadAuth auth;
    private final Ledger ledger;

    private final SourceKinds kinds;

    public HttpSourceRoutes(IngestConfig config, MayanConfig mayan, HttpIntake intake, HttpAcknowledger acknowledger,
            UploadAuth auth, Ledger ledger, SourceKinds kinds) {
        this.kinds = kinds;
        this.config = config;
        this.mayan = mayan;
        this.intake = intake;
        this.acknowledger = acknowledger;
        this.auth = auth;
        this.ledger = ledger;
    }

    @Override
    public void configure() {
        if (kinds.ofKind(KIND).isEmpty()) {
            return;
        }
        auth.warnAnonymous();
        // Workers as many as Mayan is allowed uploads in flight: more would only wait for the client's limiter.
        from(QUEUE + "&concurrentConsumers=" + Math.max(1, mayan.maxInFlight())).routeId(ROUTE)
                .routeConfigurationId(SourceErrorPolicy.ID)
                .bean(intake, "started")
                .bean(intake, "check")
                .to(PipelineRoutes.INGEST)
                .bean(acknowledger, "success")
                .bean(ledger, "acknowledged");

        from("timer:" + RESUME_ROUTE + "?delay=500&period=" + Math.max(500, mayan.healthInterval().toMillis()))
                .routeId(RESUME_ROUTE)
                .bean(intake, "resume");
    }
}
