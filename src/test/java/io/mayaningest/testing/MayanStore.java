package io.mayaningest.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The fake's database and Celery: the models, their JSON serializers, Mayan's validation rules, and the
 * asynchronous file processing.
 *
 * <p>Thread safety: every field is guarded by this object's monitor. Handlers run
 * {@code synchronized (store) { validate; change; serialize }} so each request sees and leaves a
 * consistent state, just as one database transaction would.
 */
final class MayanStore {

    /**
     * Separator of a cabinet's {@code full_path}: Mayan's {@code Cabinet.get_full_path()} returns
     * {@code ' / '.join(labels of ancestors and self)} (mayan/apps/cabinets/models.py, read in the
     * mayan-edms/Mayan-EDMS mirror). Kept in one place in case a running 4.12 says otherwise.
     */
    static final String CABINET_PATH_SEPARATOR = " / ";

    static final String DEFAULT_DOCUMENT_TYPE = "Default";
    static final String DEFAULT_LANGUAGE = "eng";
    static final String REGEX_VALIDATOR = "mayan.apps.metadata.metadata_validators.RegularExpressionValidator";
    /** The file actions of §6; any other action_name is accepted but creates no version. */
    static final Set<String> FILE_ACTIONS = Set.of("append", "keep", "replace");

    private static final DateTimeFormatter DRF_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    // --- models --------------------------------------------------------------------------------

    static final class DocType {
        long id;
        String label;
        Instant created = Instant.now();
    }

    static final class MetaType {
        long id;
        String name;
        String label;
        String defaultValue;
        String lookup;
        String validation = "";
        String validationArguments = "";
        String parser = "";
        String parserArguments = "";
        Instant created = Instant.now();
    }

    /** DocumentTypeMetadataType: its id is what the detail URL uses (§4 "Trap"). */
    static final class Relation {
        long id;
        DocType docType;
        MetaType metaType;
        boolean required;
    }

    static final class Doc {
        long id;
        UUID uuid = UUID.randomUUID();
        String label;
        String description = "";
        String language = DEFAULT_LANGUAGE;
        DocType type;
        Instant created = Instant.now();
        final List<DocFile> files = new ArrayList<>();
        DocFile latest;
        Version version;
        final List<MetaRow> metadata = new ArrayList<>();
        final Set<Tag> tags = new LinkedHashSet<>();
        final Set<Cabinet> cabinets = new LinkedHashSet<>();
        Instant trashedAt;
    }

    static final class DocFile {
        long id;
        Doc doc;
        String filename;
        String comment = "";
        String action;
        String storageName = UUID.randomUUID().toString();
        Path content;
        long contentSize;
        String sha256;
        /** What the API shows: null until the checksum step (§5). */
        String checksum;
        Long size;
        String mimetype;
        String encoding;
        Instant timestamp = Instant.now();
    }

    static final class Version {
        long id;
        Instant timestamp = Instant.now();
    }

    static final class MetaRow {
        long id;
        Doc doc;
        MetaType type;
        String value;
    }

    static final class Tag {
        long id;
        String label;
        String color;
    }

    static final class Cabinet {
        long id;
        String label;
        Cabinet parent;
    }

    /** A document source (sources app): the web-form "Default" of a fresh Mayan, or one a test adds. */
    static final class Source {
        long id;
        String label;
        String backendPath;
        boolean enabled = true;
        String backendData;
    }

    static final String WEB_FORM_BACKEND = "mayan.apps.source_web_forms.source_backends.SourceBackendWebForm";
    static final String WATCH_FOLDER_BACKEND = "mayan.apps.source_watch_folders.source_backends.SourceBackendWatchFolder";

    /** An upload waiting for the fake's "Celery". */
    record Upload(Path content, long size, String sha256, String filename, String comment, String action) {

        /** The same upload as if other bytes had arrived: its checksum is no longer the client's. */
        Upload altered() {
            java.security.MessageDigest digest = Multipart.sha256();
            digest.update(("altered on the way: " + sha256).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new Upload(content, size, java.util.HexFormat.of().formatHex(digest.digest()), filename, comment,
                    action);
        }
    }

    final Map<Long, DocType> docTypes = new LinkedHashMap<>();
    final Map<Long, MetaType> metaTypes = new LinkedHashMap<>();
    final Map<Long, Relation> relations = new LinkedHashMap<>();
    final Map<Long, Doc> docs = new LinkedHashMap<>();
    /**
     * Documents in the trash, out of {@link #docs}: every document endpoint answers 404 for them and
     * every list hides them (§9, §10, [REL 4.1]); only {@code trashed_documents/} shows them.
     */
    final Map<Long, Doc> trashed = new LinkedHashMap<>();
    final Map<Long, Tag> tags = new LinkedHashMap<>();
    final Map<Long, Cabinet> cabinets = new LinkedHashMap<>();
    final Map<Long, Source> sources = new LinkedHashMap<>();

    private long sourceSeq;
    private long docTypeSeq;
    private long metaTypeSeq;
    private long relationSeq;
    private long docSeq;
    private long fileSeq;
    private long versionSeq;
    private long metaRowSeq;
    private long tagSeq;
    private long cabinetSeq;

    // --- processing ----------------------------------------------------------------------------

    private final ScheduledExecutorService scheduler;
    private final Path tempDir;
    volatile Duration fileAppearDelay = Duration.ofMillis(300);
    volatile Duration checksumDelay = Duration.ofMillis(300);
    /** How many of the next uploads are stored altered (FakeMayan#alterNextUploads). */
    final java.util.concurrent.atomic.AtomicInteger alterUploads = new java.util.concurrent.atomic.AtomicInteger();
    private boolean paused;
    private final List<Runnable> parked = new ArrayList<>();
    /** Bumped by reset(), so steps scheduled before it are dropped. */
    private long generation;

    MayanStore(ScheduledExecutorService scheduler, Path tempDir) {
        this.scheduler = scheduler;
        this.tempDir = tempDir;
        clear();
    }

    /** Back to a fresh Mayan: only the "Default" document type that common_initial_setup creates (§3). */
    synchronized void clear() {
        for (Doc doc : java.util.stream.Stream.concat(docs.values().stream(), trashed.values().stream()).toList()) {
            for (DocFile file : doc.files) {
                deleteQuietly(file.content);
            }
        }
        trashed.clear();
        docTypes.clear();
        metaTypes.clear();
        relations.clear();
        docs.clear();
        tags.clear();
        cabinets.clear();
        sources.clear();
        sourceSeq = 0;
        docTypeSeq = metaTypeSeq = relationSeq = docSeq = fileSeq = versionSeq = metaRowSeq = tagSeq = cabinetSeq = 0;
        generation++;
        parked.clear();
        paused = false;
        alterUploads.set(0);
        createDocType(DEFAULT_DOCUMENT_TYPE);
        // common_initial_setup's web-form source (e2e/MAYAN-FINDINGS.md, Sources API).
        createSource("Default", WEB_FORM_BACKEND, "{\"uncompress\": \"a\"}");
    }

    synchronized Source createSource(String label, String backendPath, String backendData) {
        Source source = new Source();
        source.id = ++sourceSeq;
        source.label = label;
        source.backendPath = backendPath;
        source.backendData = backendData;
        sources.put(source.id, source);
        return source;
    }

    synchronized void setPaused(boolean paused) {
        this.paused = paused;
        if (!paused) {
            List<Runnable> resume = new ArrayList<>(parked);
            parked.clear();
            resume.forEach(Runnable::run);
        }
    }

    /**
     * Runs {@code step} after {@code delay}, like a Celery task on a worker: dropped if reset() ran
     * meanwhile, parked while processing is paused (workers down) and re-scheduled with its full delay
     * when it resumes.
     */
    private void schedule(long gen, Supplier<Duration> delay, Runnable step) {
        try {
            scheduler.schedule(() -> runStep(gen, delay, step), delay.get().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // FakeMayan was closed: the "workers" are gone for good
        }
    }

    private void runStep(long gen, Supplier<Duration> delay, Runnable step) {
        {
            synchronized (this) {
                if (gen != generation) {
                    return;
                }
                if (paused) {
                    parked.add(() -> schedule(gen, delay, step));
                    return;
                }
                try {
                    step.run();
                } catch (RuntimeException e) {
                    e.printStackTrace();
                }
            }
        }
    }

    /**
     * Queues the chain of §5 for an upload: after {@link #fileAppearDelay} the DocumentFile row exists and
     * becomes {@code file_latest} (checksum and size still null); after {@link #checksumDelay} more,
     * checksum, size and mimetype are filled in and the file action runs (a new active version for
     * replace/append; none for keep; none for an unknown action, whose task fails with KeyError, §6).
     */
    synchronized void process(Doc doc, Upload received) {
        long gen = generation;
        Upload upload = alterUploads.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? received.altered() : received;
        schedule(gen, () -> fileAppearDelay, () -> {
            DocFile file = addFile(doc, upload);
            schedule(gen, () -> checksumDelay, () -> finishFile(file));
        });
    }

    private DocFile addFile(Doc doc, Upload upload) {
        DocFile file = new DocFile();
        file.id = ++fileSeq;
        file.doc = doc;
        file.filename = upload.filename();
        file.comment = upload.comment() == null ? "" : upload.comment();
        file.action = upload.action();
        file.content = upload.content();
        file.contentSize = upload.size();
        file.sha256 = upload.sha256();
        doc.files.add(file);
        doc.latest = file;
        // DocumentFile.save(): a document without a label takes the file's name (the sources action API
        // in immediate mode creates it with label "").
        if (doc.label == null || doc.label.isEmpty()) {
            doc.label = file.filename;
        }
        return file;
    }

    private void finishFile(DocFile file) {
        file.size = file.contentSize;
        file.checksum = file.sha256;
        String guessed = URLConnection.guessContentTypeFromName(file.filename);
        file.mimetype = guessed == null ? "application/octet-stream" : guessed;
        file.encoding = "binary";
        boolean knownAction = FILE_ACTIONS.contains(file.action);
        if (knownAction && (!"keep".equals(file.action) || file.doc.version == null)) {
            Version version = new Version();
            version.id = ++versionSeq;
            file.doc.version = version;
        }
    }

    /**
     * Adding a required metadata type to a document type queues {@code task_add_required_metadata_type},
     * which gives every existing document of that type an empty entry (§4 "Side effects").
     */
    synchronized void addRequiredEntriesLater(Relation relation) {
        long gen = generation;
        schedule(gen, () -> fileAppearDelay, () -> {
            for (Doc doc : docs.values()) {
                if (doc.type == relation.docType && findRow(doc, relation.metaType) == null) {
                    addRow(doc, relation.metaType, null);
                }
            }
        });
    }

    // --- creation ------------------------------------------------------------------------------

    synchronized DocType createDocType(String label) {
        DocType type = new DocType();
        type.id = ++docTypeSeq;
        type.label = label;
        docTypes.put(type.id, type);
        return type;
    }

    synchronized MetaType createMetaType(String name, String label) {
        MetaType type = new MetaType();
        type.id = ++metaTypeSeq;
        type.name = name;
        type.label = label;
        metaTypes.put(type.id, type);
        return type;
    }

    synchronized Relation createRelation(DocType docType, MetaType metaType, boolean required) {
        Relation relation = new Relation();
        relation.id = ++relationSeq;
        relation.docType = docType;
        relation.metaType = metaType;
        relation.required = required;
        relations.put(relation.id, relation);
        return relation;
    }

    synchronized Doc createDoc(DocType type, String label) {
        Doc doc = new Doc();
        doc.id = ++docSeq;
        doc.type = type;
        doc.label = label;
        docs.put(doc.id, doc);
        return doc;
    }

    /** {@code DELETE documents/{id}/}: to the trash, with the time it was trashed; false if not a live document. */
    synchronized boolean trash(long id) {
        Doc doc = docs.remove(id);
        if (doc == null) {
            return false;
        }
        doc.trashedAt = Instant.now();
        trashed.put(id, doc);
        return true;
    }

    /** {@code POST trashed_documents/{id}/restore/}: back among the documents, with its id, files and all. */
    synchronized boolean restore(long id) {
        Doc doc = trashed.remove(id);
        if (doc == null) {
            return false;
        }
        doc.trashedAt = null;
        docs.put(id, doc);
        return true;
    }

    /** A file that is already fully processed (fixture documents). */
    synchronized DocFile addProcessedFile(Doc doc, Upload upload) {
        DocFile file = addFile(doc, upload);
        finishFile(file);
        return file;
    }

    synchronized MetaRow addRow(Doc doc, MetaType type, String value) {
        MetaRow row = new MetaRow();
        row.id = ++metaRowSeq;
        row.doc = doc;
        row.type = type;
        row.value = value;
        doc.metadata.add(row);
        return row;
    }

    synchronized Tag createTag(String label, String color) {
        Tag tag = new Tag();
        tag.id = ++tagSeq;
        tag.label = label;
        tag.color = color;
        tags.put(tag.id, tag);
        return tag;
    }

    synchronized Cabinet createCabinet(String label, Cabinet parent) {
        Cabinet cabinet = new Cabinet();
        cabinet.id = ++cabinetSeq;
        cabinet.label = label;
        cabinet.parent = parent;
        cabinets.put(cabinet.id, cabinet);
        return cabinet;
    }

    Path newContentFile() throws IOException {
        return Files.createTempFile(tempDir, "content-", ".bin");
    }

    // --- lookups and rules ---------------------------------------------------------------------

    synchronized Relation findRelation(DocType docType, MetaType metaType) {
        return relations.values().stream()
                .filter(r -> r.docType == docType && r.metaType == metaType).findFirst().orElse(null);
    }

    synchronized MetaRow findRow(Doc doc, MetaType type) {
        return doc.metadata.stream().filter(r -> r.type == type).findFirst().orElse(null);
    }

    synchronized Cabinet findCabinet(Cabinet parent, String label) {
        return cabinets.values().stream().filter(c -> c.parent == parent && c.label.equals(label)).findFirst().orElse(null);
    }

    static String fullPath(Cabinet cabinet) {
        List<String> labels = new ArrayList<>();
        for (Cabinet c = cabinet; c != null; c = c.parent) {
            labels.add(0, c.label);
        }
        return String.join(CABINET_PATH_SEPARATOR, labels);
    }

    /**
     * {@code MetadataType.validate_value} (§8): default for an empty value, then required, lookup and
     * validator, each failure a 400 {@code non_field_errors}. Returns the value to store. The default is
     * used literally (Mayan renders it as a Django template), and parsers are not run.
     */
    synchronized String validateValue(MetaType type, DocType docType, String value) {
        if ((value == null || value.isEmpty()) && type.defaultValue != null && !type.defaultValue.isEmpty()) {
            value = type.defaultValue;
        }
        boolean empty = value == null || value.isEmpty();
        Relation relation = findRelation(docType, type);
        if (empty && relation != null && relation.required) {
            throw MayanError.modelValidation("\"" + type.label + "\" is required for this document type.");
        }
        if (!empty && type.lookup != null && !type.lookup.isEmpty() && !lookupOptions(type.lookup).contains(value)) {
            throw MayanError.modelValidation("Value is not one of the provided options.");
        }
        if (!empty && REGEX_VALIDATOR.equals(type.validation)) {
            String pattern = yamlValue(type.validationArguments, "pattern");
            Pattern compiled;
            try {
                compiled = Pattern.compile(pattern == null ? "" : pattern);
            } catch (PatternSyntaxException e) {
                throw MayanError.serverError(); // Python's re.error inside the serializer: an unhandled crash
            }
            // re.fullmatch, as RegularExpressionValidator.execute uses.
            if (!compiled.matcher(value).matches()) {
                throw MayanError.modelValidation(
                        "Metadata type validation error; The input string does not match the pattern.");
            }
        }
        return value;
    }

    /**
     * The lookup's options: Mayan splits the rendered lookup with a shlex whose only whitespace is the
     * comma (MetadataType.comma_splitter), so quotes group and spaces are kept (inferred from the code;
     * the template is not rendered here).
     */
    static List<String> lookupOptions(String lookup) {
        List<String> options = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (char c : lookup.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (c == ',') {
                if (inToken) {
                    options.add(current.toString());
                }
                current.setLength(0);
                inToken = false;
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            options.add(current.toString());
        }
        return options;
    }

    /** Reads {@code key: value} from a one-level YAML mapping (plain, single- or double-quoted scalar). */
    static String yamlValue(String yaml, String key) {
        if (yaml == null) {
            return null;
        }
        for (String line : yaml.split("\\R")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith(key + ":")) {
                continue;
            }
            String value = trimmed.substring(key.length() + 1).strip();
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                return value.substring(1, value.length() - 1).replace("''", "'");
            }
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                return value.substring(1, value.length() - 1).replace("\\\\", "\u0000").replace("\\\"", "\"")
                        .replace("\u0000", "\\");
            }
            return value;
        }
        return null;
    }

    /** {@code pattern: '<regex>'}: single quotes make any regex valid YAML (only ' needs doubling). */
    static String yamlPattern(String regex) {
        return "pattern: '" + regex.replace("'", "''") + "'";
    }

    // --- serializers (field names from mayan-api.md §3-§9) -------------------------------------

    static String time(Instant instant) {
        return DRF_DATETIME.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    private static ObjectNode object() {
        return ApiRequest.JSON.createObjectNode();
    }

    ObjectNode json(DocType t, String api) {
        ObjectNode o = object();
        o.putNull("delete_time_period");
        o.putNull("delete_time_unit");
        o.put("document_stub_expiration_interval", 86400);
        o.put("document_stub_pruning_enabled", true);
        o.put("documents_url", api + "/document_types/" + t.id + "/documents/");
        o.put("filename_generator_backend", "uuid");
        o.put("filename_generator_backend_arguments", "");
        o.put("id", t.id);
        o.put("label", t.label);
        o.put("quick_label_list_url", api + "/document_types/" + t.id + "/quick_labels/");
        o.put("trash_time_period", 30);
        o.put("trash_time_unit", "days");
        o.put("url", api + "/document_types/" + t.id + "/");
        return o;
    }

    /** SourceSerializer. */
    ObjectNode json(Source s, String api) {
        ObjectNode o = object();
        o.put("actions_url", api + "/sources/" + s.id + "/actions/");
        o.put("backend_data", s.backendData);
        o.put("backend_path", s.backendPath);
        o.put("enabled", s.enabled);
        o.put("id", s.id);
        o.put("label", s.label);
        o.put("url", api + "/sources/" + s.id + "/");
        return o;
    }

    ObjectNode json(MetaType t, String api) {
        ObjectNode o = object();
        o.put("default", t.defaultValue);
        o.put("id", t.id);
        o.put("label", t.label);
        o.put("lookup", t.lookup);
        o.put("name", t.name);
        o.put("parser", t.parser);
        o.put("parser_arguments", t.parserArguments);
        o.put("url", api + "/metadata_types/" + t.id + "/");
        o.put("validation", t.validation);
        o.put("validation_arguments", t.validationArguments);
        return o;
    }

    ObjectNode json(Relation r, String api) {
        ObjectNode o = object();
        o.set("document_type", json(r.docType, api));
        o.put("id", r.id);
        o.set("metadata_type", json(r.metaType, api));
        o.put("required", r.required);
        o.put("url", api + "/document_types/" + r.docType.id + "/metadata_types/" + r.id + "/");
        return o;
    }

    /** DocumentSerializer; with {@code upload} the DocumentUploadSerializer, which adds {@code pk} (§5). */
    ObjectNode json(Doc d, String api, boolean upload) {
        String url = api + "/documents/" + d.id + "/";
        ObjectNode o = object();
        o.put("datetime_created", time(d.created));
        o.put("description", d.description);
        o.put("document_change_type_url", url + "type/change/");
        o.set("document_type", json(d.type, api));
        if (d.latest == null) {
            o.putNull("file_latest");
        } else {
            o.set("file_latest", json(d.latest, api));
        }
        o.put("file_list_url", url + "files/");
        o.put("id", d.id);
        o.put("label", d.label);
        o.put("language", d.language);
        if (upload) {
            o.put("pk", d.id);
        }
        o.put("url", url);
        o.put("uuid", d.uuid.toString());
        if (d.version == null) {
            o.putNull("version_active");
        } else {
            ObjectNode v = o.putObject("version_active");
            String versionUrl = url + "versions/" + d.version.id + "/";
            v.put("active", true);
            v.put("comment", "");
            v.put("document_id", d.id);
            v.put("document_url", url);
            v.put("id", d.version.id);
            v.put("page_list_url", versionUrl + "pages/");
            v.putNull("pages_first");
            v.put("timestamp", time(d.version.timestamp));
            v.put("url", versionUrl);
        }
        o.put("version_list_url", url + "versions/");
        return o;
    }

    /** TrashedDocumentSerializer: the document's identity, when it was trashed and how to restore it. */
    ObjectNode trashedJson(Doc d, String api) {
        String url = api + "/trashed_documents/" + d.id + "/";
        ObjectNode o = object();
        o.set("document_type", json(d.type, api));
        o.put("id", d.id);
        o.put("label", d.label);
        o.put("restore_url", url + "restore/");
        o.put("trashed_date_time", time(d.trashedAt));
        o.put("url", url);
        o.put("uuid", d.uuid.toString());
        return o;
    }

    ObjectNode json(DocFile f, String api) {
        String documentUrl = api + "/documents/" + f.doc.id + "/";
        String url = documentUrl + "files/" + f.id + "/";
        ObjectNode o = object();
        o.put("checksum", f.checksum);
        o.put("comment", f.comment);
        o.put("document_id", f.doc.id);
        o.put("document_url", documentUrl);
        o.put("encoding", f.encoding);
        o.put("file", f.storageName);
        o.put("filename", f.filename);
        o.put("id", f.id);
        o.put("mimetype", f.mimetype);
        o.put("page_list_url", url + "pages/");
        o.putNull("pages_first");
        if (f.size == null) {
            o.putNull("size");
        } else {
            o.put("size", f.size);
        }
        o.put("timestamp", time(f.timestamp));
        o.put("url", url);
        return o;
    }

    ObjectNode json(MetaRow r, String api) {
        ObjectNode o = object();
        ObjectNode document = json(r.doc, api, false);
        o.set("document", document);
        o.put("id", r.id);
        o.set("metadata_type", json(r.type, api));
        o.put("url", api + "/documents/" + r.doc.id + "/metadata/" + r.id + "/");
        o.put("value", r.value);
        return o;
    }

    ObjectNode json(Tag t, String api) {
        ObjectNode o = object();
        o.put("color", t.color);
        o.put("documents_url", api + "/tags/" + t.id + "/documents/");
        o.put("id", t.id);
        o.put("label", t.label);
        o.put("url", api + "/tags/" + t.id + "/");
        return o;
    }

    /** CabinetSerializer; {@code children} is recursive, like Mayan's RecursiveField. */
    ObjectNode json(Cabinet c, String api) {
        ObjectNode o = object();
        ArrayNode children = o.putArray("children");
        cabinets.values().stream().filter(child -> child.parent == c)
                .sorted(Comparator.comparing((Cabinet child) -> child.label).thenComparingLong(child -> child.id))
                .forEach(child -> children.add(json(child, api)));
        o.put("documents_url", api + "/cabinets/" + c.id + "/documents/");
        o.put("full_path", fullPath(c));
        o.put("id", c.id);
        o.put("label", c.label);
        if (c.parent == null) {
            o.putNull("parent");
            o.putNull("parent_id");
            o.putNull("parent_url");
        } else {
            o.put("parent", c.parent.id);
            o.put("parent_id", c.parent.id);
            o.put("parent_url", api + "/cabinets/" + c.parent.id + "/");
        }
        o.put("url", api + "/cabinets/" + c.id + "/");
        return o;
    }

    // --- snapshots -----------------------------------------------------------------------------

    synchronized FakeDocument snapshot(Doc d) {
        List<FakeFile> files = d.files.stream()
                .map(f -> new FakeFile(f.id, f.filename, f.comment, f.checksum, f.size, f.sha256, f.action)).toList();
        Map<String, String> metadata = new LinkedHashMap<>();
        d.metadata.forEach(r -> metadata.put(r.type.name, r.value));
        return new FakeDocument(d.id, d.label, d.description, d.language, d.type.label, files,
                Collections.unmodifiableMap(metadata),
                d.tags.stream().map(t -> t.label).toList(),
                d.cabinets.stream().map(MayanStore::fullPath).toList());
    }

    static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a leftover temp file is removed with the directory on close()
        }
    }
}
