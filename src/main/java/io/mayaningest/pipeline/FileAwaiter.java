package io.mayaningest.pipeline;

import io.mayaningest.core.Checksums;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Resolves an accepted upload into a confirmed file. Mayan processes uploads in Celery: the file row
 * appears later, and its checksum later still (mayan-api.md §5–§7). The route calls {@link #poll}
 * between asynchronous delays, so no thread is held while Mayan works.
 */
@ApplicationScoped
public class FileAwaiter {

    private static final Logger LOG = Logger.getLogger(FileAwaiter.class);
    public static final String NEXT_DELAY = "mayanIngestNextPollDelay";
    static final String STARTED = "mayanIngestPollStarted";
    static final String POLLED = "mayanIngestPolled";
    static final String TROUBLED = "mayanIngestPollTroubled";

    private final MayanClient client;
    private final Ledger ledger;
    private final MayanConfig config;

    public FileAwaiter(MayanClient client, Ledger ledger, MayanConfig config) {
        this.client = client;
        this.ledger = ledger;
        this.config = config;
    }

    /** True while the file is not confirmed; sets the first delay on the first call. */
    public boolean pending(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        if (!LedgerState.UPLOADED.name().equals(item.getState())) {
            return false;
        }
        if (exchange.getProperty(STARTED) == null) {
            exchange.setProperty(STARTED, System.nanoTime());
            exchange.setProperty(NEXT_DELAY, firstDelay());
        }
        return true;
    }

    /*
     * When to look first. Hand-written because no Camel or Quarkus part estimates another system's
     * processing time: how long Mayan has lately taken from our upload to the file's checksum (an
     * exponentially weighted average). A steady stream then needs about one poll per file instead of a
     * fixed ladder's three to five; a miss looks again after a quarter of the first wait, doubling from
     * there. Learnt only from files confirmed without a throttle or failure on the way, and never longer
     * than mayan.poll-max-delay, so an outage cannot teach it to wait minutes.
     * Tried and dropped: adding "files waiting ahead x interval between confirmations" (Little's law)
     * for bursts. Both terms include our own waiting, so the estimate fed on itself: on the test double
     * it cut throughput from 47 to 16 documents/s.
     */
    private final AtomicLong typicalMillis = new AtomicLong();

    long firstDelay() {
        long initial = config.pollInitialDelay().toMillis();
        long typical = typicalMillis.get();
        if (typical == 0) {
            return initial;
        }
        return Math.min(config.pollMaxDelay().toMillis(), Math.max(initial, typical + typical / 20));
    }

    private long missDelay(long delay, boolean firstPoll) {
        if (firstPoll && typicalMillis.get() > 0) {
            return Math.max(config.pollInitialDelay().toMillis(), delay / 4);
        }
        return Math.min(delay * 2, config.pollMaxDelay().toMillis());
    }

    private void learn(long elapsedMillis) {
        long cap = config.pollMaxDelay().toMillis();
        long sample = Math.min(elapsedMillis, cap);
        typicalMillis.updateAndGet(old -> old == 0 ? sample : (old * 4 + sample) / 5);
    }

    public void poll(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        long elapsed = System.nanoTime() - exchange.getProperty(STARTED, Long.class);
        long delay = exchange.getProperty(NEXT_DELAY, Long.class);
        try {
            Long fileId = item.isNewFileMode() ? findNewFile(item) : findFirstFile(item);
            if (fileId != null) {
                item.setFileId(fileId);
                if (exchange.getProperty(TROUBLED) == null) {
                    // Found at the first look: Mayan was done some time before, so learn a little less
                    // than we waited (else the estimate only ever grows); found later: what it took.
                    long waited = Duration.ofNanos(elapsed).toMillis();
                    learn(exchange.getProperty(POLLED) == null ? waited * 9 / 10 : waited);
                }
                ledger.fileConfirmed(item);
                LOG.debugf("%s confirmed as file %d of document %d", item.describe(), fileId, item.getDocumentId());
                return;
            }
            delay = missDelay(delay, exchange.getProperty(POLLED) == null);
        } catch (MayanException e) {
            exchange.setProperty(TROUBLED, true);
            if (e.isNotFound()) {
                throw gone(item, e);
            }
            if (e.isPermanent() || e.isAuthFailure()) {
                throw e;
            }
            // Throttled or briefly unavailable: wait as long as Mayan asks, then look again.
            delay = e.retryAfter().map(Duration::toMillis).orElse(Math.min(delay * 2, config.pollMaxDelay().toMillis()));
        }
        if (Duration.ofNanos(elapsed).compareTo(config.fileTimeout()) > 0) {
            throw IngestException.transientFailure("Mayan has not finished processing " + item.describe()
                    + " (document " + item.getDocumentId() + ") after " + config.fileTimeout().toSeconds() + " s",
                    "check that a Celery worker consumes Mayan's documents_* queues; the item is polled again later,"
                            + " never uploaded twice",
                    null);
        }
        exchange.setProperty(POLLED, true);
        exchange.setProperty(NEXT_DELAY, delay);
    }

    /**
     * After {@code documents/upload/}: the document is new, so its first file is ours once the checksum
     * matches. Not its latest file: with {@code duplicates=new-file}, the next item of the folder may
     * already have added a file of its own to this document (it finds the document by label as soon as
     * it exists, before our file is processed), and Celery may even process that one first. Those files
     * carry their item's ingest id as comment; ours, sent through the source action, carries none of ours.
     */
    private Long findFirstFile(IngestRequest item) {
        JsonNode page = client.get("documents/" + item.getDocumentId() + "/files/",
                Map.of("_ordering", "id", "page_size", "100"));
        for (JsonNode file : page.path("results")) {
            if (INGEST_ID.matcher(file.path("comment").asText("")).matches()) {
                continue;
            }
            return matches(item, file) ? file.path("id").asLong() : null;
        }
        return null;
    }

    /** The comment a new file of ours carries (IngestRequest ingest ids are random UUIDs). */
    private static final java.util.regex.Pattern INGEST_ID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * After {@code POST documents/{id}/files/} (202, no body): our file is the newest one whose comment
     * is our ingest id. The checksum alone cannot tell our upload from an older file with the same bytes.
     */
    private Long findNewFile(IngestRequest item) {
        JsonNode page = client.get("documents/" + item.getDocumentId() + "/files/",
                Map.of("_ordering", "-id", "page_size", "100"));
        for (JsonNode file : page.path("results")) {
            if (item.getIngestId().equals(file.path("comment").asText()) && matches(item, file)) {
                return file.path("id").asLong();
            }
        }
        return null;
    }

    private boolean matches(IngestRequest item, JsonNode file) {
        if (file == null || file.isNull() || file.isMissingNode()) {
            return false;
        }
        JsonNode checksum = file.path("checksum");
        if (checksum.isNull() || checksum.isMissingNode() || checksum.asText().isEmpty()) {
            return false;
        }
        if (!checksum.asText().equalsIgnoreCase(item.getSha256())) {
            throw mismatch(item, file.path("id").asLong(), checksum.asText());
        }
        return true;
    }

    /**
     * Mayan's checksum of our upload is not our SHA-256. Either the bytes were altered on the way to
     * Mayan, or the file itself changed between being read (hashed) and being uploaded (a folder's file
     * rewritten in place): hashing the payload again tells which, so the person is not sent hunting for
     * a proxy that does not exist.
     */
    private IngestException mismatch(IngestRequest item, long fileId, String stored) {
        String now;
        try {
            now = Checksums.sha256(item.getPayload());
        } catch (IOException | RuntimeException e) {
            now = null;
        }
        String stores = "Mayan stored file " + fileId + " of document " + item.getDocumentId() + " with checksum " + stored;
        String delete = deletionAdvice(item, fileId);
        if (now != null && !now.equalsIgnoreCase(item.getSha256())) {
            return IngestException.permanent(item.describe() + " was changed while it was being uploaded: its SHA-256 was "
                    + item.getSha256() + " when the service read it and is " + now + " now; " + stores
                    + (now.equalsIgnoreCase(stored) ? " (the changed content)" : " (neither)"),
                    delete + "; then replay the item once the file is complete: its current content is uploaded again"
                            + " as a new document (a file changed in place is new content)");
        }
        return IngestException.permanent(stores + ", but " + item.describe() + " has SHA-256 " + item.getSha256()
                + (now == null ? "" : " (the file has not changed since it was read)"),
                "the upload was altered on the way to Mayan (a proxy or filter that rewrites request bodies?): fix that"
                        + " path; " + delete + "; then replay the item");
    }

    /** Only a Mayan object proven to be this item's is named for deletion: by our ingest id, or by our own upload. */
    private static String deletionAdvice(IngestRequest item, long fileId) {
        if (item.isNewFileMode()) {
            return "delete file " + fileId + " of document " + item.getDocumentId() + " in Mayan (its comment is this"
                    + " item's ingest id " + item.getIngestId() + "), not the document, which was there before";
        }
        if (item.isDocumentCreatedHere()) {
            return "delete document " + item.getDocumentId() + " in Mayan (Mayan created it for this item's own upload"
                    + " request)";
        }
        return "check document " + item.getDocumentId() + " in Mayan before deleting anything: it was found after an"
                + " interrupted upload by its type, label and creation time, so it is not proven to be this item's";
    }

    /**
     * A 404 while polling: the document was moved to the trash or deleted in Mayan (or the service's
     * user lost access to it) after the upload. Polling it again can never succeed, so the item is
     * quarantined; its replay asks Mayan again and uploads anew only if the document is still gone
     * (see Uploader), so restoring it from the trash first keeps it instead.
     */
    private IngestException gone(IngestRequest item, MayanException e) {
        long id = item.getDocumentId();
        boolean trashed = isTrashed(id);
        String where = trashed ? "was moved to Mayan's trash" : "is gone from Mayan (deleted, or the service's user may no longer see it)";
        if (item.isNewFileMode()) {
            return IngestException.permanent("document " + id + ", to which " + item.describe()
                    + " was being added as a new file, " + where + " while the service waited for the file (404 on "
                    + e.method() + " " + e.path() + ")",
                    (trashed ? "restore document " + id + " from Mayan's trash" : "give the service's user access to"
                            + " document " + id + " again") + ", or correct document_id; then replay the item", e);
        }
        return IngestException.permanent("document " + id + ", created in Mayan for " + item.describe() + ", " + where
                + " while the service waited for Mayan to process its file (404 on " + e.method() + " " + e.path() + ")",
                "replay the item: the service checks that document " + id + " is still gone and then uploads the file"
                        + " again as a new document"
                        + (trashed ? "; to keep document " + id + " instead, restore it from Mayan's trash before the"
                                + " replay, which then resumes it"
                                : "; if only the user's access was withdrawn, give it back before the replay, which then"
                                        + " resumes the document"), e);
    }

    /** {@code trashed_documents/{id}/} answers for a trashed document; anything else (404, no answer) means "not known to be". */
    private boolean isTrashed(long documentId) {
        try {
            client.get("trashed_documents/" + documentId + "/", Map.of());
            return true;
        } catch (MayanException e) {
            return false;
        }
    }
}
