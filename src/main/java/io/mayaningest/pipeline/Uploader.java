package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Sends the payload to Mayan, once. The multipart body is built inside this step, so a retry builds
 * a fresh one from the file instead of re-sending a consumed stream.
 * <p>
 * Mayan has no idempotency key, so "once" rests on the ledger: {@code UPLOADING} is written before the
 * request. If the service dies (or the answer is lost) after that, the next attempt first looks in
 * Mayan for what the interrupted request may have created, and adopts it instead of uploading again.
 */
@ApplicationScoped
public class Uploader {

    private static final Logger LOG = Logger.getLogger(Uploader.class);
    /** How far Mayan's clock and ours may disagree when matching an interrupted upload by its creation time. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(10);

    private final MayanClient client;
    private final Ledger ledger;
    private final Semaphore inFlight;
    private final Duration grace;

    public Uploader(MayanClient client, Ledger ledger, MayanConfig config) {
        this.client = client;
        this.ledger = ledger;
        this.grace = config.interruptedUploadGrace();
        this.inFlight = new Semaphore(Math.max(1, config.maxInFlight()), true);
    }

    public void upload(IngestRequest item) throws InterruptedException {
        LedgerState state = LedgerState.valueOf(item.getState());
        if (item.isReplay() && (state == LedgerState.UPLOADED || state == LedgerState.FILE_CONFIRMED)
                && item.getDocumentId() != null && documentLost(item, state)) {
            ledger.restartFromUpload(item);
            state = LedgerState.VALIDATED;
        }
        if (state == LedgerState.UPLOADING && adoptInterruptedUpload(item)) {
            return;
        }
        if (state.ordinal() > LedgerState.UPLOADING.ordinal()) {
            // The ledger says Mayan already has it: never upload a second copy.
            return;
        }
        ledger.uploading(item);
        // Mayan processes every upload in Celery; a cap on concurrent uploads keeps a burst from flooding it.
        inFlight.acquire();
        try {
            if (item.isNewFileMode()) {
                client.uploadFile(item.getTargetDocumentId(), item.getPayload(), item.getFileName(), item.getAction(),
                        item.getIngestId());
                item.setDocumentId(item.getTargetDocumentId());
            } else {
                JsonNode document = client.uploadDocument(item.getDocumentTypeId(), item.getPayload(),
                        item.getFileName(), item.getLabel(), item.getDescription(), item.getLanguage());
                if (document == null || !document.path("id").canConvertToLong()) {
                    throw IngestException.transientFailure("Mayan accepted the upload of " + item.describe()
                            + " but its answer has no document id", "look at Mayan's logs", null);
                }
                item.setDocumentId(document.path("id").asLong());
                item.setDocumentCreatedHere(true);
            }
        } catch (MayanException e) {
            if (refusedBeforeHandling(e)) {
                ledger.uploadRefused(item);
            }
            if (e.isNotFound()) {
                // Validation found them a moment ago: the type or document was deleted, or access withdrawn.
                throw IngestException.permanent(item.isNewFileMode()
                        ? "document " + item.getTargetDocumentId() + " no longer exists in Mayan or the service's user"
                                + " may no longer see it (404 on the upload)"
                        : "document type \"" + item.getDocumentType() + "\" (id " + item.getDocumentTypeId()
                                + ") no longer exists in Mayan or the service's user may no longer create documents"
                                + " of it (404 on the upload)",
                        "check the document type or document and the user's access in Mayan, then replay the item", e);
            }
            throw e;
        } finally {
            inFlight.release();
        }
        ledger.uploaded(item);
        LOG.infof("Uploaded %s to Mayan document %d (ingest %s)", item.describe(), item.getDocumentId(),
                item.getIngestId());
    }

    /**
     * Any 4xx: Mayan (Django REST framework) checks authentication, permission and throttling before
     * the view runs, and the view validates the serializer and the document type before it creates
     * anything (mayan-api.md §5, §6), so no document or file exists. Any other failure (no answer, a
     * timeout, 5xx) leaves the item UPLOADING: Mayan may have it. Without this, a replayed item whose
     * upload got a 400 would wait out mayan.interrupted-upload-grace first. A redirect (3xx) never
     * reached Mayan's view either: Mayan does not redirect its API, so it came from a proxy or a login.
     */
    static boolean refusedBeforeHandling(MayanException e) {
        return e.status() >= 300 && e.status() < 500 && e.status() != 408;
    }

    /**
     * A replay of an item that had reached a document: is that document still what the item needs?
     * Asked of Mayan now, at the replay, never assumed from the reason it was quarantined with: the
     * operator may have restored it from the trash meanwhile, and then uploading again would make a
     * duplicate. Gone (404: trashed or deleted), or holding other content than this item's (the file
     * changed during the upload, or the upload was altered on the way): upload again. Mayan not
     * answering throws, so nothing is decided without its answer.
     */
    private boolean documentLost(IngestRequest item, LedgerState state) {
        JsonNode document;
        try {
            document = client.get("documents/" + item.getDocumentId() + "/", Map.of());
        } catch (MayanException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            LOG.infof("%s: document %d is gone from Mayan (trashed or deleted); the replay uploads the file again",
                    item.describe(), item.getDocumentId());
            return true;
        }
        // Once confirmed, a newer file on the document (someone else's version) is no reason to upload again.
        JsonNode checksum = document.path("file_latest").path("checksum");
        if (state == LedgerState.UPLOADED && !item.isNewFileMode() && checksum.isTextual()
                && !checksum.asText().isEmpty() && !checksum.asText().equalsIgnoreCase(item.getSha256())) {
            LOG.infof("%s: document %d holds other content (checksum %s, not %s); the replay uploads the file again",
                    item.describe(), item.getDocumentId(), checksum.asText(), item.getSha256());
            return true;
        }
        return false;
    }

    /**
     * After an interrupted upload: a new file is ours when its comment is our ingest id; a new document
     * is ours when it is of our type, has our label, was created after we started, no other ledger row
     * owns it, and its file has our checksum. A label and a time prove nothing (two scans named
     * {@code scan.pdf}, another client), so while a candidate's checksum is not computed yet the item
     * waits (see {@link #findOurDocument}) instead of adopting it or uploading a second copy.
     */
    private boolean adoptInterruptedUpload(IngestRequest item) {
        Long found = item.isNewFileMode() ? findOurFile(item) : findOurDocument(item);
        if (found == null) {
            Instant settled = ledger.uploadingAt(item).orElse(Instant.EPOCH).plus(grace);
            if (Instant.now().isBefore(settled)) {
                throw IngestException.transientFailure("the upload of " + item.describe()
                        + " was interrupted and Mayan does not show its document yet",
                        "nothing to do: Mayan may still be processing that request, so the service looks again until "
                                + settled + " (mayan.interrupted-upload-grace) before uploading again",
                        null);
            }
            LOG.infof("%s: the interrupted upload did not reach Mayan; uploading again", item.describe());
            return false;
        }
        item.setDocumentId(found);
        ledger.uploaded(item);
        LOG.infof("%s: adopted document %d created by the interrupted upload (ingest %s)", item.describe(), found,
                item.getIngestId());
        return true;
    }

    private Long findOurFile(IngestRequest item) {
        JsonNode page = client.get("documents/" + item.getTargetDocumentId() + "/files/",
                Map.of("_ordering", "-id", "page_size", "100"));
        for (JsonNode file : page.path("results")) {
            if (item.getIngestId().equals(file.path("comment").asText())) {
                return item.getTargetDocumentId();
            }
        }
        return null;
    }

    private Long findOurDocument(IngestRequest item) {
        Instant since = ledger.uploadingAt(item).orElse(Instant.EPOCH).minus(CLOCK_SKEW);
        String label = item.getLabel() == null ? item.getFileName() : item.getLabel();
        // documents/ with filter_label (a search, so the exact label and the type are checked here), newest
        // first: every supported release has it. document_types/{id}/documents/ does not exist in 4.5.x
        // (it came later; 4.12.2 has it), where it answered 404 and quarantined the item.
        JsonNode page = client.get("documents/", Map.of("filter_label", label, "_ordering", "-id", "page_size", "100"));
        List<Long> unproven = new ArrayList<>();
        for (JsonNode document : page.path("results")) {
            if (!document.path("label").asText().equals(label)
                    || document.path("document_type").path("id").asLong() != item.getDocumentTypeId()) {
                continue;
            }
            if (created(document).isBefore(since)) {
                continue;
            }
            long id = document.path("id").asLong();
            if (ledger.findOwnerOfDocument(id, item.getIngestId()).isPresent()) {
                continue;
            }
            JsonNode checksum = document.path("file_latest").path("checksum");
            if (!checksum.isTextual() || checksum.asText().isEmpty()) {
                unproven.add(id);
            } else if (checksum.asText().equalsIgnoreCase(item.getSha256())) {
                return id;
            }
        }
        if (!unproven.isEmpty()) {
            throw IngestException.transientFailure("the upload of " + item.describe() + " was interrupted; Mayan has"
                    + " document(s) " + unproven + " with its label whose checksum it has not computed yet, so the"
                    + " service cannot tell yet whether one of them is this upload",
                    "nothing to do: the service looks again until Mayan has computed the checksum (if this lasts,"
                            + " check that a Celery worker consumes Mayan's documents_* queues)",
                    null);
        }
        return null;
    }

    private static Instant created(JsonNode document) {
        try {
            return OffsetDateTime.parse(document.path("datetime_created").asText()).toInstant();
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }
}
