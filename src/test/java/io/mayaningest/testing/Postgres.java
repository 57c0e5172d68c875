package io.mayaningest.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The local PostgreSQL of e2e/postgres-up.sh (shared, never stopped) and a fresh schema of one test. */
public final class Postgres {

    public final String url;
    public final String username;
    public final String password;
    public final String schema = "rep_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private Postgres(Map<String, String> env) {
        url = env.get("INGEST_LEDGER_URL");
        username = env.get("INGEST_LEDGER_USERNAME");
        password = env.get("INGEST_LEDGER_PASSWORD");
    }

    public static Postgres start() throws IOException, InterruptedException {
        return new Postgres(connection());
    }

    /**
     * Starts (or finds) the local PostgreSQL (e2e/postgres-up.sh) and reads its connection settings:
     * INGEST_LEDGER_URL, INGEST_LEDGER_USERNAME, INGEST_LEDGER_PASSWORD.
     */
    public static Map<String, String> connection() throws IOException, InterruptedException {
        Path log = Files.createTempFile(Files.createDirectories(Path.of("target", "it")), "postgres-up-", ".log");
        Process p = new ProcessBuilder("bash", "e2e/postgres-up.sh").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("e2e/postgres-up.sh finished").isTrue();
        assertThat(p.exitValue()).as("e2e/postgres-up.sh failed, see %s", log).isZero();
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (line.startsWith("INGEST_LEDGER_") && eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertThat(env).containsKeys("INGEST_LEDGER_URL", "INGEST_LEDGER_USERNAME", "INGEST_LEDGER_PASSWORD");
        return env;
    }

    /** The JDBC URL of this test's schema (created by Flyway on first use). */
    public String schemaUrl() {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** What a replica needs to run on this schema: environment and properties. */
    public Map<String, String> env() {
        return Map.of("QUARKUS_PROFILE", "prod,pg", "INGEST_LEDGER_URL", schemaUrl(), "INGEST_LEDGER_USERNAME", username,
                "INGEST_LEDGER_PASSWORD", password);
    }

    public Map<String, String> properties() {
        return Map.of("quarkus.datasource.pg.jdbc.url", schemaUrl(), "quarkus.flyway.pg.schemas", schema);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(schemaUrl(), username, password);
    }

    public void drop() {
        try (Connection c = DriverManager.getConnection(url, username, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.out.println("REPLICAS: could not drop schema " + schema + ": " + e.getMessage());
        }
    }
}
