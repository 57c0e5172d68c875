package io.mayaningest.pipeline;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import org.apache.camel.Exchange;

/**
 * How one kind of source acknowledges its items. Success is acknowledged by the source route itself
 * after {@code direct:ingest} returns; the error policy calls {@link #failure} for a permanent failure
 * and {@link #retryLater} when a transient one has used up its redeliveries.
 */
public interface SourceAcknowledger {

    /** The source kind this acknowledger serves ({@code file}, {@code sftp}, ...). */
    String kind();

    /** The item is confirmed in Mayan: move, delete, flag or commit it at its source. */
    void success(IngestRequest item) throws Exception;

    /** The item failed for good: keep its payload where a person finds it, with the reason. */
    void failure(IngestRequest item, IngestException failure) throws Exception;

    /**
     * A transient failure outlived its redeliveries. The default leaves the item where it is for the
     * next poll; a transacted source (JMS) marks the exchange rollback-only so that its broker redelivers.
     */
    default void retryLater(IngestRequest item, IngestException failure) throws Exception {
    }

    /**
     * As {@link #failure(IngestRequest, IngestException)}, with the exchange for sources that need it
     * (a JMS source sends the message to its dead-letter queue on the consuming, transacted session).
     */
    default void failure(IngestRequest item, IngestException failure, Exchange exchange) throws Exception {
        failure(item, failure);
    }

    /** As {@link #retryLater(IngestRequest, IngestException)}, with the exchange. */
    default void retryLater(IngestRequest item, IngestException failure, Exchange exchange) throws Exception {
        retryLater(item, failure);
    }

    /**
     * Puts a quarantined item back where its source reads it, so it is ingested again; the ledger row
     * makes it resume from the step it had reached. Kinds that cannot do this answer with the way to
     * do it by hand.
     */
    default void replay(Ledger.Entry entry) throws Exception {
        throw new UnsupportedOperationException("replay of " + kind() + " items through the API is not supported;"
                + " put the item back at its source by hand (see README, \"Quarantine and replay\")");
    }

    /** Deletes a quarantined item's payload for good. */
    default void discard(Ledger.Entry entry) throws Exception {
        throw new UnsupportedOperationException("discarding " + kind() + " items through the API is not supported;"
                + " remove the item at its source by hand");
    }
}
