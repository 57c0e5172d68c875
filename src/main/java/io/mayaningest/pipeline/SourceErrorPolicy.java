package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.SafeNames;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.jboss.logging.Logger;

/**
 * The one error policy of every source route. Permanent failures go to quarantine at once, with
 * their reason. Transient ones are retried with exponential back-off and jitter, waiting as long as
 * Mayan's {@code Retry-After} asks; when the retries are used up the item stays at its source,
 * unacknowledged, and the next poll tries again.
 */
@ApplicationScoped
public class SourceErrorPolicy extends RouteConfigurationBuilder {

    public static final String ID = "source-error-policy";
    private static final Logger LOG = Logger.getLogger(SourceErrorPolicy.class);

    private final MayanConfig config;
    private final Quarantine quarantine;
    private final Ledger ledger;

    public SourceErrorPolicy(MayanConfig config, Quarantine quarantine, Ledger ledger) {
        this.config = config;
        this.quarantine = quarantine;
        this.ledger = ledger;
    }

    @Override
    public void configuration() {
        // One clause: two onException(Exception.class) clauses told apart by onWhen ran both handlers
        // on exhaustion, so the classification lives in retryWhile and in Quarantine#handle instead.
        routeConfiguration(ID)
                .onException(Exception.class)
                    .retryWhile(this::shouldRetry)
                    .redeliveryDelay(config.retryInitialDelay().toMillis())
                    .useExponentialBackOff()
                    .useCollisionAvoidance()
                    .maximumRedeliveryDelay(config.retryMaxDelay().toMillis())
                    .asyncDelayedRedelivery()
                    // Camel's own line quotes the exception's message as it is, and a reason can hold a
                    // file name or a sidecar value with a line break: onFailure logs it escaped instead.
                    .logRetryAttempted(false)
                    .logStackTrace(false)
                    .logExhausted(false)
                    .onExceptionOccurred(this::onFailure)
                    .handled(true)
                    .bean(quarantine, "handle")
                .end();
    }

    private boolean shouldRetry(Exchange exchange) {
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        // claims: an item another replica holds (or finished meanwhile) is not this replica's to retry.
        return Failures.isTransient(exchange) && attempt < config.maxRetries() && ledger.holds(exchange);
    }

    /**
     * Every failure: a transient one is logged (escaped; a permanent one is logged by the quarantine),
     * and a 429's Retry-After overrides the back-off for the next redelivery (Camel reads this header).
     */
    private void onFailure(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t == null) {
            t = exchange.getException();
        }
        IngestException failure = Failures.asIngestException(t);
        if (!failure.isPermanent() && ledger.holds(exchange)) {
            Object body = exchange.getMessage().getBody();
            LOG.warnf("%s failed on delivery attempt %d: %s (%s)",
                    body instanceof IngestRequest item ? item.describe() : "an item",
                    exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class),
                    SafeNames.visible(failure.reason()), SafeNames.visible(failure.fix()));
        }
        if (failure.retryAfter().isPresent()) {
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, failure.retryAfter().get().toMillis());
        } else {
            exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        }
    }
}
