package io.mayaningest.ledger;

import io.mayaningest.core.LedgerState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.core.IngestRequest;
import io.quarkus.arc.Arc;
import jakarta.enterprise.inject.Default;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

/**
 * The durable record of every item (embedded H2 by default, PostgreSQL by configuration; schema by
 * Flyway). It is what makes a restart safe: an item seen again at its source resumes from the state
 * recorded here and is never uploaded twice.
 */
@ApplicationScoped
public class Ledger {

    private static final Logger LOG = Logger.getLogger(Ledger.class);
    private static final int MAX_ERROR = 4000;

    public record Entry(String id, String source, String sourceKind, String sourceKey, String sourcePath, String fileName,
            String sha256, Long size, LedgerState state, Long documentId, Long fileId, int attempts, String lastError,
            String fix, String label, String mapping, String payloadRef, String duplicateOf, Instant uploadingAt,
            Instant acknowledgedAt, Instant createdAt, Instant updatedAt) {

        /**
         * The item's path below its source folder: its own column since V4; for an older row, the source
         * key {@code path|size|mtime} read from the end, since a file name may contain '|'.
         */
        public String relativePath() {
            if (sourcePath != null) {
                return sourcePath;
            }
            int last = sourceKey.lastIndexOf('|');
            int before = last <= 0 ? -1 : sourceKey.lastIndexOf('|', last - 1);
            if (before < 0 || sourceKey.startsWith(HASHED_KEY_PREFIX)) {
                throw new IllegalStateException("ledger row " + id + " does not record where its file was");
            }
            return sourceKey.substring(0, before);
        }
    }

    /**
     * Longest source key stored as it is, in UTF-8 bytes: source_key is VARCHAR(2000) and, with the
     * source name, must fit PostgreSQL's B-tree index row (about 2700 bytes). A longer key (a deep path)
     * is stored as its SHA-256; the full path is in source_path.
     */
    static final int MAX_KEY_BYTES = 1500;
    static final String HASHED_KEY_PREFIX = "sha256:";
    /** H2's "The database has been closed" (ErrorCode.DATABASE_IS_CLOSED). */
    private static final int H2_DATABASE_IS_CLOSED = 90098;

    /** States of an item whose upload started and which is not finished (nor quarantined). */
    private static final List<String> UNFINISHED_UPLOADS = List.of(LedgerState.UPLOADING.name(),
            LedgerState.UPLOADED.name(), LedgerState.FILE_CONFIRMED.name(), LedgerState.ENRICHED.name());

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final boolean postgres;
    private final ClaimStore claims;
    private final String replicaId;
    private final java.time.Duration claimLease;

    /** Exchange property: this exchange holds its item's claim (true), or left the item to another replica (false). */
    public static final String CLAIMED_PROPERTY = "mayanIngestClaimed";

    public Ledger(@ConfigProperty(name = "quarkus.datasource.pg.active", defaultValue = "false") boolean postgres,
            ObjectMapper json, IngestConfig config) {
        // Only the active datasource may be looked up (an inactive one fails), so it is chosen here.
        this.dataSource = postgres
                ? Arc.container().select(AgroalDataSource.class, new io.quarkus.agroal.DataSource.DataSourceLiteral("pg")).get()
                : Arc.container().select(AgroalDataSource.class, Default.Literal.INSTANCE).get();
        this.json = json;
        this.postgres = postgres;
        LOG.infof("Ledger on %s", postgres ? "PostgreSQL (datasource pg)" : "embedded H2");
        this.claims = new ClaimStore(dataSource, postgres);
        this.replicaId = config.replicaId().filter(s -> !s.isBlank()).orElseGet(Ledger::defaultReplicaId);
        this.claimLease = config.ledger().claimLease();
        if (claimLease.toMillis() < 1000) {
            throw new IllegalArgumentException("ingest.ledger.claim-lease must be at least 1s, not " + claimLease);
        }
        if (claimsActive()) {
            LOG.infof("Ledger claims on: replica %s, claim lease %s (items are shared with every replica on this ledger)",
                    replicaId, claimLease);
        }
    }

    // ---- claims: several replicas on one ledger ------------------------------------------------

    /**
     * Claims are taken on PostgreSQL only: H2 is the one-instance ledger (a second process cannot open
     * its file), so a claim there would only make a restarted instance wait for its own old leases.
     */
    public boolean claimsActive() {
        return postgres;
    }

    public String replicaId() {
        return replicaId;
    }

    public java.time.Duration claimLease() {
        return claimLease;
    }

    ClaimStore claimStore() {
        return claims;
    }

    private static String defaultReplicaId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "replica";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /**
     * Route step after the source read its item (its key is known): the item is claimed for this
     * replica, and the claim is released when the exchange ends, whatever its outcome (done,
     * quarantined, left for a later poll). An item another live replica holds is left alone: the
     * exchange ends here, unacknowledged, and the source offers it again at a later poll. So does a
     * file gone from its folder meanwhile (the replica that held it moved it to done/ after this one
     * listed it), which is not an error of this replica.
     */
    public void claim(Exchange exchange) {
        if (!decide(exchange)) {
            exchange.setRouteStop(true);
        }
    }

    /**
     * For the error path too (a read that failed before the claim step): false when the exchange's item
     * is another replica's business (held by it, or gone from the folder meanwhile), after which this
     * replica neither retries, nor quarantines, nor counts it. Always true without claims.
     */
    public boolean holds(Exchange exchange) {
        try {
            return decide(exchange);
        } catch (RuntimeException e) {
            // The ledger itself failing is the failure being handled: it goes on as without claims.
            LOG.debugf("claim check failed: %s", e.getMessage());
            return true;
        }
    }

    private boolean decide(Exchange exchange) {
        if (!claimsActive()) {
            return true;
        }
        Boolean known = exchange.getProperty(CLAIMED_PROPERTY, Boolean.class);
        if (known != null) {
            return known;
        }
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        if (item == null) {
            return true;
        }
        boolean mine;
        if (item.getSourceKey() == null) {
            // The read failed before it knew the key; only a file that vanished is left alone.
            mine = !gone(item);
        } else if (!tryClaim(item)) {
            LOG.debugf("%s is held by another replica; left for a later poll", item.describe());
            mine = false;
        } else {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    release(item);
                }
            });
            mine = !gone(item);
        }
        exchange.setProperty(CLAIMED_PROPERTY, mine);
        return mine;
    }

    /** A file item whose file is no longer there (taken by another replica between its listing and now). */
    private static boolean gone(IngestRequest item) {
        boolean gone = "file".equals(item.getSourceKind()) && item.getPayload() != null
                && java.nio.file.Files.notExists(item.getPayload(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (gone) {
            LOG.debugf("%s is gone from its folder (another replica finished it); nothing to do", item.describe());
        }
        return gone;
    }

    /** True when this replica holds the item's claim now; always true without claims. */
    public boolean tryClaim(IngestRequest item) {
        if (!claimsActive()) {
            return true;
        }
        try {
            return claims.claim(item.getSourceName(), storedKey(item.getSourceKey()), replicaId, claimLease);
        } catch (SQLException e) {
            throw new IllegalStateException("ledger claim of " + item.describe() + " failed: " + e.getMessage(), e);
        }
    }

    /** The item's claim goes (it is finished, quarantined or left for a later poll). */
    public void release(IngestRequest item) {
        if (!claimsActive() || item.getSourceKey() == null) {
            return;
        }
        try {
            claims.release(item.getSourceName(), storedKey(item.getSourceKey()), replicaId);
        } catch (SQLException e) {
            // Not fatal: the claim expires after its lease and the item is then anyone's again.
            LOG.warnf("The ledger could not release the claim of %s (it expires in %s): %s", item.describe(),
                    claimLease, e.getMessage());
        }
    }

    /**
     * claims: just before an upload, the item's claim must still be this replica's. Another replica
     * takes it over only after this one failed to renew it for a whole lease (a stall, a lost ledger
     * connection); then that one finishes the item and this one must not upload it too. An item
     * without a claim row (sources that take no claim: http, mail) goes on.
     */
    private void ensureStillClaimed(IngestRequest item) {
        if (!claimsActive() || item.getSourceKey() == null) {
            return;
        }
        Optional<String> holder;
        try {
            holder = claims.holder(item.getSourceName(), storedKey(item.getSourceKey()));
        } catch (SQLException e) {
            throw new IllegalStateException("ledger claim check of " + item.describe() + " failed: " + e.getMessage(), e);
        }
        if (holder.isPresent() && !holder.get().equals(replicaId)) {
            throw io.mayaningest.core.IngestException.transientFailure("replica " + holder.get() + " took over "
                    + item.describe() + " after this replica's claim expired (its renewals failed for "
                    + claimLease + ")", "nothing to do: replica " + holder.get() + " finishes it", null);
        }
    }

    /** The heartbeat: every claim of this replica lasts another lease. How many it holds. */
    public int renewClaims() throws SQLException {
        return claimsActive() ? claims.renew(replicaId, claimLease) : 0;
    }

    /**
     * Attaches the item to its ledger row: the row of the same source item if one exists (a restart, a
     * transient failure, or a file put back after quarantine), else a new RECEIVED row.
     * <p>
     * The same source item means the same key (path, size and time stamp for a file) and the same
     * content: a scanner that reuses {@code scan.pdf}, {@code cp -p}, unzip and rsync keep size and time
     * stamp while the bytes differ, and such a file is a new item, never "already ingested". A row
     * without a checksum (quarantined before the file was read) has not reached Mayan and is resumed.
     */
    public void begin(IngestRequest item) {
        beginAs(item, UUID.randomUUID().toString());
    }

    /**
     * {@link #begin(IngestRequest)} with the ingest id a new row gets chosen by the caller, who can so
     * mark the item as its own before the row exists (HttpIntake#accepting).
     */
    public void beginAs(IngestRequest item, String idOfNewRow) {
        Optional<Entry> existing = findSameItem(item);
        if (existing.isPresent()) {
            Entry e = existing.get();
            item.setIngestId(e.id());
            item.setDocumentId(e.documentId());
            item.setFileId(e.fileId());
            LedgerState state = e.state() == LedgerState.FAILED ? resumeStateOf(e) : e.state();
            item.setReplay(e.state() == LedgerState.FAILED);
            item.setState(state.name());
            update(e.id(), "UPDATE ingest_item SET state = ?, sha256 = COALESCE(?, sha256),"
                    + " source_path = COALESCE(source_path, ?), replica = ?, updated_at = ? WHERE id = ?",
                    state.name(), item.getSha256(), item.getSourcePath(), replicaId, now(), e.id());
            if (state != LedgerState.RECEIVED) {
                LOG.infof("%s resumes at %s (ingest %s, document %s)", item.describe(), state, e.id(), e.documentId());
            }
            return;
        }
        String id = idOfNewRow;
        Timestamp now = now();
        update(id, "INSERT INTO ingest_item (id, source, source_kind, source_key, source_path, file_name, sha256,"
                + " size_bytes, state, payload_ref, attempts, replica, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)", id,
                item.getSourceName(), item.getSourceKind(), storedKey(item.getSourceKey()), item.getSourcePath(),
                item.getFileName(), item.getSha256(),
                item.getSize(), LedgerState.RECEIVED.name(),
                item.getPayload() == null ? null : item.getPayload().toString(), replicaId, now, now);
        // Only once the row exists: an item whose row could not be written has no ingest id to update later.
        item.setIngestId(id);
        item.setState(LedgerState.RECEIVED.name());
    }

    /** The item passed validation; its mapping is kept for the operator's view of it. */
    public void validated(IngestRequest item) {
        if (LedgerState.valueOf(item.getState()) != LedgerState.RECEIVED) {
            return;
        }
        item.setState(LedgerState.VALIDATED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, label = ?, mapping = ?, updated_at = ? WHERE id = ?",
                LedgerState.VALIDATED.name(), cut(item.getLabel(), 1000), mappingOf(item), now(), item.getIngestId());
    }

    /** Written just before the upload request: after a crash, Mayan may have the document without us knowing its id. */
    public void uploading(IngestRequest item) {
        ensureStillClaimed(item);
        item.setState(LedgerState.UPLOADING.name());
        Timestamp now = now();
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, uploading_at = ?, updated_at = ? WHERE id = ?",
                LedgerState.UPLOADING.name(), now, now, item.getIngestId());
    }

    /**
     * Mayan refused the upload request before handling it (401, 403, 429: Django REST framework
     * authenticates, checks permissions and throttles before the view runs), so it created nothing:
     * the item is back where it was before the request, and the next attempt uploads at once instead
     * of looking for a document for {@code mayan.interrupted-upload-grace}.
     */
    public void uploadRefused(IngestRequest item) {
        item.setState(LedgerState.VALIDATED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, uploading_at = NULL, updated_at = ? WHERE id = ?",
                LedgerState.VALIDATED.name(), now(), item.getIngestId());
    }

    public Optional<Instant> uploadingAt(IngestRequest item) {
        return find(item.getIngestId()).map(Entry::uploadingAt);
    }

    /**
     * Enrichment finished. Not written: {@link #done} follows at once and records it. (Every ledger write
     * is a commit of its own, about an eighth of the service's CPU per document on H2; a crash between the
     * two leaves the row at its last written step, whose resume repeats the enrichment, which Mayan
     * answers as already set.)
     */
    public void enriched(IngestRequest item) {
        item.setState(LedgerState.ENRICHED.name());
    }

    /** The content is already in Mayan through an earlier item: done, without an upload. */
    public void duplicate(IngestRequest item, Entry original) {
        item.setState(LedgerState.DONE.name());
        item.setDocumentId(original.documentId());
        item.setFileId(original.fileId());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, document_id = ?, file_id = ?, duplicate_of = ?,"
                + " updated_at = ? WHERE id = ?", LedgerState.DONE.name(), original.documentId(), original.fileId(),
                original.id(), now(), item.getIngestId());
    }

    /** The newest completed item with this content, from any source. */
    public Optional<Entry> findDoneBySha256(String sha256, String exceptId) {
        return query("SELECT * FROM ingest_item WHERE sha256 = ? AND state = ? AND id <> ? AND document_id IS NOT NULL"
                + " ORDER BY updated_at DESC", sha256, LedgerState.DONE.name(), exceptId).stream().findFirst();
    }

    /**
     * Other items with this content whose upload started but did not finish, changed since
     * {@code since}: an item interrupted by a crash or left at its source after its retries, which
     * comes back at its next poll; one that has not been seen since then is not waited for.
     */
    public List<Entry> findUnfinishedBySha256(String sha256, String exceptId, Instant since) {
        return query("SELECT * FROM ingest_item WHERE sha256 = ? AND id <> ? AND state IN (?, ?, ?, ?)"
                + " AND updated_at > ? ORDER BY created_at", sha256, exceptId, UNFINISHED_UPLOADS.get(0),
                UNFINISHED_UPLOADS.get(1), UNFINISHED_UPLOADS.get(2), UNFINISHED_UPLOADS.get(3), Timestamp.from(since));
    }

    /** Another item that already owns this Mayan document (its own upload, or adopted). */
    public Optional<Entry> findOwnerOfDocument(long documentId, String exceptId) {
        return query("SELECT * FROM ingest_item WHERE document_id = ? AND id <> ? AND duplicate_of IS NULL"
                + " ORDER BY created_at", documentId, exceptId).stream().findFirst();
    }

    /** The source has acknowledged the item (moved, deleted, flagged, committed). */
    public void acknowledged(IngestRequest item) {
        update(item.getIngestId(), "UPDATE ingest_item SET acknowledged_at = ?, updated_at = ? WHERE id = ?",
                now(), now(), item.getIngestId());
    }

    /** The same, by the row's id (see {@link #findDoneUnacknowledged}). */
    public void acknowledged(String id) {
        update(id, "UPDATE ingest_item SET acknowledged_at = ?, updated_at = ? WHERE id = ?", now(), now(), id);
    }

    /** Items of one source done in Mayan whose acknowledgement at the source was not recorded (a crash in between). */
    public List<Entry> findDoneUnacknowledged(String source) {
        return query("SELECT * FROM ingest_item WHERE source = ? AND state = ? AND acknowledged_at IS NULL"
                + " ORDER BY created_at", source, LedgerState.DONE.name());
    }

    /** Where the payload of a quarantined item now is (error folder, spool, dead-letter queue). */
    public void payloadMoved(IngestRequest item, String payloadRef) {
        update(item.getIngestId(), "UPDATE ingest_item SET payload_ref = ?, updated_at = ? WHERE id = ?",
                payloadRef, now(), item.getIngestId());
    }

    public void replayRequested(String id, String reason) {
        update(id, "UPDATE ingest_item SET replays = replays + 1, replay_reason = ?, updated_at = ? WHERE id = ?",
                cut(reason, 1000), now(), id);
    }

    public void discarded(String id) {
        update(id, "UPDATE ingest_item SET state = ?, updated_at = ? WHERE id = ?", LedgerState.DISCARDED.name(), now(),
                id);
    }

    public List<Entry> findByState(LedgerState state, int limit, int offset) {
        return query("SELECT * FROM ingest_item WHERE state = ? ORDER BY updated_at DESC LIMIT ? OFFSET ?",
                state.name(), limit, offset);
    }

    public List<Entry> findByStateAndSource(LedgerState state, String source, int limit, int offset) {
        return query("SELECT * FROM ingest_item WHERE state = ? AND source = ? ORDER BY updated_at DESC"
                + " LIMIT ? OFFSET ?", state.name(), source, limit, offset);
    }

    public long count(LedgerState state) {
        return scalar("SELECT COUNT(*) FROM ingest_item WHERE state = ?", state.name());
    }

    /** The mapping an item was accepted with, as stored in the ledger (the http source compares an idempotent retry with it). */
    public String mappingOf(IngestRequest item) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("documentType", item.getDocumentType());
        m.put("label", item.getLabel());
        m.put("description", item.getDescription());
        m.put("language", item.getLanguage());
        m.put("metadata", item.getMetadata());
        m.put("tags", item.getTags());
        m.put("cabinets", item.getCabinets());
        m.put("documentId", item.getTargetDocumentId());
        m.put("action", item.getAction());
        try {
            return cut(json.writeValueAsString(m), 65535);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /**
     * A quarantined item that comes back resumes from the furthest step it had reached: with a file
     * id it only needs enriching, with a document id it is polled, after an interrupted upload it is
     * looked for in Mayan, else it starts over. Whether the document it reached is still in Mayan is
     * for the upload step to ask ({@link #restartFromUpload}), since only it talks to Mayan.
     */
    private static LedgerState resumeStateOf(Entry e) {
        if (e.fileId() != null) {
            return LedgerState.FILE_CONFIRMED;
        }
        if (e.documentId() != null) {
            return LedgerState.UPLOADED;
        }
        return e.uploadingAt() != null ? LedgerState.UPLOADING : LedgerState.RECEIVED;
    }

    /**
     * A replayed item whose document is gone from Mayan (trashed or deleted), or does not hold its
     * content: it starts again from the upload, as a new document. The old ids stay in its reason.
     */
    public void restartFromUpload(IngestRequest item) {
        item.setState(LedgerState.VALIDATED.name());
        item.setDocumentId(null);
        item.setFileId(null);
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, document_id = NULL, file_id = NULL,"
                + " uploading_at = NULL, updated_at = ? WHERE id = ?", LedgerState.VALIDATED.name(), now(),
                item.getIngestId());
    }

    public void uploaded(IngestRequest item) {
        item.setState(LedgerState.UPLOADED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, document_id = ?, updated_at = ? WHERE id = ?",
                LedgerState.UPLOADED.name(), item.getDocumentId(), now(), item.getIngestId());
    }

    /**
     * Mayan shows our file. Not written on its own: the file id goes to the ledger with the item's end
     * ({@link #done} or {@link #failed}), one commit fewer per document. A crash before that leaves the row
     * at UPLOADED with its document id, and the resume looks at the document's files once more (one call)
     * instead of uploading again.
     */
    public void fileConfirmed(IngestRequest item) {
        item.setState(LedgerState.FILE_CONFIRMED.name());
    }

    public void done(IngestRequest item) {
        item.setState(LedgerState.DONE.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, file_id = COALESCE(?, file_id), last_error = NULL,"
                + " updated_at = ? WHERE id = ?", LedgerState.DONE.name(), item.getFileId(), now(), item.getIngestId());
    }

    public void failed(IngestRequest item, String reason, String fix) {
        item.setState(LedgerState.FAILED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, last_error = ?, fix = ?, label = COALESCE(label, ?),"
                + " mapping = COALESCE(mapping, ?), file_id = COALESCE(?, file_id), attempts = attempts + 1,"
                + " updated_at = ? WHERE id = ?",
                LedgerState.FAILED.name(), cut(reason), cut(fix), cut(item.getLabel(), 1000), mappingOf(item),
                item.getFileId(), now(), item.getIngestId());
    }

    /** A transient failure: the state stays, the attempt and its cause are recorded. */
    public void attemptFailed(IngestRequest item, String reason) {
        if (item.getIngestId() == null) {
            return;
        }
        update(item.getIngestId(), "UPDATE ingest_item SET attempts = attempts + 1, last_error = ?, updated_at = ?"
                + " WHERE id = ?", cut(reason), now(), item.getIngestId());
    }

    public Optional<Entry> find(String id) {
        List<Entry> rows = query("SELECT * FROM ingest_item WHERE id = ?", id);
        return rows.stream().findFirst();
    }

    public Optional<Entry> findBySourceKey(String source, String sourceKey) {
        return newestOfKey(source, sourceKey, "");
    }

    /** The row of the same source item with the same content (or not read yet), newest first; see {@link #begin}. */
    private Optional<Entry> findSameItem(IngestRequest item) {
        return newestOfKey(item.getSourceName(), item.getSourceKey(), " AND (sha256 = ? OR sha256 IS NULL)",
                item.getSha256());
    }

    /**
     * The newest row of a source key. A key stored before V4 (up to 2000 characters) is found as it is, a
     * longer one by its hash. One equality per key, not {@code source_key IN (?, ?)}: H2 used only the
     * index's first column (the source) for the IN list and read every row of the source, a cost per item
     * that grew with the ledger.
     */
    private Optional<Entry> newestOfKey(String source, String sourceKey, String condition, Object... args) {
        String stored = storedKey(sourceKey);
        List<Entry> rows = new ArrayList<>();
        for (String key : stored.equals(sourceKey) ? List.of(sourceKey) : List.of(sourceKey, stored)) {
            Object[] all = new Object[args.length + 2];
            all[0] = source;
            all[1] = key;
            System.arraycopy(args, 0, all, 2, args.length);
            rows.addAll(query("SELECT * FROM ingest_item WHERE source = ? AND source_key = ?" + condition
                    + " ORDER BY created_at DESC", all));
        }
        return rows.stream().max(java.util.Comparator.comparing(Entry::createdAt));
    }

    /** The key as stored: itself when short enough for the column and its index, else its SHA-256. */
    static String storedKey(String key) {
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= MAX_KEY_BYTES) {
            return key;
        }
        try {
            return HASHED_KEY_PREFIX + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the probe row: only a write shows the ledger can record (see V4__source_path_and_probe.sql).
     * Empty when it worked, else why not.
     */
    public Optional<String> probe() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE ledger_probe SET probed_at = ? WHERE id = 1")) {
            ps.setTimestamp(1, now());
            ps.executeUpdate();
            return Optional.empty();
        } catch (SQLException e) {
            reopenIfClosed(e);
            return Optional.of(firstLine(e.getMessage()));
        }
    }

    public boolean isPostgres() {
        return postgres;
    }

    /**
     * H2 closes its database for good when a write fails (a full disk): every connection then answers
     * "The database has been closed" even after space is back, although isValid() still says true, so
     * the pool would never replace them. Closing them all lets the next connection open the database
     * again from its file (the last committed state; WRITE_DELAY=0 means nothing committed is lost).
     * If the disk is still full, the next write fails and this runs again: cheap, and it needs no restart.
     */
    private void reopenIfClosed(SQLException e) {
        if (postgres || !closedByH2(e)) {
            return;
        }
        LOG.errorf("The ledger (H2) closed itself after a failed write (%s); closing its connections so that it is"
                + " opened again from its file", firstLine(e.getMessage()));
        dataSource.flush(AgroalDataSource.FlushMode.ALL);
    }

    private static boolean closedByH2(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == H2_DATABASE_IS_CLOSED) {
                return true;
            }
            // The write that fails first: H2 wraps the MVStore's error in a general error (50000) and closes.
            if (t.getClass().getName().equals("org.h2.mvstore.MVStoreException")
                    || (t.getMessage() != null && t.getMessage().contains("MVStoreException"))) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** States of an item taken from its source and not finished (neither done nor quarantined). */
    private static final List<String> WAITING = List.of(LedgerState.RECEIVED.name(), LedgerState.VALIDATED.name(),
            LedgerState.UPLOADING.name(), LedgerState.UPLOADED.name(), LedgerState.FILE_CONFIRMED.name(),
            LedgerState.ENRICHED.name());

    /**
     * The operator console's item list, newest change first: each filter applies when not null;
     * {@code q} matches the ingest id exactly or a part of the file name (case-insensitive).
     */
    public List<Entry> search(String source, LedgerState state, String q, int limit, int offset) {
        List<Object> args = new ArrayList<>();
        String where = searchWhere(source, state, q, args);
        args.add(limit);
        args.add(offset);
        return query("SELECT * FROM ingest_item" + where + " ORDER BY updated_at DESC LIMIT ? OFFSET ?", args.toArray());
    }

    public long countSearch(String source, LedgerState state, String q) {
        List<Object> args = new ArrayList<>();
        String where = searchWhere(source, state, q, args);
        return scalar("SELECT COUNT(*) FROM ingest_item" + where, args.toArray());
    }

    private static String searchWhere(String source, LedgerState state, String q, List<Object> args) {
        List<String> terms = new ArrayList<>();
        if (source != null) {
            terms.add("source = ?");
            args.add(source);
        }
        if (state != null) {
            terms.add("state = ?");
            args.add(state.name());
        }
        if (q != null) {
            // LIKE's wildcards in the operator's text are meant literally.
            String like = "%" + q.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%";
            terms.add("(id = ? OR LOWER(file_name) LIKE ? ESCAPE '\\')");
            args.add(q);
            args.add(like);
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    /** Per source: items created since {@code since} that are done (uploaded), skipped as duplicates, quarantined. */
    public Map<String, long[]> countsSince(Instant since) {
        Map<String, long[]> counts = new java.util.TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT source, state, CASE WHEN duplicate_of IS NULL THEN 0 ELSE 1 END AS dup, COUNT(*) AS n"
                        + " FROM ingest_item WHERE created_at >= ? AND state IN (?, ?)"
                        + " GROUP BY source, state, CASE WHEN duplicate_of IS NULL THEN 0 ELSE 1 END")) {
            bind(ps, Timestamp.from(since), LedgerState.DONE.name(), LedgerState.FAILED.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] row = counts.computeIfAbsent(rs.getString("source"), k -> new long[3]);
                    boolean failed = LedgerState.FAILED.name().equals(rs.getString("state"));
                    row[failed ? 2 : rs.getInt("dup") == 1 ? 1 : 0] += rs.getLong("n");
                }
            }
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new IllegalStateException("ledger count failed: " + e.getMessage(), e);
        }
        return counts;
    }

    /** Per source: when its oldest unfinished item was received. */
    public Map<String, Instant> oldestWaiting() {
        Map<String, Instant> oldest = new java.util.TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT source, MIN(created_at) AS oldest FROM ingest_item WHERE state IN (?, ?, ?, ?, ?, ?) GROUP BY source")) {
            bind(ps, WAITING.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oldest.put(rs.getString("source"), rs.getTimestamp("oldest").toInstant());
                }
            }
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new IllegalStateException("ledger query failed: " + e.getMessage(), e);
        }
        return oldest;
    }

    private long scalar(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new IllegalStateException("ledger count failed: " + e.getMessage(), e);
        }
    }

    /**
     * Keeps an accepted item's label and mapping before it is validated (an upload accepted while
     * Mayan is unreachable): the item is rebuilt from its row after a restart.
     */
    public void mappingAccepted(IngestRequest item) {
        update(item.getIngestId(), "UPDATE ingest_item SET label = ?, mapping = ?, updated_at = ? WHERE id = ?",
                cut(item.getLabel(), 1000), mappingOf(item), now(), item.getIngestId());
    }

    /** Items of one source kind taken in and not finished (neither done nor quarantined), oldest first. */
    public List<Entry> findUnfinishedOfKind(String sourceKind) {
        List<Object> args = new ArrayList<>();
        args.add(sourceKind);
        args.addAll(WAITING);
        return query("SELECT * FROM ingest_item WHERE source_kind = ? AND state IN (?, ?, ?, ?, ?, ?) ORDER BY created_at",
                args.toArray());
    }

    public List<Entry> all() {
        return query("SELECT * FROM ingest_item ORDER BY created_at");
    }

    private List<Entry> query(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<Entry> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Entry(rs.getString("id"), rs.getString("source"), rs.getString("source_kind"),
                            rs.getString("source_key"), rs.getString("source_path"), rs.getString("file_name"), rs.getString("sha256"),
                            nullableLong(rs, "size_bytes"), LedgerState.valueOf(rs.getString("state")),
                            nullableLong(rs, "document_id"), nullableLong(rs, "file_id"), rs.getInt("attempts"),
                            rs.getString("last_error"), rs.getString("fix"), rs.getString("label"),
                            rs.getString("mapping"), rs.getString("payload_ref"), rs.getString("duplicate_of"),
                            instant(rs, "uploading_at"), instant(rs, "acknowledged_at"),
                            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant()));
                }
                return rows;
            }
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new IllegalStateException("ledger query failed: " + e.getMessage(), e);
        }
    }

    private void update(String id, String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("ledger row " + id + " was not written");
            }
        } catch (SQLException e) {
            reopenIfClosed(e);
            throw new IllegalStateException("ledger update of " + id + " failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                // Types.NULL leaves the type to the column (PostgreSQL sends it as "unspecified").
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    private static String cut(String s) {
        return cut(s, MAX_ERROR);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
