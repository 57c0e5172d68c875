package io.mayaningest.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The ledger on a real PostgreSQL (Debian's server, started by e2e/postgres-up.sh): the packaged
 * service with the "pg" profile, killed twice while ingesting, every file once; the rows and the
 * Flyway migrations are read back from PostgreSQL.
 */
class PostgresLedgerIT {

    @Test
    void theLedgerOnPostgresqlSurvivesKillsAndHoldsEveryItem() throws Exception {
        Map<String, String> pg = postgres();
        String schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        int files = 30;
        try (FaultRun run = new FaultRun("postgres")) {
            Map<String, String> env = new HashMap<>(pg);
            env.put("QUARKUS_PROFILE", "prod,pg");
            env.put("MAYAN_TOKEN", FaultRun.TOKEN);
            // A schema of its own per run, so the rows counted are this run's.
            // A fixed replica id, as README advises for an instance that restarts: each restart resumes
            // its own claimed items at once instead of after the claim lease (KillReplicaClaimsIT covers that).
            run.service(Map.of("quarkus.datasource.pg.jdbc.url", pg.get("INGEST_LEDGER_URL") + "?currentSchema=" + schema,
                    "quarkus.flyway.pg.schemas", schema, "ingest.replica-id", "pg-instance-1"), env).start();
            run.dropDrawings(0, files);
            for (int i = 0; i < 2; i++) {
                // Killed once a third, then two thirds, of the files are done: mid-run, with items in flight.
                int target = (i + 1) * files / 3;
                await().atMost(Duration.ofMinutes(2)).until(() -> run.doneCount() >= target);
                run.service.kill();
                run.service.start();
            }
            await().atMost(Duration.ofMinutes(3)).until(() -> run.doneCount() + run.errorCount() >= files);

            FaultRun.Counts counts = run.count();
            System.out.println(counts.line(files + " files with the ledger on PostgreSQL, 2 SIGKILLs"));
            assertThat(run.service.logText()).contains("Ledger on PostgreSQL").doesNotContain("Ledger on embedded H2");
            assertThat(run.errorCount()).isZero();
            assertThat(counts.duplicated()).isZero();
            assertThat(counts.complete()).isEqualTo(files);

            try (Connection c = DriverManager.getConnection(pg.get("INGEST_LEDGER_URL"), pg.get("INGEST_LEDGER_USERNAME"),
                    pg.get("INGEST_LEDGER_PASSWORD")); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                        + ".ingest_item WHERE state = 'DONE' AND acknowledged_at IS NOT NULL")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(files);
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                        + ".flyway_schema_history WHERE success")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(4);
                }
                // V4 on PostgreSQL: every row knows its path in its own column.
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                        + ".ingest_item WHERE source_path LIKE '%_rev1.pdf'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(files);
                }
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static Map<String, String> postgres() throws IOException, InterruptedException {
        return io.mayaningest.testing.Postgres.connection();
    }
}
