package io.mayaningest.source.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.Resolver.Problem;
import io.mayaningest.core.SafeNames;
import io.mayaningest.source.Spool;

/**
 * One upload request as sent: the {@code file} part spooled (SHA-256 on the way, the source's size
 * limit enforced while it arrives), the other fields as text, and every problem of the fields
 * themselves (before Mayan is asked anything).
 */
final class UploadForm {

    /** The fields a request may send, named as people who script against Mayan expect them. */
    static final List<String> FIELDS = List.of("file", "document_type", "label", "description", "language", "metadata",
            "metadata.<name>", "tags", "cabinets", "document_id", "action");
    static final Set<String> SINGLE = Set.of("document_type", "label", "description", "language", "metadata",
            "document_id", "action");
    static final Set<String> ACTIONS = Set.of("replace", "append", "keep");
    static final String FILE = "file";
    static final String DEFAULT_FILE_NAME = "document.bin";
    /** A field's text; a label or a metadata object is far smaller. */
    static final int MAX_FIELD_BYTES = 64 * 1024;
    static final int MAX_FIELDS = 500;

    /** Quarkus' ObjectMapper: reads the "metadata" field. */
    private final ObjectMapper json;

    String fileName;
    Spool.Spooled file;
    final Map<String, List<String>> fields = new LinkedHashMap<>();
    final List<Problem> problems = new ArrayList<>();

    private UploadForm(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Reads the whole body. The file goes to {@code spoolDir}; {@link Spool.TooLarge} when it is larger
     * than {@code limit} (0: no limit), {@link MultipartReader.Malformed} when the body is not a form.
     */
    static UploadForm read(InputStream body, String boundary, Path spoolDir, long limit, ObjectMapper json)
            throws IOException {
        UploadForm form = new UploadForm(json);
        MultipartReader reader = new MultipartReader(body, boundary);
        int count = 0;
        for (MultipartReader.Part part; (part = reader.next()) != null;) {
            if (++count > MAX_FIELDS) {
                throw new MultipartReader.Malformed("the form has more than " + MAX_FIELDS + " parts");
            }
            String name = part.name() == null ? "" : part.name();
            if (FILE.equals(name)) {
                if (form.file != null) {
                    form.problems.add(new Problem(FILE, "the request has more than one file part",
                            "send one document per request, in the part named \"file\""));
                    continue;
                }
                form.fileName = SafeNames.fileName(part.fileName(), DEFAULT_FILE_NAME);
                form.file = Spool.copy(part.content(), spoolDir.resolve(Spool.spoolName(form.fileName)), limit);
                continue;
            }
            String text = text(part.content());
            if (text == null) {
                form.problems.add(new Problem(name, "the field \"" + SafeNames.visible(name) + "\" is longer than "
                        + MAX_FIELD_BYTES + " bytes", "send the document itself in the part named \"file\"; fields hold"
                                + " only its description"));
                continue;
            }
            if (part.fileName() != null && !name.equals("metadata")) {
                form.problems.add(new Problem(name, "the part \"" + SafeNames.visible(name) + "\" is a file, but only"
                        + " \"file\" (and \"metadata\", a JSON file) may be", "send \"" + SafeNames.visible(name)
                                + "\" as a plain form field"));
                continue;
            }
            form.fields.computeIfAbsent(name, k -> new ArrayList<>()).add(text);
        }
        if (form.file == null) {
            form.problems.add(new Problem(FILE, "the request has no part named \"file\"",
                    "send the document as the multipart part \"file\" (curl -F file=@scan.pdf, requests files={\"file\": ...})"));
        }
        return form;
    }

    /** A field's value as UTF-8, or null if longer than {@link #MAX_FIELD_BYTES} (the rest is skipped). */
    private static String text(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) != -1;) {
            if (out.size() + n > MAX_FIELD_BYTES) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Whether the request describes the document itself (then its name need not match a filename-pattern). */
    boolean describes() {
        return fields.keySet().stream().anyMatch(f -> !f.equals(FILE));
    }

    /** Puts the request's fields on top of the source's mapping; each bad field becomes a problem. */
    void applyTo(IngestRequest item) {
        for (Map.Entry<String, List<String>> field : fields.entrySet()) {
            String name = field.getKey();
            boolean known = SINGLE.contains(name) || name.equals("tags") || name.equals("cabinets")
                    || (name.startsWith("metadata.") && name.length() > "metadata.".length());
            if (!known) {
                problems.add(new Problem(name, "the field \"" + SafeNames.visible(name) + "\" is not one the API knows",
                        "use only " + String.join(", ", FIELDS)));
            } else if (SINGLE.contains(name) && field.getValue().size() > 1) {
                problems.add(new Problem(name, "the field \"" + name + "\" is sent " + field.getValue().size()
                        + " times", "send it once"));
            }
        }
        String type = single("document_type");
        if (type != null) {
            item.setDocumentType(type);
        }
        String label = single("label");
        if (label != null) {
            item.setLabel(label);
        }
        String description = single("description");
        if (description != null) {
            item.setDescription(description);
        }
        String language = single("language");
        if (language != null) {
            item.setLanguage(language);
        }
        applyMetadata(item);
        List<String> tags = list("tags");
        if (tags != null) {
            item.getTags().clear();
            item.getTags().addAll(tags);
        }
        List<String> cabinets = list("cabinets");
        if (cabinets != null) {
            item.getCabinets().clear();
            item.getCabinets().addAll(cabinets);
        }
        applyTarget(item, type != null);
    }

    private void applyMetadata(IngestRequest item) {
        String metadata = single("metadata");
        if (metadata != null) {
            JsonNode root;
            try {
                root = json.readTree(metadata);
            } catch (IOException e) {
                root = null;
            }
            if (root == null || !root.isObject()) {
                problems.add(new Problem("metadata", "the field \"metadata\" is not a JSON object of metadata type name:"
                        + " value", "send it as {\"invoice_number\": \"4711\"}, or one field metadata.invoice_number=4711"
                                + " per value"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    if (v.isContainerNode()) {
                        problems.add(new Problem("metadata." + e.getKey(), "the value of metadata \"" + e.getKey()
                                + "\" is a JSON " + (v.isArray() ? "array" : "object") + ", not a single value",
                                "give one text or number per metadata type"));
                        continue;
                    }
                    item.getMetadata().put(e.getKey(), v.isNull() ? "" : v.asText());
                }
            }
        }
        for (Map.Entry<String, List<String>> field : fields.entrySet()) {
            if (field.getKey().startsWith("metadata.") && field.getKey().length() > "metadata.".length()) {
                String name = field.getKey().substring("metadata.".length());
                if (field.getValue().size() > 1) {
                    problems.add(new Problem(field.getKey(), "metadata \"" + name + "\" is sent "
                            + field.getValue().size() + " times", "send one value per metadata type"));
                    continue;
                }
                item.getMetadata().put(name, field.getValue().get(0));
            }
        }
    }

    /** {@code document_id} (and {@code action}): a new file of an existing document. */
    private void applyTarget(IngestRequest item, boolean typeGiven) {
        String id = single("document_id");
        String action = single("action");
        if (action != null) {
            action = action.strip().toLowerCase(Locale.ROOT);
            if (!ACTIONS.contains(action)) {
                problems.add(new Problem("action", "action \"" + SafeNames.visible(action)
                        + "\" is not one of replace, append, keep", "send action=replace (the new file becomes the"
                                + " document's current one), append or keep"));
            }
        }
        if (id == null) {
            if (action != null) {
                problems.add(new Problem("action", "action is given without document_id",
                        "send document_id (the Mayan document to add the file to), or leave action out for a new document"));
            }
            return;
        }
        try {
            long documentId = Long.parseLong(id.strip());
            if (documentId <= 0) {
                throw new NumberFormatException();
            }
            item.setTargetDocumentId(documentId);
            item.setAction(action == null || !ACTIONS.contains(action) ? "replace" : action);
        } catch (NumberFormatException e) {
            problems.add(new Problem("document_id", "document_id \"" + SafeNames.visible(id)
                    + "\" is not a document id", "send the numeric id of an existing Mayan document"));
        }
        if (typeGiven) {
            problems.add(new Problem("document_type", "document_type is given with document_id",
                    "leave document_type out: a new file keeps the type of its document"));
        }
    }

    private String single(String name) {
        List<String> values = fields.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        String v = values.get(0);
        return v.isBlank() ? null : v;
    }

    /** Comma-separated values, in one field or repeated; null when the field is not sent. */
    private List<String> list(String name) {
        List<String> values = fields.get(name);
        if (values == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                if (!part.isBlank() && !out.contains(part.strip())) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }
}
