package io.mayaningest.ledger;

import java.sql.Connection;
import java.sql.SQLException;

import io.quarkus.flyway.FlywayConfigurationCustomizer;
import jakarta.inject.Singleton;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * H2 is the one-instance ledger: H2 itself refuses a second process on the same file (its file lock),
 * but says "use the server mode", which is not how this service runs several instances. The first
 * connection is opened by Flyway's migration at start, before any bean of the service runs, so this
 * hook of Quarkus' Flyway (called for the default datasource, H2, just before it migrates) opens it
 * first and stops start-up with what to do instead. The PostgreSQL datasource ("pg") is not concerned.
 */
@Singleton
public class H2SingleInstance implements FlywayConfigurationCustomizer {

    /** H2's ErrorCode.DATABASE_ALREADY_OPEN_1: "Database may be already in use". */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    @Override
    public void customize(FluentConfiguration configuration) {
        try (Connection c = configuration.getDataSource().getConnection()) {
            c.isValid(1);
        } catch (SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException s && s.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                    throw new IllegalStateException("The ledger " + h2Path(s.getMessage()) + " is open in another"
                            + " Mayan Ingest process. The embedded H2 ledger is for one instance only: stop the other"
                            + " one, or give each instance its own ingest.data-dir. To run several replicas on one"
                            + " ledger, use PostgreSQL (the \"pg\" profile with quarkus.datasource.pg.*, see README"
                            + " \"Ledger\" and \"Operations: running several replicas\").", e);
                }
            }
            // Any other failure is Flyway's to report, as without this check.
        }
    }

    /** The database file H2 names in its message ({@code Database may be already in use: "<path>". ...}). */
    static String h2Path(String message) {
        int open = message == null ? -1 : message.indexOf('"');
        int close = open < 0 ? -1 : message.indexOf('"', open + 1);
        return close < 0 ? "(H2 database)" : "(H2 database " + message.substring(open, close + 1) + ")";
    }
}
