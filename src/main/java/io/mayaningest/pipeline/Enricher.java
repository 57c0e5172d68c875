package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanException;
import io.mayaningest.mayan.MayanLookups;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sets metadata, tags and cabinets once the file is confirmed. Every call is safe to repeat, so a
 * retry or a restart simply runs this step again: metadata is PATCHed where the document already has
 * a value of that type (a second POST would be rejected, mayan-api.md §8), attaching a tag or adding
 * to a cabinet twice is harmless (§9).
 */
@ApplicationScoped
public class Enricher {

    private final MayanClient client;
    private final MayanLookups lookups;

    public Enricher(MayanClient client, MayanLookups lookups) {
        this.client = client;
        this.lookups = lookups;
    }

    public void enrich(IngestRequest item) {
        if (io.mayaningest.core.LedgerState.ENRICHED.name().equals(item.getState())) {
            return;
        }
        long documentId = item.getDocumentId();
        // A document this very exchange created has no metadata rows but those it set itself (Mayan
        // attaches none on an API upload, mayan-api.md §8), so it POSTs without reading them first: one GET
        // per document fewer. A resumed item or a new file of an existing document reads them. A row that
        // exists anyway (a POST whose answer was lost, a required type attached meanwhile) is met by the
        // POST's duplicate answer and PATCHed (setMetadata).
        boolean knownEmpty = item.isDocumentCreatedHere();
        // Steps done in an earlier attempt of this exchange are not sent again: a 429 in the middle of
        // enrichment (Mayan's throttle) retries the pipeline, and repeating every call would cost Mayan
        // five more requests each time, which is how throttling fed on itself against a real Mayan.
        java.util.Set<String> done = item.getEnrichDone();
        if (item.getMetadata().keySet().stream().anyMatch(name -> !done.contains("metadata:" + name))) {
            Map<Long, Long> rowByType = new HashMap<>();
            if (!knownEmpty) {
                for (JsonNode row : client.getAll("documents/" + documentId + "/metadata/", Map.of())) {
                    rowByType.put(row.path("metadata_type").path("id").asLong(), row.path("id").asLong());
                }
            }
            item.getMetadata().forEach((name, value) ->
                    once(done, "metadata:" + name, () -> setMetadata(item, rowByType, name, value)));
        }
        for (String tag : item.getTags()) {
            once(done, "tag:" + tag, () -> {
                long tagId = lookups.tag(tag).orElseThrow(() -> vanished(item, "tag", tag)).id();
                ObjectNode body = client.object().put("tag", tagId);
                rejectedAs(item, () -> client.postJson("documents/" + documentId + "/tags/attach/", body), "tag " + tag);
            });
        }
        for (String cabinet : item.getCabinets()) {
            once(done, "cabinet:" + cabinet, () -> {
                long cabinetId = lookups.cabinet(cabinet).orElseThrow(() -> vanished(item, "cabinet", cabinet)).id();
                ObjectNode body = client.object().put("document", documentId);
                rejectedAs(item, () -> client.postJson("cabinets/" + cabinetId + "/documents/add/", body),
                        "cabinet " + cabinet);
            });
        }
    }

    /** Runs {@code step} unless this exchange already did; records it only once Mayan answered it. */
    private static void once(java.util.Set<String> done, String step, Runnable call) {
        if (!done.contains(step)) {
            call.run();
            done.add(step);
        }
    }

    private void setMetadata(IngestRequest item, Map<Long, Long> rowByType, String name, String value) {
        long typeId = lookups.metadataType(name).orElseThrow(() -> vanished(item, "metadata type", name)).id();
        Long row = rowByType.get(typeId);
        String documentPath = "documents/" + item.getDocumentId() + "/metadata/";
        if (row != null) {
            ObjectNode body = client.object().put("value", value);
            rejectedAs(item, () -> client.patchJson(documentPath + row + "/", body), "metadata " + name);
        } else {
            ObjectNode body = client.object().put("metadata_type_id", typeId).put("value", value);
            try {
                client.postJson(documentPath, body);
            } catch (MayanException e) {
                // Attaching a required type makes Mayan add empty rows in the background, so a row can
                // appear between our GET and this POST; then it is a PATCH after all.
                Long appeared = e.isPermanent() && e.detail().contains("already exists") ? rowOf(item, typeId) : null;
                if (appeared == null) {
                    rejectedAs(item, () -> {
                        throw e;
                    }, "metadata " + name);
                    return;
                }
                ObjectNode patch = client.object().put("value", value);
                rejectedAs(item, () -> client.patchJson(documentPath + appeared + "/", patch), "metadata " + name);
            }
        }
    }

    private Long rowOf(IngestRequest item, long typeId) {
        for (JsonNode row : client.getAll("documents/" + item.getDocumentId() + "/metadata/", Map.of())) {
            if (row.path("metadata_type").path("id").asLong() == typeId) {
                return row.path("id").asLong();
            }
        }
        return null;
    }

    /**
     * A 4xx at this point means the document exists in Mayan but is incomplete; the message says so,
     * with the document id, so nobody is left wondering about a half-finished document.
     */
    private void rejectedAs(IngestRequest item, Runnable call, String what) {
        try {
            call.run();
        } catch (MayanException e) {
            if (!e.isPermanent()) {
                throw e;
            }
            // A new file of an existing document: that document is not this item's to delete.
            throw IngestException.permanent("Mayan rejected " + what + " of " + item.describe() + " (document "
                    + item.getDocumentId() + (item.isNewFileMode() ? " received the file; " : " was created; ")
                    + e.status() + ": " + e.detail() + ")",
                    "correct the value and replay the item (document " + item.getDocumentId()
                            + " is completed, not uploaded again)"
                            + (item.isNewFileMode() ? "" : ", or delete the document in Mayan"),
                    e);
        }
    }

    private IngestException vanished(IngestRequest item, String kind, String name) {
        return IngestException.transientFailure(kind + " \"" + name + "\" disappeared from Mayan while " + item.describe()
                + " was being ingested", "recreate it in Mayan, or replay after fixing the mapping", null);
    }
}
