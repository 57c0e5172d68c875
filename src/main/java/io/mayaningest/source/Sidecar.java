package io.mayaningest.source;

import io.mayaningest.core.SafeNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;

/**
 * A {@code <file name>.json} or {@code .yaml} beside a document that overrides the source's mapping
 * for that one document. Unknown keys are an error, so a misspelt key never goes unnoticed.
 */
public final class Sidecar {

    static final Set<String> KEYS = Set.of("document_type", "label", "description", "language", "metadata", "tags",
            "cabinets", "document_id", "action");

    private static final JsonFactory JSON = new JsonFactory();
    private static final YAMLFactory YAML = new YAMLFactory();
    /** A sidecar holds a few values; anything this large is not one, and is never read into memory. */
    static final long MAX_BYTES = 1024 * 1024;
    private static final java.util.regex.Pattern WHOLE_NUMBER = java.util.regex.Pattern.compile("[0-9]{1,18}");
    /** How much of a wrong value a reason quotes: enough to recognise it, never a whole file. */
    private static final int QUOTE = 40;

    private Sidecar() {
    }

    /**
     * The sidecar of a document, if one exists beside it: {@code <name>.json}, {@code .yaml} or
     * {@code .yml}, the name compared in both Unicode normal forms (a sidecar written on Windows, NFC,
     * beside a scan copied from a Mac, NFD, is found, and the other way round). A symbolic link counts
     * as a sidecar (it is not followed here; the source decides whether it may be read).
     */
    public static Path find(Path document) {
        for (String suffix : List.of(".json", ".yaml", ".yml")) {
            for (String name : SafeNames.normalForms(document.getFileName().toString())) {
                Path candidate = document.resolveSibling(name + suffix);
                if (Files.isSymbolicLink(candidate) || Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    public static void apply(Path sidecar, IngestRequest item) {
        JsonNode root = read(sidecar);
        String where = "sidecar " + SafeNames.visible(sidecar.getFileName());
        if (!root.isObject()) {
            throw IngestException.permanent(where + " is not a JSON/YAML object", "write it as {\"key\": value, ...}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String key = names.next();
            if (!KEYS.contains(key)) {
                throw IngestException.permanent(where + " has an unknown key \"" + quote(key) + "\"",
                        "use only " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        text(root, "document_type", where).ifPresent(item::setDocumentType);
        text(root, "label", where).ifPresent(item::setLabel);
        text(root, "description", where).ifPresent(item::setDescription);
        text(root, "language", where).ifPresent(item::setLanguage);
        text(root, "action", where).ifPresent(a -> item.setAction(a.toLowerCase(Locale.ROOT)));
        java.util.Optional<String> documentId = text(root, "document_id", where);
        if (documentId.isPresent()) {
            // The text as written: 12.7, 1e2 or 0x1F are not ids (a number parser would have made them 12, 100, 31).
            String id = documentId.get().strip();
            if (!WHOLE_NUMBER.matcher(id).matches() || Long.parseLong(id) <= 0) {
                throw IngestException.permanent(where + ": document_id \"" + quote(documentId.get())
                        + "\" is not a document id (a whole number above 0)",
                        "give the numeric id of an existing Mayan document, e.g. \"document_id\": 42");
            }
            item.setTargetDocumentId(Long.parseLong(id));
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
                if (!e.getValue().isValueNode()) {
                    throw IngestException.permanent(where + ": metadata \"" + quote(e.getKey()) + "\" is "
                            + kind(e.getValue()) + ", not a text",
                            "write the value of \"" + quote(e.getKey()) + "\" as one text (in quotes)");
                }
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

    /**
     * Reads the sidecar into a tree whose every scalar is a {@link TextNode} with the text exactly as
     * written. Jackson's tree model would re-type them ({@code 1.10} becomes 1.1, YAML {@code 0x1F} 31,
     * {@code 012345} 5349, {@code yes} true), so the tree is built here from the parser's tokens, whose
     * {@code getText()} is the scalar's source text. The same walk refuses what a tree would hide: a key
     * given twice (the last one would win silently) and YAML aliases (Jackson reads {@code *x} as the
     * text "x").
     */
    /**
     * The same reader for other mapping files of a source (the mail source's {@code metadata.yaml}):
     * every scalar the text as written, the same refusals, errors by line and column.
     */
    public static JsonNode readAsWritten(Path file) {
        return read(file);
    }

    private static JsonNode read(Path sidecar) {
        String name = sidecar.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json");
        String where = "sidecar " + SafeNames.visible(sidecar.getFileName());
        try {
            long size = Files.size(sidecar);
            if (size > MAX_BYTES) {
                throw IngestException.permanent(where + " has " + size + " bytes, more than the " + MAX_BYTES
                        + " a sidecar may have", "a sidecar holds a few values: keep only the keys of the README");
            }
        } catch (IOException e) {
            throw IngestException.permanent(where + " cannot be read (" + e.getClass().getSimpleName() + ")",
                    "give the service's user read permission on it, or delete it");
        }
        try (InputStream in = Files.newInputStream(sidecar);
                JsonParser parser = (json ? JSON : YAML).createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw IngestException.permanent(where + " is empty", "fill it in or delete it");
            }
            JsonNode root = node(parser, first, where, "");
            if (parser.nextToken() != null) {
                throw IngestException.permanent(where + " holds more than one " + (json ? "JSON value" : "YAML document")
                        + " (from line " + parser.currentTokenLocation().getLineNr() + ")",
                        "keep one object: {\"key\": value, ...}");
            }
            return root;
        } catch (JsonProcessingException e) {
            // Parser messages quote the input ("Unrecognized token 'the-token-value'", SnakeYAML's snippet of
            // the line): never copied, neither into the reason nor as the cause, whose message the log shows.
            JsonLocation at = e.getLocation();
            String position = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw IngestException.permanent(where + " is not valid " + (json ? "JSON" : "YAML") + ": " + syntaxKind(e)
                    + position, "correct the sidecar's syntax" + position);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            // SnakeYAML's own limits (document size, aliases) can surface unwrapped; same rule: no quoting.
            throw IngestException.permanent(where + " is not valid YAML: " + e.getClass().getSimpleName(),
                    "correct the sidecar's syntax");
        } catch (IOException e) {
            throw IngestException.permanent(where + " cannot be read (" + e.getClass().getSimpleName() + ")",
                    "give the service's user read permission on it, or delete it");
        }
    }

    private static JsonNode node(JsonParser parser, JsonToken token, String where, String path) throws IOException {
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String key = parser.currentName();
                    String keyPath = path.isEmpty() ? key : path + "." + key;
                    if (object.has(key)) {
                        throw IngestException.permanent(where + " has the key \"" + quote(keyPath) + "\" twice",
                                "keep one \"" + quote(keyPath) + "\" (which one is meant cannot be guessed)");
                    }
                    object.set(key, node(parser, parser.nextToken(), where, keyPath));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(node(parser, t, where, path + "[" + (array.size() + 1) + "]"));
                }
                return array;
            }
            case VALUE_NULL:
                return NullNode.getInstance();
            default:
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    throw IngestException.permanent(where + ": " + quote(path) + " is a YAML alias (*"
                            + quote(parser.getText()) + ")", "write the value itself instead of an alias");
                }
                return TextNode.valueOf(parser.getText());
        }
    }

    /** What kind of syntax error, in words that never quote the input. */
    private static String syntaxKind(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
            return "it ends in the middle of a value (an unclosed bracket, brace or quote)";
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return "it is nested too deeply or has a value that is too long";
        }
        Throwable cause = e.getCause();
        if (cause instanceof org.yaml.snakeyaml.scanner.ScannerException) {
            return "a character or token YAML cannot read (a tab in the indentation, an unclosed quote, a stray ':')";
        }
        if (cause instanceof org.yaml.snakeyaml.parser.ParserException) {
            return "a structure YAML cannot parse (an unclosed bracket, a missing ':' or ',', bad indentation)";
        }
        return "a syntax error";
    }

    /** "an object" or "a list", for messages about a value of the wrong kind. */
    private static String kind(JsonNode node) {
        return node.isObject() ? "an object" : node.isArray() ? "a list" : "a text";
    }

    /** A value or key from the sidecar for a reason: escaped, and cut to a length that identifies it. */
    private static String quote(String text) {
        String visible = SafeNames.visible(text);
        return visible.length() <= QUOTE ? visible : visible.substring(0, QUOTE) + "...";
    }

    private static java.util.Optional<String> text(JsonNode root, String key, String where) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return java.util.Optional.empty();
        }
        if (!v.isValueNode()) {
            throw IngestException.permanent(where + ": " + key + " must be a text, not " + kind(v),
                    "write " + key + " as a string");
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
            for (int i = 0; i < v.size(); i++) {
                JsonNode n = v.get(i);
                if (!n.isValueNode() || n.isNull()) {
                    throw IngestException.permanent(where + ": " + key + " element " + (i + 1) + " is "
                            + (n.isNull() ? "empty (null)" : kind(n)) + ", not a text",
                            "write " + key + " as a list of texts, [\"a\", \"b\"]");
                }
                values.add(n.asText().strip());
            }
        } else if (v.isValueNode()) {
            for (String part : v.asText().split(",")) {
                if (!part.isBlank()) {
                    values.add(part.strip());
                }
            }
        } else {
            throw IngestException.permanent(where + ": " + key + " must be a list, not " + kind(v),
                    "write " + key + " as [\"a\", \"b\"]");
        }
        return java.util.Optional.of(values);
    }

    private static final List<String> SIDECAR_SUFFIXES = List.of(".json", ".yaml", ".yml");

    /**
     * {@code <file name>.json}, {@code .yaml} or {@code .yml} where the file name has an extension of
     * its own ({@code scan.pdf.json}). Such a file is never a document, even before its document has
     * arrived, so a sidecar written first is not uploaded by mistake.
     */
    public static boolean isSidecarName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String suffix : SIDECAR_SUFFIXES) {
            if (lower.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                return base.lastIndexOf('.') > 0;
            }
        }
        return false;
    }
}
