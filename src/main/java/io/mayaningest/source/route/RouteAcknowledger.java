package io.mayaningest.source.route;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.SourceAcknowledger;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Items sent to {@code direct:mayan-ingest} are acknowledged by the route that sent them, with Camel's
 * own means ({@code move}, {@code moveFailed}, a commit, a dead-letter channel): nothing to do here.
 * The spooled copy is removed when the caller's exchange completes.
 */
@ApplicationScoped
public class RouteAcknowledger implements SourceAcknowledger {

    private static final Logger LOG = Logger.getLogger(RouteAcknowledger.class);

    @Override
    public String kind() {
        return RouteSourceRoutes.KIND;
    }

    @Override
    public void success(IngestRequest item) {
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) {
        LOG.warnf("Could not ingest %s: %s. Fix: %s (the calling route's failure path takes it from here)",
                item.describe(), failure.reason(), failure.fix());
    }
}
