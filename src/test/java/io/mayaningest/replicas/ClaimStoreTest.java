package io.mayaningest.replicas;

import io.mayaningest.testing.Postgres;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import javax.sql.DataSource;

import io.mayaningest.ledger.ClaimStore;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The claim SQL of V5 (ClaimStore) on both ledgers, schema made by the service's own Flyway
 * migrations: claim, renew, held by another, take-over after expiry, release.
 */
class ClaimStoreTest {

    @Test
    void claimsOnH2() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "claims-h2-" + UUID.randomUUID()).toAbsolutePath());
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("ledger") + ";DB_CLOSE_ON_EXIT=FALSE");
        ds.setUser("ingest");
        ds.setPassword("");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        exercise(ds, false);
    }

    @Test
    void claimsOnPostgresql() throws Exception {
        Postgres pg = Postgres.start();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(pg.schemaUrl());
        ds.setUser(pg.username);
        ds.setPassword(pg.password);
        try {
            Flyway.configure().dataSource(ds).schemas(pg.schema).locations("classpath:db/migration").load().migrate();
            exercise(ds, true);
        } finally {
            pg.drop();
        }
    }

    private static void exercise(DataSource ds, boolean postgres) throws Exception {
        ClaimStore store = new ClaimStore(ds, postgres);
        Duration lease = Duration.ofMinutes(5);
        String key = "a/b.pdf|10|1700000000000";

        assertThat(store.claim("inbox", key, "r1", lease)).as("a new item is claimed").isTrue();
        assertThat(store.holder("inbox", key)).contains("r1");
        assertThat(store.claim("inbox", key, "r1", lease)).as("the holder claims again (resume)").isTrue();
        assertThat(store.claim("inbox", key, "r2", lease)).as("held by a live replica").isFalse();
        assertThat(store.claim("other", key, "r2", lease)).as("same key, other source: another item").isTrue();
        assertThat(store.renew("r1", lease)).as("r1 renews its one claim").isEqualTo(1);
        assertThat(store.renew("r3", lease)).isZero();

        // r1 dies: its lease runs out (set in the past here instead of waiting for it).
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE ingest_claim SET expires_at = ? WHERE claimed_by = 'r1'")) {
            ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(store.claim("inbox", key, "r2", lease)).as("an expired claim is taken over").isTrue();
        assertThat(store.holder("inbox", key)).contains("r2");
        assertThat(store.renew("r1", lease)).as("the old holder's renewal does not take it back").isZero();
        assertThat(store.claim("inbox", key, "r1", lease)).isFalse();

        store.release("inbox", key, "r1");
        assertThat(store.holder("inbox", key)).as("only the holder releases").contains("r2");
        store.release("inbox", key, "r2");
        assertThat(store.holder("inbox", key)).isEmpty();
        assertThat(store.claim("inbox", key, "r1", lease)).as("a released item is free").isTrue();
        System.out.println("REPLICAS: claim SQL on " + (postgres ? "PostgreSQL" : "H2")
                + ": claim, re-claim, held-by-other, renew, expired take-over, release: ok");
    }
}
