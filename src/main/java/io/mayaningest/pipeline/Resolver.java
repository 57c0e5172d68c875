package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanException;
import io.mayaningest.mayan.MayanLookups;
import io.mayaningest.mayan.MayanLookups.Attachment;
import io.mayaningest.mayan.MayanLookups.MetadataType;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.ExchangeProperty;

/**
 * Checks an item against Mayan before anything is uploaded, so a bad mapping never leaves a
 * half-finished document behind: the document type exists, each metadata type exists and is attached
 * to it (Mayan only checks that after the upload, mayan-api.md §8), required metadata is present,
 * values pass the type's lookup list and regular expression, tags and cabinets exist. Every problem
 * of the item is reported at once, with what exists in Mayan, so one round trip fixes them all.
 * <p>
 * In the pipeline each lookup is a route of its own ({@link LookupRoutes}: document type, metadata
 * types, tags, cabinets), called by the {@code validate} route as a Content Enricher; {@link #judge(IngestRequest, List)}
 * then judges what they found. {@link #problems(IngestRequest)} runs the same lookups without routes
 * (the console's preview, the upload API's check before it accepts an upload).
 */
@ApplicationScoped
public class Resolver {

    static final Set<String> ACTIONS = Set.of("replace", "append", "keep");
    static final String REGEX_VALIDATOR = "RegularExpressionValidator";

    private final MayanLookups lookups;
    private final MayanClient client;
    private final ObjectMapper json;
    // Mayan stores a validator's arguments as YAML, so this one mapper reads YAML, not JSON.
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    public Resolver(MayanLookups lookups, MayanClient client, ObjectMapper json) {
        this.lookups = lookups;
        this.client = client;
        this.json = json;
    }

    /**
     * One problem of an item: the field of the request it is about (as the upload API names its
     * fields: {@code file}, {@code document_type}, {@code metadata.<name>}, {@code tags}, {@code cabinets},
     * {@code document_id}, {@code action}), what is wrong, and what to do.
     */
    public record Problem(String field, String reason, String fix) {
    }

    /**
     * What one lookup route found for an item: the document type's id (document-type lookup only, else
     * 0) and the problems, in the order they are reported.
     */
    public record Lookup(long documentTypeId, List<Problem> problems) {
        static Lookup of(List<Problem> problems) {
            return new Lookup(0, List.copyOf(problems));
        }
    }

    /** The part of {@code documents/{id}/} read here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TargetDocument(@JsonProperty("document_type") TargetType documentType) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TargetType(long id) {
    }

    /** Without routes: the console's preview. */
    public void resolve(IngestRequest item) {
        fail(problems(item));
    }

    /** The {@code validate} route: judges what the lookup routes found (in their order) with the item's own checks. */
    public void judge(IngestRequest item, @ExchangeProperty(LookupRoutes.FOUND) List<Lookup> found) {
        List<Problem> problems = fileProblems(item);
        if (found != null) {
            found.forEach(l -> problems.addAll(l.problems()));
        }
        fail(problems);
    }

    private static void fail(List<Problem> problems) {
        if (!problems.isEmpty()) {
            throw IngestException.permanent(String.join("; ", problems.stream().map(Problem::reason).toList()),
                    String.join("; ", problems.stream().map(Problem::fix).distinct().toList()) + "; then replay the item");
        }
    }

    /** Every problem of the item against Mayan (none: it can be uploaded); transient Mayan failures are thrown. */
    public List<Problem> problems(IngestRequest item) {
        List<Problem> problems = fileProblems(item);
        Lookup type = documentType(item);
        if (type.documentTypeId() > 0) {
            item.setDocumentTypeId(type.documentTypeId());
        }
        problems.addAll(type.problems());
        problems.addAll(metadataTypes(item).problems());
        problems.addAll(tags(item).problems());
        problems.addAll(cabinets(item).problems());
        return problems;
    }

    private static List<Problem> fileProblems(IngestRequest item) {
        List<Problem> problems = new ArrayList<>();
        if (item.getSize() == 0) {
            problems.add(new Problem("file", "the file is empty (0 bytes)",
                    "check the program that wrote it; Mayan cannot store an empty document"));
        }
        return problems;
    }

    /**
     * The document type by its exact label; for a new file of an existing document ({@code document_id}),
     * that document's type.
     */
    public Lookup documentType(IngestRequest item) {
        List<Problem> problems = new ArrayList<>();
        if (item.isNewFileMode()) {
            return new Lookup(targetDocumentType(item, problems), List.copyOf(problems));
        }
        Optional<MayanLookups.DocumentType> type = lookups.documentType(item.getDocumentType());
        if (type.isPresent()) {
            return new Lookup(type.get().id(), List.of());
        }
        problems.add(new Problem("document_type", "document type \"" + item.getDocumentType()
                + "\" does not exist in Mayan; existing types: " + String.join(", ", lookups.documentTypeLabels()),
                "create the document type in Mayan or correct document_type / document-type"));
        return Lookup.of(problems);
    }

    /**
     * Each metadata type by its exact name, its attachment to the item's document type, the required
     * ones, and the values (they need the type's lookup list and regular expression just read). Nothing
     * without a document type: its problem is already reported.
     */
    public Lookup metadataTypes(IngestRequest item) {
        List<Problem> problems = new ArrayList<>();
        if (item.getDocumentTypeId() > 0) {
            checkMetadata(item, problems);
        }
        return Lookup.of(problems);
    }

    /** Each tag by its exact label. */
    public Lookup tags(IngestRequest item) {
        List<Problem> problems = new ArrayList<>();
        for (String tag : item.getTags()) {
            if (lookups.tag(tag).isEmpty()) {
                problems.add(new Problem("tags", "tag \"" + tag + "\" does not exist in Mayan; existing tags: "
                        + list(lookups.tagLabels()), "create the tag in Mayan or correct the tags"));
            }
        }
        return Lookup.of(problems);
    }

    /** Each cabinet by its full path. */
    public Lookup cabinets(IngestRequest item) {
        List<Problem> problems = new ArrayList<>();
        for (String cabinet : item.getCabinets()) {
            if (lookups.cabinet(cabinet).isEmpty()) {
                problems.add(new Problem("cabinets", "cabinet \"" + cabinet + "\" does not exist in Mayan; existing cabinets: "
                        + list(lookups.cabinetPaths()),
                        "create the cabinet in Mayan (levels separated by \"/\") or correct the cabinets"));
            }
        }
        return Lookup.of(problems);
    }

    private long targetDocumentType(IngestRequest item, List<Problem> problems) {
        if (item.getAction() == null || !ACTIONS.contains(item.getAction())) {
            problems.add(new Problem("action", "action \"" + item.getAction() + "\" is not one of replace, append, keep",
                    "set action to replace, append or keep"));
        }
        try {
            TargetDocument document = json.convertValue(
                    client.get("documents/" + item.getTargetDocumentId() + "/", Map.of()), TargetDocument.class);
            return document == null || document.documentType() == null ? 0 : document.documentType().id();
        } catch (MayanException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            // Mayan answers 404 both for a missing document and for one the user may not see (§10).
            problems.add(new Problem("document_id", "document " + item.getTargetDocumentId()
                    + " does not exist in Mayan, is in the trash, or the service's user may not see it",
                    "correct document_id, or give the service's user access to that document"));
            return 0;
        }
    }

    private void checkMetadata(IngestRequest item, List<Problem> problems) {
        Map<String, String> values = item.getMetadata();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String field = "metadata." + entry.getKey();
            Optional<MetadataType> type = lookups.metadataType(entry.getKey());
            if (type.isEmpty()) {
                problems.add(new Problem(field, "metadata type \"" + entry.getKey()
                        + "\" does not exist in Mayan; existing metadata types: " + list(lookups.metadataTypeNames()),
                        "use the metadata type's name (not its label), or create it in Mayan"));
                continue;
            }
            if (lookups.attachment(item.getDocumentTypeId(), type.get().id()).isEmpty()) {
                problems.add(new Problem(field, "metadata type \"" + entry.getKey() + "\" is not attached to document type \""
                        + typeLabel(item) + "\"", "attach it in Mayan (Setup, Document types, " + typeLabel(item)
                                + ", Metadata types) or remove it from the mapping"));
                continue;
            }
            valueProblem(type.get(), entry.getValue()).ifPresent(p -> problems.add(new Problem(field,
                    "metadata \"" + entry.getKey() + "\" value \"" + entry.getValue() + "\" " + p,
                    "correct the value (file name, sidecar or mapping)")));
        }
        if (!item.isNewFileMode()) {
            for (Attachment attachment : lookups.attachments(item.getDocumentTypeId())) {
                String value = values.get(attachment.name());
                if (attachment.required() && (value == null || value.isBlank())) {
                    problems.add(new Problem("metadata." + attachment.name(), "metadata \"" + attachment.name()
                            + "\" is required for document type \"" + typeLabel(item) + "\" but has no value",
                            "give it a value in the mapping, the file name pattern or a sidecar"));
                }
            }
        }
    }

    private String typeLabel(IngestRequest item) {
        return item.getDocumentType() != null ? item.getDocumentType() : "#" + item.getDocumentTypeId();
    }

    /**
     * The checks Mayan itself runs when the value is set (mayan-api.md §8), done before the upload.
     * Only plain lookup lists and the regular-expression validator can be evaluated here; a lookup that
     * is a Django template, or another validator, is left to Mayan.
     */
    Optional<String> valueProblem(MetadataType type, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        String lookup = type.lookup();
        if (lookup != null && !lookup.isBlank() && !lookup.contains("{")) {
            List<String> options = new ArrayList<>();
            for (String option : lookup.split(",")) {
                options.add(option.strip());
            }
            if (!options.contains(value)) {
                return Optional.of("is not one of the options of metadata type \"" + type.name() + "\": "
                        + String.join(", ", options));
            }
        }
        String validation = type.validation();
        if (validation != null && validation.endsWith(REGEX_VALIDATOR)) {
            Optional<Pattern> pattern = regex(type.validationArguments());
            // Mayan's RegularExpressionValidator uses re.fullmatch, hence matches(), not find().
            if (pattern.isPresent() && !pattern.get().matcher(value).matches()) {
                return Optional.of("does not match the pattern " + pattern.get().pattern() + " of metadata type \""
                        + type.name() + "\"");
            }
        }
        return Optional.empty();
    }

    private Optional<Pattern> regex(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode args = yaml.readTree(arguments);
            JsonNode pattern = args == null ? null : args.get("pattern");
            return pattern == null ? Optional.empty() : Optional.of(Pattern.compile(pattern.asText()));
        } catch (java.io.IOException | PatternSyntaxException e) {
            // Python's and Java's regex dialects differ at the edges; then Mayan has the last word.
            return Optional.empty();
        }
    }

    private static String list(List<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }
}
