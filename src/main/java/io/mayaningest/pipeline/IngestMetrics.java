package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

/**
 * The metrics a dashboard needs, in Prometheus format on {@code /q/metrics} (authenticated like the
 * operator API), all named {@code mayan_ingest_*} and tagged by source:
 * <ul>
 * <li>{@code mayan_ingest_items_total{source,outcome}}: outcome {@code ingested}, {@code duplicate}
 * (content already in Mayan, skipped), {@code failed} (quarantined), {@code retried} (a transient failure;
 * the item stays at its source and is tried again);</li>
 * <li>{@code mayan_ingest_failures_total{source,cause}}: quarantined items by cause class
 * ({@code permanent}: the item itself is wrong; {@code exhausted}: transient failures until the retries ran out);</li>
 * <li>{@code mayan_ingest_in_flight{source}} (gauge): items in the pipeline now;</li>
 * <li>{@code mayan_ingest_quarantined{source}} (gauge): items in quarantine now, from the ledger;</li>
 * <li>{@code mayan_ingest_oldest_waiting_seconds{source}} (gauge): age of the oldest item received and
 * not yet done or failed, 0 when none;</li>
 * <li>{@code mayan_ingest_ingest_duration_seconds{source}} (timer, histogram): from the item entering the
 * pipeline to Mayan's confirmation with metadata, tags and cabinets set;</li>
 * <li>{@code mayan_ingest_file_wait_seconds{source}} (timer, histogram): from Mayan accepting the upload
 * (its 201, or the 202 of a new file) to our file showing our checksum;</li>
 * <li>{@code mayan_ingest_mayan_calls_total{method,endpoint,status}}: every call to Mayan by endpoint
 * template ({@code documents/{id}/files/}), with status 0 when Mayan did not answer; {@code status="429"} counts
 * the throttled calls.</li>
 * </ul>
 * Counters live in this process (a replica counts its own items); the gauges read the shared ledger.
 * Hand-written on Micrometer because camel-micrometer's route metrics know routes, not items and outcomes.
 */
@Startup
@ApplicationScoped
public class IngestMetrics {

    private static final Logger LOG = Logger.getLogger(IngestMetrics.class);
    static final String PREFIX = "mayan.ingest.";
    private static final String STARTED = "MayanIngestMetricsStarted";
    private static final String AWAIT_STARTED = "MayanIngestMetricsAwaitStarted";
    private static final Pattern ID_SEGMENT = Pattern.compile("(?<=/|^)\\d+(?=/|$)");

    private final MeterRegistry registry;
    private final Ledger ledger;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry, Ledger ledger, IngestConfig config, MayanClient mayan) {
        this.registry = registry;
        this.ledger = ledger;
        for (String source : config.sources().keySet()) {
            register(source);
        }
        mayan.setCallListener(this::mayanCall);
    }

    /** Gauges of one source; sources of user routes (not configured) are registered when first seen. */
    private AtomicInteger register(String source) {
        return inFlight.computeIfAbsent(source, s -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder(PREFIX + "in_flight", count, AtomicInteger::get).tag("source", s)
                    .description("Items of this source in the pipeline now").register(registry);
            Gauge.builder(PREFIX + "quarantined", this, m -> m.quarantined(s)).tag("source", s)
                    .description("Items of this source in quarantine now").register(registry);
            Gauge.builder(PREFIX + "oldest_waiting", this, m -> m.oldestWaitingSeconds(s)).tag("source", s)
                    .baseUnit("seconds").description("Age of the oldest item of this source not yet done or failed")
                    .register(registry);
            return count;
        });
    }

    /** The item enters the pipeline: counted in flight until its exchange completes, however it ends. */
    public void started(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        if (item == null || exchange.getProperty(STARTED) != null) {
            return;
        }
        String source = source(item);
        AtomicInteger count = register(source);
        count.incrementAndGet();
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                count.decrementAndGet();
            }
        });
    }

    public void ingested(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        count(item, "ingested");
        Long start = exchange.getProperty(STARTED, Long.class);
        if (start != null) {
            Timer.builder(PREFIX + "ingest_duration").tag("source", source(item))
                    .description("From the item entering the pipeline to Mayan's confirmation, enrichment included")
                    .publishPercentileHistogram().register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Mayan accepted the upload; the wait for its processing (the 202's resolution) starts. */
    public void awaitStarted(Exchange exchange) {
        exchange.setProperty(AWAIT_STARTED, System.nanoTime());
    }

    public void awaitEnded(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        Long start = exchange.getProperty(AWAIT_STARTED, Long.class);
        if (item == null || start == null) {
            return;
        }
        Timer.builder(PREFIX + "file_wait").tag("source", source(item))
                .description("From Mayan accepting the upload to our file showing our checksum")
                .publishPercentileHistogram().register(registry)
                .record(Duration.ofNanos(System.nanoTime() - start));
    }

    public void duplicate(IngestRequest item) {
        count(item, "duplicate");
    }

    public void failed(IngestRequest item, IngestException failure) {
        count(item, "failed");
        Counter.builder(PREFIX + "failures").tag("source", source(item))
                .tag("cause", failure.isPermanent() ? "permanent" : "exhausted")
                .description("Quarantined items by cause class").register(registry).increment();
    }

    public void retried(IngestRequest item) {
        count(item, "retried");
    }

    void mayanCall(String method, String path, int status) {
        Counter.builder(PREFIX + "mayan_calls").tag("method", method).tag("endpoint", endpoint(path))
                .tag("status", Integer.toString(status)).description("Calls to Mayan by endpoint template and status")
                .register(registry).increment();
    }

    /** {@code documents/12/files/34/} → {@code documents/{id}/files/{id}/}, so the tag's values stay few. */
    static String endpoint(String path) {
        String bare = path;
        int query = bare.indexOf('?');
        if (query >= 0) {
            bare = bare.substring(0, query);
        }
        return ID_SEGMENT.matcher(bare).replaceAll("{id}");
    }

    private void count(IngestRequest item, String outcome) {
        if (item == null) {
            return;
        }
        register(source(item));
        Counter.builder(PREFIX + "items").tag("source", source(item)).tag("outcome", outcome)
                .description("Items by outcome").register(registry).increment();
    }

    private static String source(IngestRequest item) {
        return item.getSourceName() == null ? "unknown" : item.getSourceName();
    }

    private double quarantined(String source) {
        try {
            return ledger.countSearch(source, LedgerState.FAILED, null);
        } catch (RuntimeException e) {
            LOG.debugf("quarantined gauge of %s: %s", source, e.getMessage());
            return Double.NaN;
        }
    }

    private double oldestWaitingSeconds(String source) {
        try {
            Instant oldest = ledger.oldestWaiting().get(source);
            return oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
        } catch (RuntimeException e) {
            LOG.debugf("oldest-waiting gauge of %s: %s", source, e.getMessage());
            return Double.NaN;
        }
    }
}
