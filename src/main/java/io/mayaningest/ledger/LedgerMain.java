package io.mayaningest.ledger;

import java.sql.SQLException;
import java.util.function.BiConsumer;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.PreventFurtherStepsException;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.util.ExceptionUtil;
import io.smallrye.config.ConfigValidationException;
import org.jboss.logging.Logger;

/**
 * The service's main: Quarkus' own, plus one sentence when the start failed because the embedded H2
 * ledger is open in another process. H2 itself refuses the second process (its file lock), but says
 * "use the server mode", which is not how this service runs several instances. The failure happens in
 * Flyway's migration at start, before any bean of the service exists, so the exit handler of the main
 * is the one place that sees it. Quarkus reports a failed start itself only without an exit handler of
 * the main, so {@link #report} does what it does (Quarkus 3.27's ApplicationLifecycleManager#run): a
 * configuration error's message on stderr, anything else as "Failed to start application" with its
 * stack trace.
 */
@QuarkusMain
public class LedgerMain implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(LedgerMain.class);
    /** H2's ErrorCode.DATABASE_ALREADY_OPEN_1: "Database may be already in use". */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    public static void main(String... args) {
        BiConsumer<Integer, Throwable> quarkusHandler = ApplicationLifecycleManager.getDefaultExitCodeHandler();
        Quarkus.run(LedgerMain.class, (code, failure) -> {
            if (failure != null) {
                report(failure);
            }
            quarkusHandler.accept(code, failure);
        }, args);
    }

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }

    private static void report(Throwable failure) {
        if (explainedH2InUse(failure)) {
            return;
        }
        Throwable root = ExceptionUtil.getRootCause(failure);
        if (root instanceof ConfigurationException || root instanceof ConfigValidationException) {
            System.err.println(root.getMessage());
        } else if (root instanceof PreventFurtherStepsException) {
            if (root.getMessage() != null && !root.getMessage().isEmpty()) {
                System.err.println(root.getMessage());
            }
        } else {
            LOG.error("Failed to start application", failure);
        }
    }

    private static boolean explainedH2InUse(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                LOG.errorf("The ledger %s is open in another Mayan Ingest process. The embedded H2 ledger is for one"
                        + " instance only: stop the other one, or give each instance its own ingest.data-dir. To run"
                        + " several replicas on one ledger, use PostgreSQL (the \"pg\" profile with"
                        + " quarkus.datasource.pg.*, see README \"Ledger\" and \"Operations: running several replicas\").",
                        h2Path(s.getMessage()));
                return true;
            }
        }
        return false;
    }

    /** The database file H2 names in its message ({@code Database may be already in use: "<path>". ...}). */
    static String h2Path(String message) {
        int open = message == null ? -1 : message.indexOf('"');
        int close = open < 0 ? -1 : message.indexOf('"', open + 1);
        return close < 0 ? "(H2 database)" : "(H2 database " + message.substring(open, close + 1) + ")";
    }
}
