package io.mayaningest.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;

/**
 * The {@code Mayan*} vocabulary an item's sender uses to describe it: the properties of a JMS message
 * and the headers of an exchange sent to {@code direct:mayan-ingest}. One reading of them for both,
 * so a header means the same whichever channel carries it.
 */
public final class MayanHeaders {

    public static final String FILE_NAME = "MayanFileName";
    public static final String DOCUMENT_TYPE = "MayanDocumentType";
    public static final String LABEL = "MayanLabel";
    public static final String DESCRIPTION = "MayanDescription";
    public static final String LANGUAGE = "MayanLanguage";
    public static final String TAGS = "MayanTags";
    public static final String CABINETS = "MayanCabinets";
    public static final String METADATA = "MayanMetadata";
    public static final String DOCUMENT_ID = "MayanDocumentId";
    public static final String ACTION = "MayanAction";

    /** direct:mayan-ingest only: the name of the item's source (ledger, logs, metrics, events). */
    public static final String SOURCE = "MayanSource";
    /** direct:mayan-ingest only: the item's idempotency key within its source. */
    public static final String SOURCE_KEY = "MayanSourceKey";
    /** Set by direct:mayan-ingest on its way back: the ledger row, and how the item ended. */
    public static final String INGEST_ID = "MayanIngestId";
    public static final String FILE_ID = "MayanFileId";
    public static final String INGEST_STATUS = "MayanIngestStatus";

    /** The headers that describe the item itself, as a sidecar does: with one of them the name need not match a pattern. */
    public static final List<String> MAPPING = List.of(DOCUMENT_TYPE, LABEL, DESCRIPTION, LANGUAGE, TAGS, CABINETS,
            METADATA, DOCUMENT_ID, ACTION);

    private MayanHeaders() {
    }

    /** Reads one value by name: a message property, an exchange header. Null or blank when absent. */
    @FunctionalInterface
    public interface Values<E extends Exception> {
        String text(String name) throws E;
    }

    /**
     * Puts what the sender gave on top of the source's mapping. {@code noun} names the carrier in
     * messages ("property", "header"), so the reason points at what the sender must change; {@code json}
     * (Quarkus' ObjectMapper) reads {@value #METADATA}.
     */
    public static <E extends Exception> void override(IngestRequest item, Values<E> values, String noun, ObjectMapper json)
            throws E {
        String type = text(values, DOCUMENT_TYPE);
        if (type != null) {
            item.setDocumentType(type);
        }
        String label = text(values, LABEL);
        if (label != null) {
            item.setLabel(label);
        }
        String description = text(values, DESCRIPTION);
        if (description != null) {
            item.setDescription(description);
        }
        String language = text(values, LANGUAGE);
        if (language != null) {
            item.setLanguage(language);
        }
        String tags = text(values, TAGS);
        if (tags != null) {
            item.getTags().clear();
            item.getTags().addAll(split(tags));
        }
        String cabinets = text(values, CABINETS);
        if (cabinets != null) {
            item.getCabinets().clear();
            item.getCabinets().addAll(split(cabinets));
        }
        String metadata = text(values, METADATA);
        if (metadata != null) {
            JsonNode root;
            try {
                root = json.readTree(metadata);
            } catch (IOException e) {
                root = null;
            }
            if (root == null || !root.isObject()) {
                throw IngestException.permanent("the " + noun + " " + METADATA + " is not a JSON object of name: value",
                        "send it as {\"invoice_number\": \"4711\"}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                item.getMetadata().put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
            }
        }
        String action = text(values, ACTION);
        if (action != null) {
            item.setAction(action.toLowerCase(Locale.ROOT));
        }
        String documentId = text(values, DOCUMENT_ID);
        if (documentId != null) {
            try {
                long id = Long.parseLong(documentId.strip());
                if (id <= 0) {
                    throw new NumberFormatException();
                }
                item.setTargetDocumentId(id);
            } catch (NumberFormatException e) {
                throw IngestException.permanent("the " + noun + " " + DOCUMENT_ID + " \"" + documentId
                        + "\" is not a document id", "give the numeric id of an existing Mayan document");
            }
            if (item.getAction() == null) {
                item.setAction("replace");
            }
        }
    }

    private static <E extends Exception> String text(Values<E> values, String name) throws E {
        String text = values.text(name);
        return text == null || text.isBlank() ? null : text;
    }

    private static List<String> split(String csv) {
        List<String> values = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (!part.isBlank()) {
                values.add(part.strip());
            }
        }
        return values;
    }
}
