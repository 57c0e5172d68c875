package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.SafeNames;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Where failures end: a permanent one quarantines the item (ledger FAILED, payload to the source's
 * error place with the reason); a transient one that outlived its redeliveries leaves the item at its
 * source, unacknowledged, for the next poll.
 */
@ApplicationScoped
public class Quarantine {

    private static final Logger LOG = Logger.getLogger(Quarantine.class);

    private final Ledger ledger;
    private final Acknowledgers acknowledgers;
    private final EventPublisher events;
    private final IngestMetrics metrics;

    public Quarantine(Ledger ledger, Acknowledgers acknowledgers, EventPublisher events, IngestMetrics metrics) {
        this.metrics = metrics;
        this.ledger = ledger;
        this.acknowledgers = acknowledgers;
        this.events = events;
    }

    private SourceAcknowledger acknowledger(IngestRequest item) {
        return acknowledgers.forKind(item.getSourceKind());
    }

    /** Called once the error policy has given up retrying: quarantine or leave for the next poll. */
    public void handle(Exchange exchange) throws Exception {
        if (!ledger.holds(exchange)) {
            // claims: another replica holds the item (or finished it meanwhile); it is left alone, uncounted.
            return;
        }
        if (Failures.isPermanent(exchange)) {
            quarantine(exchange);
        } else {
            retryLater(exchange);
        }
    }

    public void quarantine(Exchange exchange) throws Exception {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        IngestException failure = Failures.asIngestException(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        if (item == null) {
            LOG.errorf("Could not ingest an item that never became a request: %s. Fix: %s",
                    SafeNames.visible(failure.reason()), SafeNames.visible(failure.fix()));
            return;
        }
        if (item.getIngestId() == null) {
            ledger.begin(item);
        }
        ledger.failed(item, failure.reason(), failure.fix());
        acknowledger(item).failure(item, failure, exchange);
        events.failed(item, failure);
        metrics.failed(item, failure);
    }

    public void retryLater(Exchange exchange) throws Exception {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        IngestException failure = Failures.asIngestException(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        LOG.warnf("%s is left in place and tried again later: %s (%s)",
                item == null ? "an item" : item.describe(), SafeNames.visible(failure.reason()),
                SafeNames.visible(failure.fix()));
        if (item != null) {
            try {
                ledger.attemptFailed(item, failure.reason());
            } catch (RuntimeException e) {
                // The ledger itself may be what failed (a full disk); the item stays at its source all the same.
                LOG.warnf("The ledger could not record the failed attempt of %s: %s", item.describe(), e.getMessage());
            }
            acknowledger(item).retryLater(item, failure, exchange);
            metrics.retried(item);
        }
    }
}
