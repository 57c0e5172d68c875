package io.mayaningest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.mayaningest.pipeline.IngestException;
import io.mayaningest.pipeline.IngestRequest;

/**
 * A {@code <file name>.json} or {@code .yaml} beside a document that overrides the source's mapping
 * for that one document. Unknown keys are an error, so a misspelt key never goes unnoticed.
 */
public final class Sidecar {

    static final Set<String> KEYS = Set.of("document_type", "label", "description", "language", "metadata", "tags",
            "cabinets", "document_id", "action");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Sidecar() {
    }

    /** The sidecar of a document, if one exists beside it. */
    public static Path find(Path document) {
        for (String suffix : List.of(".json", ".yaml", ".yml")) {
            Path candidate = document.resolveSibling(document.getFileName() + suffix);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    public static void apply(Path sidecar, IngestRequest item) {
        JsonNode root = read(sidecar);
        String where = "sidecar " + sidecar.getFileName();
        if (!root.isObject()) {
            throw IngestException.permanent(where + " is not a JSON/YAML object", "write it as {\"key\": value, ...}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String key = names.next();
            if (!KEYS.contains(key)) {
                throw IngestException.permanent(where + " has an unknown key \"" + key + "\"",
                        "use only " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        text(root, "document_type", where).ifPresent(item::setDocumentType);
        text(root, "label", where).ifPresent(item::setLabel);
        text(root, "description", where).ifPresent(item::setDescription);
        text(root, "language", where).ifPresent(item::setLanguage);
        text(root, "action", where).ifPresent(a -> item.setAction(a.toLowerCase(Locale.ROOT)));
        JsonNode documentId = root.get("document_id");
        if (documentId != null && !documentId.isNull()) {
            if (!documentId.canConvertToLong() || documentId.asLong() <= 0) {
                throw IngestException.permanent(where + ": document_id " + documentId + " is not a document id",
                        "give the numeric id of an existing Mayan document");
            }
            item.setTargetDocumentId(documentId.asLong());
            if (item.getAction() == null) {
                item.setAction("replace");
            }
        }
        JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw IngestException.permanent(where + ": metadata must be an object of name: value",
                        "write metadata as {\"drawing_no\": \"123456\"}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                item.getMetadata().put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
            }
        }
        list(root, "tags", where).ifPresent(tags -> {
            item.getTags().clear();
            item.getTags().addAll(tags);
        });
        list(root, "cabinets", where).ifPresent(cabinets -> {
            item.getCabinets().clear();
            item.getCabinets().addAll(cabinets);
        });
    }

    private static JsonNode read(Path sidecar) {
        String name = sidecar.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".json") ? JSON : YAML;
        try {
            JsonNode root = mapper.readTree(sidecar.toFile());
            if (root == null || root.isMissingNode()) {
                throw IngestException.permanent("sidecar " + sidecar.getFileName() + " is empty",
                        "fill it in or delete it");
            }
            return root;
        } catch (IOException e) {
            throw IngestException.permanent("sidecar " + sidecar.getFileName() + " is not valid "
                    + (mapper == JSON ? "JSON" : "YAML") + ": " + firstLine(e.getMessage()),
                    "correct the sidecar's syntax", e);
        }
    }

    private static java.util.Optional<String> text(JsonNode root, String key, String where) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return java.util.Optional.empty();
        }
        if (!v.isValueNode()) {
            throw IngestException.permanent(where + ": " + key + " must be a text", "write " + key + " as a string");
        }
        return java.util.Optional.of(v.asText());
    }

    private static java.util.Optional<List<String>> list(JsonNode root, String key, String where) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return java.util.Optional.empty();
        }
        List<String> values = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(n -> values.add(n.asText().strip()));
        } else if (v.isValueNode()) {
            for (String part : v.asText().split(",")) {
                if (!part.isBlank()) {
                    values.add(part.strip());
                }
            }
        } else {
            throw IngestException.permanent(where + ": " + key + " must be a list", "write " + key + " as [\"a\", \"b\"]");
        }
        return java.util.Optional.of(values);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
