package io.mayaningest.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.ledger.LedgerState;
import io.mayaningest.mayan.MayanClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Sends the payload to Mayan, once. The multipart body is built inside this step, so a retry builds
 * a fresh one from the file instead of re-sending a consumed stream.
 */
@ApplicationScoped
public class Uploader {

    private static final Logger LOG = Logger.getLogger(Uploader.class);

    private final MayanClient client;
    private final Ledger ledger;

    public Uploader(MayanClient client, Ledger ledger) {
        this.client = client;
        this.ledger = ledger;
    }

    public void upload(IngestRequest item) {
        if (!LedgerState.RECEIVED.name().equals(item.getState())) {
            // The ledger says Mayan already has it: never upload a second copy.
            return;
        }
        if (item.isNewFileMode()) {
            client.uploadFile(item.getTargetDocumentId(), item.getPayload(), item.getFileName(), item.getAction(),
                    item.getIngestId());
            item.setDocumentId(item.getTargetDocumentId());
        } else {
            JsonNode document = client.uploadDocument(item.getDocumentTypeId(), item.getPayload(), item.getFileName(),
                    item.getLabel(), item.getDescription(), item.getLanguage());
            if (document == null || !document.path("id").canConvertToLong()) {
                throw IngestException.transientFailure("Mayan accepted the upload of " + item.describe()
                        + " but its answer has no document id", "look at Mayan's logs", null);
            }
            item.setDocumentId(document.path("id").asLong());
        }
        ledger.uploaded(item);
        LOG.infof("Uploaded %s to Mayan document %d (ingest %s)", item.describe(), item.getDocumentId(),
                item.getIngestId());
    }
}
