package io.mayaningest.source.http;

import java.nio.file.Path;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.core.SafeNames;
import io.mayaningest.pipeline.SourceAcknowledger;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * An upload's client is told through its status URL, so acknowledging it is about the spooled copy:
 * removed once Mayan confirmed the document, kept while it is quarantined (so an operator can replay
 * it, README "Quarantine and replay"), removed when it is discarded.
 */
@ApplicationScoped
public class HttpAcknowledger implements SourceAcknowledger {

    private static final Logger LOG = Logger.getLogger(HttpAcknowledger.class);

    private final HttpIntake intake;

    public HttpAcknowledger(HttpIntake intake) {
        this.intake = intake;
    }

    @Override
    public String kind() {
        return HttpSourceRoutes.KIND;
    }

    @Override
    public void success(IngestRequest item) {
        intake.deleteSpooled(item.getPayload());
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) {
        LOG.warnf("Upload %s (ingest %s) is quarantined: %s. Fix: %s (its status URL says so; the upload is kept"
                + " at %s for a replay)", item.describe(), item.getIngestId(), SafeNames.visible(failure.reason()),
                SafeNames.visible(failure.fix()), item.getPayload());
    }

    @Override
    public void replay(Ledger.Entry entry) {
        intake.replay(entry);
    }

    @Override
    public void discard(Ledger.Entry entry) {
        intake.deleteSpooled(entry.payloadRef() == null ? null : Path.of(entry.payloadRef()));
    }
}
