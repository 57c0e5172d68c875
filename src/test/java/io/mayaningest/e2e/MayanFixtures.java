package io.mayaningest.e2e;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Mayan set-up the suite needs, made through the REST API and idempotent: every object is looked up
 * first and created only when missing, because the Mayan keeps its data between runs.
 */
public final class MayanFixtures {

    public static final String DRAWING = "Drawing";
    public static final String INVOICE = "Invoice";
    public static final String REGEX_VALIDATOR = "mayan.apps.metadata.metadata_validators.RegularExpressionValidator";
    public static final String SIX_DIGITS = "pattern: ^\\d{6}$";

    private final RealMayan mayan;

    private MayanFixtures(RealMayan mayan) {
        this.mayan = mayan;
    }

    public static void ensure(RealMayan mayan) throws IOException, InterruptedException {
        new MayanFixtures(mayan).ensureAll();
    }

    private void ensureAll() throws IOException, InterruptedException {
        long drawing = documentType(DRAWING);
        long invoice = documentType(INVOICE);
        long drawingNo = metadataType("drawing_no", "Drawing number", REGEX_VALIDATOR, SIX_DIGITS, null);
        long revision = metadataType("revision", "Revision", "", "", null);
        long invoiceNumber = metadataType("invoice_number", "Invoice number", "", "", null);
        long currency = metadataType("currency", "Currency", "", "", "EUR,USD,CHF");
        attach(drawing, drawingNo, false);
        attach(drawing, revision, false);
        attach(invoice, invoiceNumber, true);
        attach(invoice, currency, false);
        for (String tag : List.of("scanned", "engineering", "urgent")) {
            tag(tag);
        }
        long engineering = rootCabinet("Engineering", "Drawings");
        childCabinet(engineering, "Drawings");
        rootCabinet("Finance", null);
    }

    long documentType(String label) throws IOException, InterruptedException {
        Optional<JsonNode> found = mayan.listAll("document_types/").stream()
                .filter(t -> label.equals(t.path("label").asText())).findFirst();
        if (found.isPresent()) {
            return found.get().path("id").asLong();
        }
        return mayan.post("document_types/", mayan.object().put("label", label), 201).path("id").asLong();
    }

    long metadataType(String name, String label, String validation, String validationArguments, String lookup)
            throws IOException, InterruptedException {
        Optional<JsonNode> found = mayan.listAll("metadata_types/").stream()
                .filter(t -> name.equals(t.path("name").asText())).findFirst();
        ObjectNode wanted = mayan.object().put("label", label).put("validation", validation)
                .put("validation_arguments", validationArguments);
        if (lookup != null) {
            wanted.put("lookup", lookup);
        }
        if (found.isEmpty()) {
            return mayan.post("metadata_types/", wanted.put("name", name), 201).path("id").asLong();
        }
        JsonNode type = found.get();
        boolean same = validation.equals(type.path("validation").asText(""))
                && validationArguments.equals(type.path("validation_arguments").asText(""))
                && Objects.equals(lookup == null ? "" : lookup, type.path("lookup").asText(""));
        if (!same) {
            wanted.put("lookup", lookup == null ? "" : lookup);
            mayan.patch("metadata_types/" + type.path("id").asLong() + "/", wanted);
        }
        return type.path("id").asLong();
    }

    void attach(long documentTypeId, long metadataTypeId, boolean required) throws IOException, InterruptedException {
        String path = "document_types/" + documentTypeId + "/metadata_types/";
        Optional<JsonNode> found = mayan.listAll(path).stream()
                .filter(r -> r.path("metadata_type").path("id").asLong() == metadataTypeId).findFirst();
        if (found.isEmpty()) {
            mayan.post(path, mayan.object().put("metadata_type_id", metadataTypeId).put("required", required), 201);
        } else if (found.get().path("required").asBoolean() != required) {
            mayan.patch(path + found.get().path("id").asLong() + "/", mayan.object().put("required", required));
        }
    }

    void tag(String label) throws IOException, InterruptedException {
        boolean exists = mayan.listAll("tags/").stream().anyMatch(t -> label.equals(t.path("label").asText()));
        if (!exists) {
            mayan.post("tags/", mayan.object().put("label", label).put("color", "#3366cc"), 201);
        }
    }

    /**
     * A root cabinet. Mayan accepts duplicate root labels (MAYAN-FINDINGS.md), and earlier probe runs made
     * several "Engineering": prefer the oldest one that already has {@code preferredChild}, else the oldest.
     */
    long rootCabinet(String label, String preferredChild) throws IOException, InterruptedException {
        List<JsonNode> cabinets = mayan.listAll("cabinets/");
        List<JsonNode> roots = cabinets.stream()
                .filter(c -> label.equals(c.path("label").asText()) && c.path("parent_id").isNull())
                .sorted(Comparator.comparingLong(c -> c.path("id").asLong()))
                .toList();
        if (roots.isEmpty()) {
            ObjectNode body = mayan.object().put("label", label);
            body.putNull("parent"); // required even for a root cabinet (MAYAN-FINDINGS.md, Cabinets)
            return mayan.post("cabinets/", body, 201).path("id").asLong();
        }
        if (preferredChild != null) {
            for (JsonNode root : roots) {
                long id = root.path("id").asLong();
                boolean hasChild = cabinets.stream().anyMatch(c -> preferredChild.equals(c.path("label").asText())
                        && c.path("parent_id").asLong(-1) == id);
                if (hasChild) {
                    return id;
                }
            }
        }
        return roots.get(0).path("id").asLong();
    }

    long childCabinet(long parentId, String label) throws IOException, InterruptedException {
        Optional<JsonNode> found = mayan.listAll("cabinets/").stream()
                .filter(c -> label.equals(c.path("label").asText()) && c.path("parent_id").asLong(-1) == parentId)
                .findFirst();
        if (found.isPresent()) {
            return found.get().path("id").asLong();
        }
        return mayan.post("cabinets/", mayan.object().put("label", label).put("parent", parentId), 201).path("id")
                .asLong();
    }
}
