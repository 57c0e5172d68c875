package io.mayaningest.source;

import org.apache.camel.Exchange;

/**
 * How a one-item-per-exchange source (folder, SFTP, JMS, a user's route) turns what its consumer gave
 * into an {@link io.mayaningest.core.IngestRequest}: {@link #read} spools and hashes the payload and
 * sets the request as the body (before the ledger claim), {@link #map} applies the source's mapping and
 * the item's sidecars or headers (after it). {@link SourceRoutes} calls the two around the claim. Mail is
 * not one of these: one mail is a batch of attachments (MailReader splits it).
 */
public interface SourceMapper {

    void read(Exchange exchange) throws Exception;

    void map(Exchange exchange) throws Exception;
}
