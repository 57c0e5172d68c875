package io.mayaningest.pipeline;

import io.mayaningest.config.MayanConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * The one error policy of every source route. Permanent failures go to quarantine at once, with
 * their reason. Transient ones are retried with exponential back-off and jitter, waiting as long as
 * Mayan's {@code Retry-After} asks; when the retries are used up the item stays at its source,
 * unacknowledged, and the next poll tries again.
 */
@ApplicationScoped
public class SourceErrorPolicy extends RouteConfigurationBuilder {

    public static final String ID = "source-error-policy";

    private final MayanConfig config;
    private final Quarantine quarantine;

    public SourceErrorPolicy(MayanConfig config, Quarantine quarantine) {
        this.config = config;
        this.quarantine = quarantine;
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
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                    .logStackTrace(false)
                    .logExhausted(false)
                    .onExceptionOccurred(SourceErrorPolicy::honourRetryAfter)
                    .handled(true)
                    .bean(quarantine, "handle")
                .end();
    }

    private boolean shouldRetry(Exchange exchange) {
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        return Failures.isTransient(exchange) && attempt < config.maxRetries();
    }

    /** A 429's Retry-After overrides the back-off for the next redelivery (Camel reads this header). */
    private static void honourRetryAfter(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t == null) {
            t = exchange.getException();
        }
        IngestException failure = Failures.asIngestException(t);
        if (failure.retryAfter().isPresent()) {
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, failure.retryAfter().get().toMillis());
        } else {
            exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        }
    }
}
