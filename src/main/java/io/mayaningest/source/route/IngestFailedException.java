package io.mayaningest.source.route;

import io.mayaningest.core.IngestException;

/**
 * What {@code direct:mayan-ingest} throws to the calling route when an item did not get into Mayan.
 * Its message is the reason and the fix in one sentence, so a {@code log}, an {@code .error} file name
 * or a dead-letter header carries both; {@link #isPermanent()} tells bad input (the item must change)
 * from a transient failure that outlived the service's retries (the same item may simply be sent again).
 */
public class IngestFailedException extends IngestException {

    private final String reason;
    private final String ingestId;

    public IngestFailedException(IngestException failure, String ingestId) {
        super(failure.isPermanent(), failure.reason() + ". Fix: " + failure.fix()
                + (failure.isPermanent() ? "" : " (a transient failure: sending the item again resumes it)"),
                failure.fix(), failure.retryAfter().orElse(null), failure);
        this.reason = failure.reason();
        this.ingestId = ingestId;
    }

    /** The reason alone (the message has the reason and the fix). */
    public String getReason() {
        return reason;
    }

    public String getFix() {
        return fix();
    }

    /** The ledger row of the item, when it got that far (null for a body that could not be spooled). */
    public String getIngestId() {
        return ingestId;
    }
}
