package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

/**
 * The source's duplicate policy, applied after validation and before anything is uploaded:
 * {@code skip} content the ledger already saw ingested or sees in flight (from any source, by SHA-256), {@code allow}
 * it, or turn it into a {@code new-file} of the document of the same type and label.
 */
@ApplicationScoped
public class Duplicates {

    public static final String SKIP = "skip";
    public static final String ALLOW = "allow";
    public static final String NEW_FILE = "new-file";

    private static final Logger LOG = Logger.getLogger(Duplicates.class);

    private static final String REGISTERED = "mayanIngestInFlightRegistered";

    private final IngestConfig config;
    private final MayanConfig mayan;
    private final Ledger ledger;
    private final MayanClient client;
    /** SHA-256 to the ingest ids in the pipeline now, in the order they arrived (guarded by itself). */
    private final Map<String, Set<String>> inFlight = new HashMap<>();

    public Duplicates(IngestConfig config, MayanConfig mayan, Ledger ledger, MayanClient client) {
        this.config = config;
        this.mayan = mayan;
        this.ledger = ledger;
        this.client = client;
    }

    public void apply(IngestRequest item, Exchange exchange) {
        // Every item in the pipeline is registered, whatever its state and policy: a "skip" item with the
        // same content must wait for it (a resumed upload, an "allow" source's item) all the same.
        register(item, exchange);
        if (!LedgerState.VALIDATED.name().equals(item.getState())) {
            return;
        }
        // An item sent to direct:mayan-ingest may name a source that has no ingest.sources entry: the default applies.
        IngestConfig.SourceConfig source = config.sources().get(item.getSourceName());
        String policy = source == null ? SKIP : source.duplicates();
        switch (policy) {
            case SKIP -> skip(item);
            case NEW_FILE -> {
                if (!item.isNewFileMode()) {
                    sameLabel(item).ifPresent(documentId -> {
                        item.setTargetDocumentId(documentId);
                        item.setAction("replace");
                        LOG.infof("%s becomes a new file of Mayan document %d (same type and label)", item.describe(),
                                documentId);
                    });
                }
            }
            case ALLOW -> {
            }
            default -> throw new IllegalStateException("ingest.sources." + item.getSourceName() + ".duplicates=" + policy
                    + " is not one of skip, allow, new-file");
        }
    }

    /**
     * {@code skip} by content, also for items in flight at the same time (two copies dropped together,
     * a file renamed while its first name is being confirmed): the first item with the content uploads
     * it, a later one waits (a transient failure: it stays at its source and is tried again) until the
     * first is done and then becomes its duplicate. Only the first registered waits for nobody, so two
     * items never wait for each other. The order of the checks matters: registered first, then the
     * ledger is read, so an item that finished just before is always seen as done.
     * <p>
     * Nothing here can block for ever after a crash: the registry lives in memory (one service per
     * ledger, README "Known limits") and dies with the process; a ledger row whose upload started and
     * did not finish is waited for only while it is seen again within {@code mayan.interrupted-upload-grace}
     * (its file comes back at every poll); a row whose file is gone stops holding the content back then.
     */
    private void skip(IngestRequest item) {
        Optional<Ledger.Entry> done = ledger.findDoneBySha256(item.getSha256(), item.getIngestId());
        if (done.isPresent()) {
            Ledger.Entry original = done.get();
            ledger.duplicate(item, original);
            LOG.infof("%s has the same content as ingest %s (Mayan document %d); not uploaded again",
                    item.describe(), original.id(), original.documentId());
            return;
        }
        String first = firstInFlight(item.getSha256());
        if (first != null && !first.equals(item.getIngestId())) {
            throw waiting(item, first, "is being ingested now");
        }
        Instant since = Instant.now().minus(mayan.interruptedUploadGrace());
        Optional<Ledger.Entry> interrupted = ledger.findUnfinishedBySha256(item.getSha256(), item.getIngestId(), since)
                .stream().findFirst();
        if (interrupted.isPresent()) {
            throw waiting(item, interrupted.get().id(), "was interrupted at " + interrupted.get().state()
                    + " and is expected back");
        }
    }

    private IngestException waiting(IngestRequest item, String holder, String what) {
        String holderName = ledger.find(holder).map(e -> "\"" + e.fileName() + "\" from source \"" + e.source() + "\"")
                .orElse("another item");
        return IngestException.transientFailure(item.describe() + " has the same content as " + holderName
                + " (ingest " + holder + "), which " + what,
                "nothing to do: duplicates=skip uploads the content once; this item is tried again and becomes its"
                        + " duplicate when that one is done (or is uploaded itself if that one fails)",
                null);
    }

    private void register(IngestRequest item, Exchange exchange) {
        String sha = item.getSha256();
        String id = item.getIngestId();
        if (sha == null || id == null || exchange.getProperty(REGISTERED, false, Boolean.class)) {
            return;
        }
        synchronized (inFlight) {
            inFlight.computeIfAbsent(sha, k -> new LinkedHashSet<>()).add(id);
        }
        exchange.setProperty(REGISTERED, true);
        // Released when the exchange ends, however: done, quarantined, or left at the source after its retries.
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                synchronized (inFlight) {
                    Set<String> ids = inFlight.get(sha);
                    if (ids != null && ids.remove(id) && ids.isEmpty()) {
                        inFlight.remove(sha);
                    }
                }
            }
        });
    }

    private String firstInFlight(String sha) {
        synchronized (inFlight) {
            Set<String> ids = inFlight.get(sha);
            return ids == null || ids.isEmpty() ? null : ids.iterator().next();
        }
    }

    /** The newest document of the item's type whose label is exactly the item's label. */
    private Optional<Long> sameLabel(IngestRequest item) {
        String label = item.getLabel() == null ? item.getFileName() : item.getLabel();
        // filter_label is a substring search (e2e/MAYAN-FINDINGS.md): match exactly here.
        Long best = null;
        for (JsonNode document : client.getAll("documents/", Map.of("filter_label", label))) {
            if (document.path("label").asText().equals(label)
                    && document.path("document_type").path("id").asLong() == item.getDocumentTypeId()) {
                long id = document.path("id").asLong();
                best = best == null ? id : Math.max(best, id);
            }
        }
        return Optional.ofNullable(best);
    }
}
