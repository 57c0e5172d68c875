package io.mayaningest.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import io.mayaningest.pipeline.IngestRequest;
import jakarta.enterprise.context.ApplicationScoped;
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

    public record Entry(String id, String source, String sourceKey, String fileName, String sha256, Long size,
            LedgerState state, Long documentId, Long fileId, int attempts, String lastError, Instant createdAt,
            Instant updatedAt) {
    }

    private final DataSource dataSource;

    public Ledger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Attaches the item to its ledger row: the row of the same source item if one exists (a restart, a
     * transient failure, or a file put back after quarantine), else a new RECEIVED row.
     */
    public void begin(IngestRequest item) {
        Optional<Entry> existing = findBySourceKey(item.getSourceName(), item.getSourceKey());
        if (existing.isPresent()) {
            Entry e = existing.get();
            item.setIngestId(e.id());
            item.setDocumentId(e.documentId());
            item.setFileId(e.fileId());
            LedgerState state = e.state() == LedgerState.FAILED ? resumeStateOf(e) : e.state();
            item.setState(state.name());
            update(e.id(), "UPDATE ingest_item SET state = ?, sha256 = ?, updated_at = ? WHERE id = ?",
                    state.name(), item.getSha256(), now(), e.id());
            if (state != LedgerState.RECEIVED) {
                LOG.infof("%s resumes at %s (ingest %s, document %s)", item.describe(), state, e.id(), e.documentId());
            }
            return;
        }
        String id = UUID.randomUUID().toString();
        item.setIngestId(id);
        item.setState(LedgerState.RECEIVED.name());
        Timestamp now = now();
        update(id, "INSERT INTO ingest_item (id, source, source_key, file_name, sha256, size_bytes, state, attempts,"
                + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", id, item.getSourceName(),
                item.getSourceKey(), item.getFileName(), item.getSha256(), item.getSize(),
                LedgerState.RECEIVED.name(), now, now);
    }

    /** A quarantined item that comes back resumes from the furthest step it had reached. */
    private static LedgerState resumeStateOf(Entry e) {
        if (e.fileId() != null) {
            return LedgerState.FILE_CONFIRMED;
        }
        return e.documentId() != null ? LedgerState.UPLOADED : LedgerState.RECEIVED;
    }

    public void uploaded(IngestRequest item) {
        item.setState(LedgerState.UPLOADED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, document_id = ?, updated_at = ? WHERE id = ?",
                LedgerState.UPLOADED.name(), item.getDocumentId(), now(), item.getIngestId());
    }

    public void fileConfirmed(IngestRequest item) {
        item.setState(LedgerState.FILE_CONFIRMED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, file_id = ?, updated_at = ? WHERE id = ?",
                LedgerState.FILE_CONFIRMED.name(), item.getFileId(), now(), item.getIngestId());
    }

    public void done(IngestRequest item) {
        item.setState(LedgerState.DONE.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, last_error = NULL, updated_at = ? WHERE id = ?",
                LedgerState.DONE.name(), now(), item.getIngestId());
    }

    public void failed(IngestRequest item, String reason) {
        item.setState(LedgerState.FAILED.name());
        update(item.getIngestId(), "UPDATE ingest_item SET state = ?, last_error = ?, attempts = attempts + 1,"
                + " updated_at = ? WHERE id = ?", LedgerState.FAILED.name(), cut(reason), now(), item.getIngestId());
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
        return query("SELECT * FROM ingest_item WHERE source = ? AND source_key = ? ORDER BY created_at DESC",
                source, sourceKey).stream().findFirst();
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
                    rows.add(new Entry(rs.getString("id"), rs.getString("source"), rs.getString("source_key"),
                            rs.getString("file_name"), rs.getString("sha256"), nullableLong(rs, "size_bytes"),
                            LedgerState.valueOf(rs.getString("state")), nullableLong(rs, "document_id"),
                            nullableLong(rs, "file_id"), rs.getInt("attempts"), rs.getString("last_error"),
                            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant()));
                }
                return rows;
            }
        } catch (SQLException e) {
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
            throw new IllegalStateException("ledger update of " + id + " failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
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

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR - 1) + "…";
    }
}
