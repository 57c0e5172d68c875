package io.mayaningest.source.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanGate;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.core.SafeNames;
import io.mayaningest.source.Spool;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

/**
 * The items of the http sources between their acceptance and their end: handed to the pipeline
 * ({@link HttpSourceRoutes#QUEUE}) without the request waiting, taken up again after a restart or when
 * Mayan is back (from their ledger rows; the spooled upload is their payload), and followed by
 * clients that long-poll their status.
 * <p>
 * The items in the pipeline now are known in memory, like {@code Duplicates}' in-flight record: one
 * service per ledger (README, "Known limits"); after a crash nothing is in flight and every
 * unfinished row is resumed, which its ledger state makes safe (never uploaded twice).
 */
@ApplicationScoped
public class HttpIntake {

    private static final Logger LOG = Logger.getLogger(HttpIntake.class);
    static final String KEY_PREFIX = "idempotency-key:";
    static final String UPLOAD_PREFIX = "upload:";

    private final IngestConfig config;
    private final Ledger ledger;
    private final MayanGate gate;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Items whose request is being decided (from before ledger.begin until handed over): resume() leaves them alone. */
    private final Set<String> accepting = ConcurrentHashMap.newKeySet();
    /** How long a row without its mapping is taken to belong to a request still being decided. */
    private static final java.time.Duration ACCEPTING = java.time.Duration.ofMinutes(5);
    /** Requests waiting (?wait=) for an item to change: completed when its exchange ends, or by the sweep. */
    private final Map<String, CompletableFuture<Void>> changes = new ConcurrentHashMap<>();
    /** Striped locks for idempotency keys: a fixed set, so no lock is ever dropped while someone waits on it. */
    private final Object[] keyLocks = new Object[64];
    private final ScheduledExecutorService sweeper;

    private final io.mayaningest.source.MappingCheck mappingCheck;

    public HttpIntake(IngestConfig config, Ledger ledger, MayanGate gate, ProducerTemplate producer, ObjectMapper json,
            io.mayaningest.source.MappingCheck mappingCheck) {
        this.mappingCheck = mappingCheck;
        this.config = config;
        this.ledger = ledger;
        this.gate = gate;
        this.producer = producer;
        this.json = json;
        for (int i = 0; i < keyLocks.length; i++) {
            keyLocks[i] = new Object();
        }
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "http-status-sweep");
            t.setDaemon(true);
            return t;
        });
        // A state changed by anyone but this process's pipeline (an operator's discard, another replica) still wakes its waiters.
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        sweeper.shutdownNow();
    }

    /** Where an http source spools its uploads: its spool-path, else {@code <data-dir>/spool/<source>}. */
    Path spoolRoot(String sourceName, SourceConfig source) {
        return source.spoolPath().map(Path::of).orElseGet(() -> Path.of(config.dataDir(), "spool",
                SafeNames.segment(sourceName))).toAbsolutePath().normalize();
    }

    /** The lock of one client's idempotency key on one source: its requests are decided one after the other. */
    Object keyLock(String sourceName, String sourceKey) {
        return keyLocks[Math.floorMod((sourceName + "|" + sourceKey).hashCode(), keyLocks.length)];
    }

    /**
     * The request of this item is being decided: from before its row is written until {@link #accepted}
     * (handed over, or refused), {@link #resume()} does not rebuild it from a row that may still lack its
     * mapping.
     */
    void accepting(String ingestId) {
        accepting.add(ingestId);
    }

    /** The request of this item is decided: handed over to the pipeline or refused. */
    void accepted(String ingestId) {
        accepting.remove(ingestId);
    }

    /** Hands an accepted item to the pipeline; the request that brought it does not wait for it. */
    void submit(IngestRequest item) {
        if (!inFlight.add(item.getIngestId())) {
            return;
        }
        try {
            producer.sendBody(HttpSourceRoutes.QUEUE, item);
        } catch (RuntimeException e) {
            inFlight.remove(item.getIngestId());
            // The row stays unfinished; resume() hands it over again.
            LOG.warnf("Could not hand %s (ingest %s) to the pipeline now, it is tried again: %s", item.describe(),
                    item.getIngestId(), e.getMessage());
        }
    }

    /** First step of the item's route: its end (done, quarantined, left for later) releases it and wakes its waiters. */
    public void started(IngestRequest item, Exchange exchange) {
        String id = item.getIngestId();
        inFlight.add(id);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                inFlight.remove(id);
                changed(id);
            }
        });
    }

    /** Before the pipeline: Mayan must be able to take it (else it waits, unread by nobody, for resume()). */
    public void check(IngestRequest item) {
        if (!gate.isOpen()) {
            MayanGate.State state = gate.state();
            throw IngestException.transientFailure("Mayan cannot take documents now: " + state.reason(), state.fix(), null);
        }
        // A spooled upload of a source whose mapping names what Mayan lacks waits for the fix (MappingCheck).
        mappingCheck.admit(item.getSourceName(), false);
        if (item.getPayload() == null || !Files.isRegularFile(item.getPayload())) {
            throw IngestException.permanent("the spooled upload " + item.getPayload() + " is gone",
                    "upload the document again (a new request, or the same Idempotency-Key after discarding this item)");
        }
    }

    /**
     * Every unfinished item of the http sources that is not in the pipeline now goes (back) in: after
     * a restart, after Mayan was unreachable, after a transient failure used up its retries.
     */
    public void resume() {
        if (!gate.isOpen()) {
            return;
        }
        for (Ledger.Entry entry : ledger.findUnfinishedOfKind(HttpSourceRoutes.KIND)) {
            if (inFlight.contains(entry.id()) || accepting.contains(entry.id())) {
                continue;
            }
            // A second guard for a row read just before its request wrote the mapping, handed it over and
            // finished: without a mapping and recently written, it is left to its request.
            if (entry.mapping() == null && entry.updatedAt() != null
                    && entry.updatedAt().isAfter(java.time.Instant.now().minus(ACCEPTING))) {
                // Its request is still being decided: the row exists (ledger.begin) but its mapping is not
                // written yet and the request has not handed it over. Rebuilt from the row now, it would
                // lack its document type and fail as "document type null" (e2e UploadApiIT met this once).
                continue;
            }
            SourceConfig source = config.sources().get(entry.source());
            if (source == null || !source.enabled() || !HttpSourceRoutes.KIND.equals(source.kind())) {
                continue;
            }
            IngestRequest item = rebuild(entry);
            LOG.infof("%s (ingest %s) resumes at %s", item.describe(), entry.id(), entry.state());
            submit(item);
        }
    }

    /** An operator's replay of a quarantined item: back into the pipeline, from the step its row reached. */
    void replay(Ledger.Entry entry) {
        IngestRequest item = rebuild(entry);
        if (item.getPayload() == null || !Files.isRegularFile(item.getPayload())) {
            throw new IllegalStateException("the spooled upload " + entry.payloadRef()
                    + " is gone; the client has to upload the document again");
        }
        submit(item);
    }

    /** The item as it was accepted, from its ledger row (its mapping is stored there). */
    IngestRequest rebuild(Ledger.Entry entry) {
        IngestRequest item = new IngestRequest();
        item.setIngestId(entry.id());
        item.setSourceName(entry.source());
        item.setSourceKind(entry.sourceKind());
        item.setSourceKey(entry.sourceKey());
        item.setFileName(entry.fileName());
        item.setSha256(entry.sha256());
        item.setSize(entry.size() == null ? 0 : entry.size());
        item.setPayload(entry.payloadRef() == null ? null : Path.of(entry.payloadRef()));
        item.setState(entry.state().name());
        try {
            JsonNode m = entry.mapping() == null ? json.createObjectNode() : json.readTree(entry.mapping());
            item.setDocumentType(text(m, "documentType"));
            item.setLabel(text(m, "label"));
            item.setDescription(text(m, "description"));
            item.setLanguage(text(m, "language"));
            for (Iterator<Map.Entry<String, JsonNode>> it = m.path("metadata").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                item.getMetadata().put(e.getKey(), e.getValue().asText());
            }
            m.path("tags").forEach(t -> item.getTags().add(t.asText()));
            m.path("cabinets").forEach(c -> item.getCabinets().add(c.asText()));
            if (m.hasNonNull("documentId")) {
                item.setTargetDocumentId(m.get("documentId").asLong());
            }
            item.setAction(text(m, "action"));
        } catch (IOException e) {
            throw new IllegalStateException("ledger row " + entry.id() + " has an unreadable mapping: " + e.getMessage(), e);
        }
        return item;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Completes when the item's exchange ends or its row changes, at the latest after {@code max}. */
    CompletableFuture<Void> nextChange(String id, Duration max) {
        return changes.computeIfAbsent(id, k -> new CompletableFuture<>()).copy()
                .completeOnTimeout(null, Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS);
    }

    void changed(String id) {
        CompletableFuture<Void> f = changes.remove(id);
        if (f != null) {
            f.complete(null);
        }
    }

    private void sweep() {
        if (changes.isEmpty()) {
            return;
        }
        try {
            for (String id : new ArrayList<>(changes.keySet())) {
                Optional<Ledger.Entry> e = ledger.find(id);
                if (e.isEmpty() || settled(e.get().state())) {
                    changed(id);
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf(e, "status sweep failed");
        }
    }

    static boolean settled(LedgerState state) {
        return state == LedgerState.DONE || state == LedgerState.FAILED || state == LedgerState.DISCARDED;
    }

    /**
     * Removes an item's spooled upload: its own folder below the source's spool, named by a random UUID
     * when the request was read (UploadResource). A payload anywhere else (a row written by hand, a
     * changed spool-path) loses only its file, never the folder it sits in.
     */
    void deleteSpooled(Path payload) {
        if (payload == null || payload.getParent() == null) {
            return;
        }
        if (isSpoolDirName(payload.getParent().getFileName())) {
            deleteSpoolDir(payload.getParent());
            return;
        }
        try {
            Files.deleteIfExists(payload);
        } catch (IOException e) {
            LOG.warnf("Could not remove the spooled upload %s: %s", payload, e.getMessage());
        }
    }

    static boolean isSpoolDirName(Path name) {
        if (name == null) {
            return false;
        }
        try {
            return UUID.fromString(name.toString()).toString().equals(name.toString());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    void deleteSpoolDir(Path dir) {
        try {
            Spool.deleteTree(dir);
        } catch (IOException e) {
            LOG.warnf("Could not remove the spooled upload %s: %s", dir, e.getMessage());
        }
    }
}
