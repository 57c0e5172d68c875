package io.mayaningest.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.ledger.Ledger;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready only while the ledger can write. The datasource's own check (a valid connection) stays UP
 * after H2 closed itself on a failed write, since reads and isValid() still work; only a write tells.
 * While it fails nothing can be ingested safely (items wait at their sources, retried), and the
 * ledger reopens itself once a write succeeds again (Ledger#probe), so the service needs no restart.
 */
@Readiness
@ApplicationScoped
public class LedgerReadinessCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(LedgerReadinessCheck.class);
    private static final long CACHE_NANOS = 2_000_000_000L;

    private final Ledger ledger;
    private final Path dataDir;
    private volatile HealthCheckResponse last;
    private volatile long lastAt;
    private volatile boolean down;

    public LedgerReadinessCheck(Ledger ledger, IngestConfig config) {
        this.ledger = ledger;
        this.dataDir = Path.of(config.dataDir()).toAbsolutePath().normalize();
    }

    /**
     * On a full disk a small write can still succeed in a hole H2 left inside its file while the next
     * larger one fails, so the probe alone would flap; the free space of the data directory's disk
     * says it directly. Below this the ledger counts as unable to write.
     */
    static final long MIN_FREE_BYTES = 1024 * 1024;

    private Optional<String> diskNearlyFull() {
        try {
            long free = Files.getFileStore(dataDir).getUsableSpace();
            return free < MIN_FREE_BYTES
                    ? Optional.of("the disk of ingest.data-dir has " + free + " bytes free (less than 1 MiB)")
                    : Optional.empty();
        } catch (IOException e) {
            // The probe below tells whether the ledger can write; the free space is only the earlier sign.
            return Optional.empty();
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse cached = last;
        if (cached != null && System.nanoTime() - lastAt < CACHE_NANOS) {
            return cached;
        }
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("ledger")
                .withData("database", ledger.isPostgres() ? "PostgreSQL" : "H2 in " + dataDir);
        Optional<String> failure = ledger.isPostgres() ? Optional.empty() : diskNearlyFull();
        if (failure.isEmpty()) {
            failure = ledger.probe();
        }
        if (failure.isEmpty()) {
            builder.up();
            if (down) {
                LOG.info("The ledger can write again");
                down = false;
            }
        } else {
            String fix = ledger.isPostgres()
                    ? "check the PostgreSQL server of INGEST_LEDGER_URL (disk space, connections, the user's rights);"
                            + " the service goes on by itself once the ledger can write"
                    : "free space on the disk of ingest.data-dir (" + dataDir + ") and check that the service's user"
                            + " may write there; the service reopens the ledger by itself once a write succeeds";
            builder.down().withData("reason", "the ledger cannot write: " + failure.get()).withData("fix", fix);
            if (!down) {
                LOG.errorf("The ledger cannot write: %s. Fix: %s. Items wait at their sources meanwhile",
                        failure.get(), fix);
                down = true;
            }
        }
        HealthCheckResponse response = builder.build();
        last = response;
        lastAt = System.nanoTime();
        return response;
    }
}
