package io.mayaningest.pipeline;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.ledger.LedgerState;
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
            exchange.setProperty(NEXT_DELAY, config.pollInitialDelay().toMillis());
        }
        return true;
    }

    public void poll(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        long elapsed = System.nanoTime() - exchange.getProperty(STARTED, Long.class);
        long delay = exchange.getProperty(NEXT_DELAY, Long.class);
        try {
            Long fileId = item.isNewFileMode() ? findNewFile(item) : findFirstFile(item);
            if (fileId != null) {
                item.setFileId(fileId);
                ledger.fileConfirmed(item);
                LOG.debugf("%s confirmed as file %d of document %d", item.describe(), fileId, item.getDocumentId());
                return;
            }
            delay = Math.min(delay * 2, config.pollMaxDelay().toMillis());
        } catch (MayanException e) {
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
        exchange.setProperty(NEXT_DELAY, delay);
    }

    /** After {@code documents/upload/}: the document is new, so its latest file is ours once the checksum matches. */
    private Long findFirstFile(IngestRequest item) {
        JsonNode document = client.get("documents/" + item.getDocumentId() + "/", Map.of());
        JsonNode file = document.path("file_latest");
        return matches(item, file) ? file.path("id").asLong() : null;
    }

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

    private static boolean matches(IngestRequest item, JsonNode file) {
        if (file == null || file.isNull() || file.isMissingNode()) {
            return false;
        }
        JsonNode checksum = file.path("checksum");
        if (checksum.isNull() || checksum.isMissingNode() || checksum.asText().isEmpty()) {
            return false;
        }
        if (!checksum.asText().equalsIgnoreCase(item.getSha256())) {
            // Delete only what this upload is known to have created: the document it created (its id came
            // from Mayan's answer, or was adopted by checksum), or, for a new file of an existing
            // document, that file alone, never the document someone else owns.
            String what = item.isNewFileMode()
                    ? "file " + file.path("id").asText() + " of document " + item.getDocumentId()
                            + " (the file this upload added; the document existed before)"
                    : "document " + item.getDocumentId();
            throw IngestException.permanent("Mayan stored file " + file.path("id").asText() + " of document "
                    + item.getDocumentId() + " with checksum " + checksum.asText() + ", but " + item.describe()
                    + " has SHA-256 " + item.getSha256(),
                    "the upload was altered on the way (a proxy?); delete " + what + " in Mayan and replay");
        }
        return true;
    }
}
