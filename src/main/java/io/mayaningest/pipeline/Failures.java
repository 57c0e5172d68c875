package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import org.apache.camel.Exchange;

/** Classifies any failure of the pipeline as permanent (quarantine now) or transient (retry). */
public final class Failures {

    private Failures() {
    }

    public static boolean isPermanent(Exchange exchange) {
        // While onWhen is evaluated the exception is still on the exchange; later it is EXCEPTION_CAUGHT.
        Throwable t = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return t != null && asIngestException(t).isPermanent();
    }

    public static boolean isTransient(Exchange exchange) {
        return !isPermanent(exchange);
    }

    /** The first IngestException in the cause chain, or a transient wrapper for anything else. */
    public static IngestException asIngestException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IngestException ie) {
                return ie;
            }
        }
        String what = t == null ? "unknown failure" : t.getClass().getSimpleName() + ": " + t.getMessage();
        return IngestException.transientFailure("unexpected failure: " + what,
                "the item is retried; if this repeats, report it with the service's log", t);
    }
}
