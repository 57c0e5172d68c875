package io.mayaningest.source.mail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mayaningest.core.LedgerState;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.core.SafeNames;
import org.apache.camel.Exchange;

/**
 * One mail on its way through the service: what it is (key, headers as template values), its
 * spooled documents, and the mail-level ledger row. Its {@link #outcome()} decides what happens to
 * the mail at its server.
 */
public class MailBatch {

    public enum Outcome { DONE, FAILED, DEFERRED }

    private final MailSettings settings;
    private final String mailKey;
    private final String identity;
    private final Map<String, String> values;
    private final IngestRequest record;
    private final Path spoolDir;
    private final List<IngestRequest> items = new ArrayList<>();
    private final Map<IngestRequest, Map<String, String>> itemValues = new HashMap<>();
    private final Map<IngestRequest, Path> sidecars = new HashMap<>();
    private final Map<String, String> mailMetadata = new LinkedHashMap<>();
    private IngestException mailFailure;
    /** DONE or FAILED when the ledger already knew this mail: it is only acknowledged again. */
    private LedgerState previous;

    MailBatch(MailSettings settings, String mailKey, String identity, Map<String, String> values, IngestRequest record,
            Path spoolDir) {
        this.settings = settings;
        this.mailKey = mailKey;
        this.identity = identity;
        this.values = values;
        this.record = record;
        this.spoolDir = spoolDir;
    }

    /**
     * Split filter: after a transient failure the rest of the mail waits for the next poll with it. Only a
     * document whose exchange ended unfinished stops the others ({@link #ended}); documents still on
     * their way (the split runs several side by side) do not.
     */
    public static boolean continues(Exchange exchange) {
        MailBatch batch = exchange.getProperty(MailReader.BATCH_PROPERTY, MailBatch.class);
        return !batch.stopped;
    }

    /** After a document's exchange: if it ended neither done nor failed for good, the mail stops here. */
    public static void ended(Exchange exchange) {
        MailBatch batch = exchange.getProperty(MailReader.BATCH_PROPERTY, MailBatch.class);
        Object body = exchange.getMessage().getBody();
        if (body instanceof IngestRequest item && (item.getState() == null || pending(item))) {
            batch.stopped = true;
        }
    }

    /** A document of this mail ended unfinished (a transient failure outlived its retries). */
    private volatile boolean stopped;

    /** Started in the pipeline but neither done nor failed for good: a transient failure outlived its retries. */
    private static boolean pending(IngestRequest item) {
        return item.getState() != null && !LedgerState.DONE.name().equals(item.getState())
                && !LedgerState.FAILED.name().equals(item.getState());
    }

    public Outcome outcome() {
        if (previous != null) {
            return previous == LedgerState.DONE ? Outcome.DONE : Outcome.FAILED;
        }
        if (mailFailure != null) {
            return Outcome.FAILED;
        }
        if (items.stream().anyMatch(i -> i.getState() == null || pending(i))) {
            return Outcome.DEFERRED;
        }
        return items.stream().anyMatch(i -> LedgerState.FAILED.name().equals(i.getState())) ? Outcome.FAILED : Outcome.DONE;
    }

    /** For the split: the documents of this mail (none when the mail failed as a whole or was seen before). */
    public List<IngestRequest> getDocuments() {
        return previous != null || mailFailure != null ? List.of() : items;
    }

    /** For messages and log lines: a subject may hold any character (RFC 2047), so controls are escaped. */
    public String describe() {
        return SafeNames.visible("mail \"" + values.getOrDefault("mail.subject", "") + "\" from "
                + values.getOrDefault("mail.from", "?") + " (" + mailKey + ") of source \"" + settings.name() + "\"");
    }

    public MailSettings settings() { return settings; }
    public String mailKey() { return mailKey; }
    public String identity() { return identity; }
    public Map<String, String> values() { return values; }
    public IngestRequest record() { return record; }
    public Path spoolDir() { return spoolDir; }
    public List<IngestRequest> items() { return items; }
    public Map<IngestRequest, Map<String, String>> itemValues() { return itemValues; }
    public Map<IngestRequest, Path> sidecars() { return sidecars; }
    public Map<String, String> mailMetadata() { return mailMetadata; }
    public IngestException mailFailure() { return mailFailure; }
    public void mailFailure(IngestException failure) { this.mailFailure = failure; }
    public LedgerState previous() { return previous; }
    public void previous(LedgerState state) { this.previous = state; }
}
