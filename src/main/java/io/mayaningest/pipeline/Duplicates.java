package io.mayaningest.pipeline;

import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.ledger.LedgerState;
import io.mayaningest.mayan.MayanClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The source's duplicate policy, applied after validation and before anything is uploaded:
 * {@code skip} content the ledger already saw ingested (from any source, by SHA-256), {@code allow}
 * it, or turn it into a {@code new-file} of the document of the same type and label.
 */
@ApplicationScoped
public class Duplicates {

    public static final String SKIP = "skip";
    public static final String ALLOW = "allow";
    public static final String NEW_FILE = "new-file";

    private static final Logger LOG = Logger.getLogger(Duplicates.class);

    private final IngestConfig config;
    private final Ledger ledger;
    private final MayanClient client;

    public Duplicates(IngestConfig config, Ledger ledger, MayanClient client) {
        this.config = config;
        this.ledger = ledger;
        this.client = client;
    }

    public void apply(IngestRequest item) {
        if (!LedgerState.VALIDATED.name().equals(item.getState())) {
            return;
        }
        // An item sent to direct:mayan-ingest may name a source that has no ingest.sources entry: the default applies.
        IngestConfig.SourceConfig source = config.sources().get(item.getSourceName());
        String policy = source == null ? SKIP : source.duplicates();
        switch (policy) {
            case SKIP -> ledger.findDoneBySha256(item.getSha256(), item.getIngestId()).ifPresent(original -> {
                ledger.duplicate(item, original);
                LOG.infof("%s has the same content as ingest %s (Mayan document %d); not uploaded again",
                        item.describe(), original.id(), original.documentId());
            });
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
