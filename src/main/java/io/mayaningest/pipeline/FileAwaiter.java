package io.mayaningest.pipeline;

import io.mayaningest.core.Checksums;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.SynchronizationAdapter;
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
    static final String UPLOADS_HERE = "mayanIngestUploadsHere";
    static final String SEQ = "mayanIngestUploadSeq";
    /** Whether the gate held the item: HELD, then RELEASED or CAPPED (then CAPPED_LOOKING). */
    static final String HOLD = "mayanIngestPollHold";
    static final String HELD = "held";
    static final String RELEASED = "released";
    static final String CAPPED = "capped";
    static final String CAPPED_LOOKING = "cappedLooking";
    static final String RELEASED_AT = "mayanIngestPollReleasedAt";
    /** How often held items are checked against their cap. */
    static final long CAP_CHECK_MILLIS = 250;
    /** The shortest wait after a release, and after a miss once released. */
    static final long MIN_GAP_MILLIS = 20;

    private final MayanClient client;
    private final Ledger ledger;
    private final MayanConfig config;

    public FileAwaiter(MayanClient client, Ledger ledger, MayanConfig config) {
        this.client = client;
        this.ledger = ledger;
        this.config = config;
    }

    final UploadOrder order = new UploadOrder();

    /**
     * Before the upload step: whether this exchange sends the file to Mayan now. A resumed item (already
     * uploaded before a restart) is ahead of everything we upload now in Celery's queue, so it never
     * waits for others.
     */
    public void uploading(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        exchange.setProperty(UPLOADS_HERE, item.getState() == null
                || LedgerState.valueOf(item.getState()).ordinal() < LedgerState.UPLOADED.ordinal());
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
            if (exchange.getProperty(SEQ) == null) {
                long seq = order.accepted();
                exchange.setProperty(SEQ, seq);
                // However the exchange ends (failure, quarantine, a redelivery given up), it stops holding others.
                exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                    @Override
                    public void onDone(Exchange done) {
                        order.resolved(seq);
                    }
                });
            }
        }
        return true;
    }

    private void release(Exchange exchange) {
        Long seq = exchange.getProperty(SEQ, Long.class);
        if (seq != null) {
            order.resolved(seq);
        }
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
        ewma(typicalMillis, elapsedMillis);
    }

    private void ewma(AtomicLong learnt, long elapsedMillis) {
        long cap = config.pollMaxDelay().toMillis();
        long sample = Math.min(elapsedMillis, cap);
        learnt.updateAndGet(old -> old == 0 ? sample : (old * 4 + sample) / 5);
    }

    /*
     * Holding the first look while files we uploaded before are outstanding (the gate below, and
     * UploadOrder). Celery works in upload order, so once those are confirmed ours is at or near the
     * front of the queue: it is woken then, and looks after the time Mayan lately took between a
     * predecessor's confirmation and the next file's (gap), learnt apart from typicalMillis.
     * typicalMillis learns only from items that were never held, so neither estimate includes our own
     * holding (what made the queue estimate of an earlier attempt feed on itself). A held item goes on
     * anyway once holdCap() has passed with no item leaving the queue (counted from its upload at the
     * earliest), and the uploads ahead of it then hold nobody any more, so a predecessor Mayan never
     * processes (a lost Celery task: it polls until mayan.file-timeout) delays the others by one cap.
     * Not a cap since the upload alone: a burst of 50 puts the last file 20 s behind, and a cap of 10 s
     * from the upload made the tail poll three times (measured on Mayan 4.12.2). Against a Mayan whose
     * processing is concurrent (the test double), items are rarely held: the file ahead is found at its
     * first look, and a held item is woken at once, not at a timer's next tick.
     */
    private final AtomicLong gapMillis = new AtomicLong();

    long holdCap() {
        return Math.max(config.pollMaxDelay().toMillis(), typicalMillis.get() * 2);
    }

    long gapDelay() {
        long gap = gapMillis.get();
        if (gap == 0) {
            return Math.min(config.pollInitialDelay().toMillis(), Math.max(MIN_GAP_MILLIS, typicalMillis.get() / 4));
        }
        return Math.min(config.pollMaxDelay().toMillis(), gap + gap / 20);
    }

    /**
     * Before each look: an asynchronous step that goes on at once, unless this item's file was uploaded
     * here and has not been looked at yet while uploads before it are outstanding; then it holds the
     * exchange (no thread, no call to Mayan) until the last of those leaves or the cap is reached.
     */
    public AsyncProcessor gate() {
        return gate;
    }

    private final AsyncProcessor gate = new AsyncProcessorSupport() {
        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            return passOrHold(exchange, callback);
        }
    };

    /** The gate's step: true when the exchange goes on at once (callback done), false when held. */
    private boolean passOrHold(Exchange exchange, AsyncCallback callback) {
        Long seq = exchange.getProperty(SEQ, Long.class);
        if (seq == null || exchange.getProperty(POLLED) != null || exchange.getProperty(HOLD) != null
                || !Boolean.TRUE.equals(exchange.getProperty(UPLOADS_HERE))) {
            callback.done(true);
            return true;
        }
        ScheduledExecutorService wakes = scheduler(exchange);
        long started = exchange.getProperty(STARTED, Long.class);
        AtomicBoolean woken = new AtomicBoolean();
        UploadOrder.Waiter waiter = new UploadOrder.Waiter() {
            @Override
            public void wake(boolean capped) {
                if (woken.compareAndSet(false, true)) {
                    exchange.setProperty(HOLD, capped ? CAPPED : RELEASED);
                    // Not on the thread that confirmed the file ahead: it goes on with its own item.
                    wakes.execute(() -> callback.done(false));
                }
            }

            @Override
            public boolean overdue() {
                long now = System.nanoTime();
                long stalled = now - Math.max(started, order.lastProgress());
                return Duration.ofNanos(stalled).toMillis() >= holdCap()
                        || Duration.ofNanos(now - started).compareTo(config.fileTimeout()) > 0;
            }
        };
        exchange.setProperty(HOLD, HELD);
        if (!order.hold(seq, waiter)) {
            exchange.removeProperty(HOLD);
            callback.done(true);
            return true;
        }
        return false;
    }

    private volatile ScheduledExecutorService scheduler;

    /*
     * One thread per process, made by Camel (and shut down with its context): it wakes held items whose
     * cap has passed, four times a second, and runs every woken item's next step up to its next delay.
     */
    private ScheduledExecutorService scheduler(Exchange exchange) {
        ScheduledExecutorService made = scheduler;
        if (made == null) {
            synchronized (this) {
                made = scheduler;
                if (made == null) {
                    made = exchange.getContext().getExecutorServiceManager()
                            .newSingleThreadScheduledExecutor(this, "await-file-gate");
                    made.scheduleWithFixedDelay(order::wakeOverdue, CAP_CHECK_MILLIS, CAP_CHECK_MILLIS,
                            TimeUnit.MILLISECONDS);
                    scheduler = made;
                }
            }
        }
        return made;
    }

    /**
     * True when this poll makes no call to Mayan: the gate has just let the item go. Released (the uploads
     * ahead have left): it waits the gap first. Capped: it looks after the shortest delay, on Camel's
     * delay threads rather than the gate's.
     */
    private boolean justWoken(Exchange exchange) {
        Object hold = exchange.getProperty(HOLD);
        if (RELEASED.equals(hold) && exchange.getProperty(RELEASED_AT) == null) {
            exchange.setProperty(RELEASED_AT, System.nanoTime());
            exchange.setProperty(NEXT_DELAY, gapDelay());
            return true;
        }
        if (CAPPED.equals(hold)) {
            exchange.setProperty(HOLD, CAPPED_LOOKING);
            exchange.setProperty(NEXT_DELAY, 1L);
            return true;
        }
        return false;
    }

    public void poll(Exchange exchange) {
        try {
            look(exchange);
        } catch (RuntimeException e) {
            // The item leaves the queue at once: the source's redelivery may be far off.
            release(exchange);
            throw e;
        }
    }

    private void look(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        long elapsed = System.nanoTime() - exchange.getProperty(STARTED, Long.class);
        if (justWoken(exchange)) {
            return;
        }
        long delay = exchange.getProperty(NEXT_DELAY, Long.class);
        Long released = exchange.getProperty(RELEASED_AT, Long.class);
        // Measured before the call, as elapsed is: with the call's own time (throttle spacing included)
        // in it, each found-at-first-look sample would exceed the gap waited and the gap would grow.
        long sinceRelease = released == null ? 0 : System.nanoTime() - released;
        try {
            Long fileId = item.isNewFileMode() ? findNewFile(item) : findFirstFile(item);
            if (fileId != null) {
                item.setFileId(fileId);
                if (exchange.getProperty(TROUBLED) == null) {
                    // Found at the first look: Mayan was done some time before, so learn a little less
                    // than we waited (else the estimate only ever grows); found later: what it took.
                    boolean first = exchange.getProperty(POLLED) == null;
                    if (released != null) {
                        // Found at the first look after the release: ours may have been done when the
                        // one ahead was, so learn half the wait (else the gap settles at many times the
                        // call's own time, and held items advance one per gap: measured on the double).
                        long waited = Duration.ofNanos(sinceRelease).toMillis();
                        ewma(gapMillis, Math.max(1, first ? waited / 2 : waited));
                    } else if (exchange.getProperty(HOLD) == null) {
                        long waited = Duration.ofNanos(elapsed).toMillis();
                        learn(first ? waited * 9 / 10 : waited);
                    }
                }
                ledger.fileConfirmed(item);
                release(exchange);
                LOG.debugf("%s confirmed as file %d of document %d", item.describe(), fileId, item.getDocumentId());
                return;
            }
            Long seq = exchange.getProperty(SEQ, Long.class);
            if (seq != null) {
                order.missed(seq);
            }
            delay = released != null && exchange.getProperty(POLLED) == null
                    // Released and not done yet: ours is being processed now.
                    ? Math.max(5 * MIN_GAP_MILLIS, delay / 2)
                    : missDelay(delay, exchange.getProperty(POLLED) == null);
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
