package io.mayaningest.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The claims of source items (table {@code ingest_claim}, V5): which replica works on an item, until
 * when. Plain SQL that PostgreSQL and H2 both run, each statement on its own (auto-commit), so no
 * transaction and no lock is held between two statements:
 * <ul>
 * <li>claim: take over the row if it is this replica's or its lease expired ({@code UPDATE ... WHERE
 * claimed_by = me OR expires_at < now}); else insert it, which the primary key lets only one replica
 * do. Nothing updated and nothing inserted: another live replica holds it.
 * <li>renew: every claim of this replica gets a new expiry (the heartbeat).
 * <li>release: the row is deleted, only by its holder.
 * </ul>
 * Expiry uses the replicas' clocks (times with a zone, so time zones do not matter): the lease must be
 * longer than the clock difference between two replicas (NTP keeps it far below a second).
 */
public final class ClaimStore {

    /** SQLState of a unique or primary key violation, in PostgreSQL and H2 alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final boolean postgres;

    public ClaimStore(DataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
    }

    /** True when {@code me} holds the item's claim now (new, renewed, or taken over from an expired holder). */
    public boolean claim(String source, String key, String me, Duration lease) throws SQLException {
        OffsetDateTime now = now();
        OffsetDateTime expires = now.plus(lease);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ingest_claim SET claimed_by = ?, expires_at = ?,"
                    + " claimed_at = CASE WHEN claimed_by = ? THEN claimed_at ELSE ? END"
                    + " WHERE source = ? AND source_key = ? AND (claimed_by = ? OR expires_at < ?)")) {
                ps.setString(1, me);
                ps.setObject(2, expires);
                ps.setString(3, me);
                ps.setObject(4, now);
                ps.setString(5, source);
                ps.setString(6, key);
                ps.setString(7, me);
                ps.setObject(8, now);
                if (ps.executeUpdate() == 1) {
                    return true;
                }
            }
            // PostgreSQL's ON CONFLICT keeps a held claim out of its server log as an error; H2 says it by SQLState.
            String insert = "INSERT INTO ingest_claim (source, source_key, claimed_by, expires_at, claimed_at)"
                    + " VALUES (?, ?, ?, ?, ?)" + (postgres ? " ON CONFLICT DO NOTHING" : "");
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, source);
                ps.setString(2, key);
                ps.setString(3, me);
                ps.setObject(4, expires);
                ps.setObject(5, now);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        }
    }

    /** The heartbeat: every claim {@code me} holds lasts {@code lease} from now. How many it holds. */
    public int renew(String me, Duration lease) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE ingest_claim SET expires_at = ? WHERE claimed_by = ?")) {
            ps.setObject(1, now().plus(lease));
            ps.setString(2, me);
            return ps.executeUpdate();
        }
    }

    /** The item is finished (or left for a later poll): its claim goes, if {@code me} still holds it. */
    public void release(String source, String key, String me) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM ingest_claim WHERE source = ? AND source_key = ? AND claimed_by = ?")) {
            ps.setString(1, source);
            ps.setString(2, key);
            ps.setString(3, me);
            ps.executeUpdate();
        }
    }

    /** Who holds the item's claim, expired or not. */
    public Optional<String> holder(String source, String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT claimed_by FROM ingest_claim WHERE source = ? AND source_key = ?")) {
            ps.setString(1, source);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
