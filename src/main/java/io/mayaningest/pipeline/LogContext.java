package io.mayaningest.pipeline;

import io.mayaningest.core.IngestRequest;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.MDC;

import io.mayaningest.core.SafeNames;

/**
 * Puts the item a thread works on into the logging MDC ({@code ingestId}, {@code source}, {@code file}),
 * so that every line about it carries them: in JSON logs as fields of {@code mdc}, in plain text through
 * {@code %X{ingestId}} should an operator add it to the format. Called as the pipeline's first step and
 * again once the ledger has given the item its ingest id; removed when the exchange is done, so that a
 * pooled thread never lends one item's id to the next. Camel's own MDC logging is not used for this: it
 * carries exchange and route ids, not the item, and its keys pattern only propagates keys put by hand.
 */
@ApplicationScoped
public class LogContext {

    public static final String INGEST_ID = "ingestId";
    public static final String SOURCE = "source";
    public static final String FILE = "file";
    private static final List<String> KEYS = List.of(INGEST_ID, SOURCE, FILE);
    private static final String REGISTERED = "mayanIngest.logContext";

    public void enter(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        if (item == null) {
            return;
        }
        put(SOURCE, item.getSourceName());
        put(FILE, item.getFileName() == null ? null : SafeNames.visible(item.getFileName()));
        put(INGEST_ID, item.getIngestId());
        if (exchange.getProperty(REGISTERED) == null) {
            exchange.setProperty(REGISTERED, Boolean.TRUE);
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    leave();
                }
            });
        }
    }

    public static void leave() {
        KEYS.forEach(MDC::remove);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
