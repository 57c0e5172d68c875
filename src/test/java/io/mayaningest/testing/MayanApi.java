package io.mayaningest.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mayaningest.testing.ApiRequest.Body;
import io.mayaningest.testing.ApiRequest.Errors;
import io.mayaningest.testing.MayanStore.Cabinet;
import io.mayaningest.testing.MayanStore.Doc;
import io.mayaningest.testing.MayanStore.DocFile;
import io.mayaningest.testing.MayanStore.DocType;
import io.mayaningest.testing.MayanStore.MetaRow;
import io.mayaningest.testing.MayanStore.MetaType;
import io.mayaningest.testing.MayanStore.Relation;
import io.mayaningest.testing.MayanStore.Tag;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The REST endpoints of mayan-api.md §2-§10, relative to {@code /api/v4}.
 *
 * <p>Handlers read the body first (it may be a large upload, so never under the lock), then do all
 * checks, changes and serialization inside {@code synchronized (store)}.
 */
final class MayanApi {

    /** Mayan's version as {@code /api/v4/project/} reports it by default. */
    static final String VERSION = "4.12.2";

    /** The release this fake plays ({@link FakeMayan#setVersion}): it decides which endpoints exist and how they answer. */
    volatile String version = VERSION;

    /** How an anonymous request is answered (§10: lists are empty, objects are hidden). */
    enum Anonymous { EMPTY_LIST, NOT_FOUND, ALLOW }

    @FunctionalInterface
    interface Handler {
        Reply handle(ApiRequest request) throws IOException;
    }

    /**
     * @param model     the model named in the anonymous 404 ("No Document matches ...")
     * @param throttled false only for the token view, which sets {@code throttle_classes = ()} (§2)
     * @param headers   added to every answer of this route
     */
    record Route(Pattern pattern, Anonymous anonymous, String model, boolean throttled,
            Map<String, Handler> handlers, Map<String, String> headers) {
    }

    private final MayanStore store;
    private final Map<String, String> tokensByUser;
    private final Map<String, String> passwords;
    final List<Route> routes = new ArrayList<>();

    private final Listing<DocType> docTypeList = new Listing<DocType>(t -> t.id, Listing.text(t -> t.label))
            .orderBy("label", Listing.text(t -> t.label))
            .search("id", t -> List.of(t.id)).search("label", t -> List.of(t.label));
    private final Listing<MetaType> metaTypeList = new Listing<MetaType>(t -> t.id, Listing.text(t -> t.label))
            .orderBy("label", Listing.text(t -> t.label)).orderBy("name", Listing.text(t -> t.name))
            .search("name", t -> List.of(t.name)).search("label", t -> List.of(t.label))
            .search("default", t -> listOf(t.defaultValue)).search("lookup", t -> listOf(t.lookup))
            .search("parser", t -> List.of(t.parser)).search("validation", t -> List.of(t.validation));
    private final Listing<Relation> relationList =
            new Listing<Relation>(r -> r.id, Listing.text(r -> r.metaType.label));
    private final Listing<Doc> docList = new Listing<Doc>(d -> d.id, Listing.text(d -> d.label))
            .orderBy("label", Listing.text(d -> d.label))
            .orderBy("datetime_created", Comparator.comparing(d -> d.created))
            .search("label", d -> List.of(d.label)).search("description", d -> List.of(d.description))
            .search("language", d -> List.of(d.language)).search("uuid", d -> List.of(d.uuid))
            .search("datetime_created", d -> List.of(MayanStore.time(d.created)))
            .search("document_type__id", d -> List.of(d.type.id))
            .search("document_type__label", d -> List.of(d.type.label))
            .search("files__checksum", d -> d.files.stream().map(f -> f.checksum).toList())
            .search("files__filename", d -> d.files.stream().map(f -> f.filename).toList())
            .search("files__mimetype", d -> d.files.stream().map(f -> f.mimetype).toList())
            .search("metadata__metadata_type__name", d -> d.metadata.stream().map(m -> m.type.name).toList())
            .search("metadata__value", d -> d.metadata.stream().map(m -> m.value).toList())
            .search("tags__id", d -> d.tags.stream().map(t -> t.id).toList())
            .search("tags__label", d -> d.tags.stream().map(t -> t.label).toList())
            .search("tags__color", d -> d.tags.stream().map(t -> t.color).toList())
            .search("cabinets__id", d -> d.cabinets.stream().map(c -> c.id).toList())
            .search("cabinets__label", d -> d.cabinets.stream().map(c -> c.label).toList());
    /** DocumentFile.Meta.ordering is timestamp, i.e. creation order: ascending id here (§7). */
    private final Listing<DocFile> fileList = new Listing<DocFile>(f -> f.id, Comparator.comparingLong(f -> f.id))
            .orderBy("comment", Listing.text(f -> f.comment)).orderBy("encoding", Listing.text(f -> f.encoding))
            .orderBy("filename", Listing.text(f -> f.filename)).orderBy("mimetype", Listing.text(f -> f.mimetype))
            .orderBy("size", Comparator.comparing(f -> f.size, Comparator.nullsFirst(Comparator.naturalOrder())))
            .search("checksum", f -> listOf(f.checksum)).search("comment", f -> List.of(f.comment))
            .search("filename", f -> List.of(f.filename)).search("mimetype", f -> listOf(f.mimetype))
            .search("size", f -> listOf(f.size));
    private final Listing<MetaRow> metaRowList =
            new Listing<MetaRow>(m -> m.id, Listing.text(m -> m.type.label));
    private final Listing<Tag> tagList = new Listing<Tag>(t -> t.id, Listing.text(t -> t.label))
            .orderBy("label", Listing.text(t -> t.label))
            .search("label", t -> List.of(t.label)).search("color", t -> List.of(t.color));
    /** Cabinet.Meta.ordering = ('parent__label', 'label'). */
    private final Listing<Cabinet> cabinetList = new Listing<Cabinet>(c -> c.id,
            Listing.<Cabinet>text(c -> c.parent == null ? null : c.parent.label).thenComparing(Listing.text(c -> c.label)))
            .orderBy("label", Listing.text(c -> c.label))
            .search("label", c -> List.of(c.label)).search("full_path", c -> List.of(MayanStore.fullPath(c)));

    MayanApi(MayanStore store, Map<String, String> tokensByUser, Map<String, String> passwords) {
        this.store = store;
        this.tokensByUser = tokensByUser;
        this.passwords = passwords;

        route("/project/", Anonymous.ALLOW, null).get(this::project);
        route("/auth/token/obtain/", Anonymous.ALLOW, null).post(this::obtainToken).unthrottled();
        route("/document_file_actions/", Anonymous.ALLOW, null).get(this::fileActions);

        route("/document_types/", Anonymous.EMPTY_LIST, null).get(this::listDocTypes).post(this::createDocType);
        route("/document_types/(?<type>\\d+)/", Anonymous.NOT_FOUND, "DocumentType").get(this::getDocType);
        route("/document_types/(?<type>\\d+)/documents/", Anonymous.NOT_FOUND, "DocumentType").get(this::listDocTypeDocs);
        route("/document_types/(?<type>\\d+)/metadata_types/", Anonymous.NOT_FOUND, "DocumentType")
                .get(this::listRelations).post(this::createRelation);
        route("/document_types/(?<type>\\d+)/metadata_types/(?<rel>\\d+)/", Anonymous.NOT_FOUND, "DocumentType")
                .get(this::getRelation).patch(this::updateRelation).put(this::updateRelation);

        route("/metadata_types/", Anonymous.EMPTY_LIST, null).get(this::listMetaTypes).post(this::createMetaType);
        route("/metadata_types/(?<meta>\\d+)/", Anonymous.NOT_FOUND, "MetadataType").get(this::getMetaType);

        route("/documents/", Anonymous.EMPTY_LIST, null).get(this::listDocs).post(this::createStub);
        // [4.12] marks the endpoint deprecated on every response (§5); see upload().
        route("/documents/upload/", Anonymous.NOT_FOUND, "DocumentType").post(this::upload);
        route("/documents/(?<doc>\\d+)/", Anonymous.NOT_FOUND, "Document").get(this::getDoc).delete(this::trashDoc);
        route("/documents/(?<doc>\\d+)/files/", Anonymous.NOT_FOUND, "Document")
                .get(this::listFiles).post(this::uploadFile);
        route("/documents/(?<doc>\\d+)/files/(?<file>\\d+)/", Anonymous.NOT_FOUND, "Document").get(this::getFile);
        route("/documents/(?<doc>\\d+)/metadata/", Anonymous.NOT_FOUND, "Document")
                .get(this::listMetadata).post(this::addMetadata);
        route("/documents/(?<doc>\\d+)/metadata/(?<row>\\d+)/", Anonymous.NOT_FOUND, "Document")
                .get(this::getMetadata).patch(this::editMetadata).put(this::editMetadata).delete(this::deleteMetadata);
        route("/documents/(?<doc>\\d+)/tags/", Anonymous.NOT_FOUND, "Document").get(this::listDocTags);
        route("/documents/(?<doc>\\d+)/tags/attach/", Anonymous.NOT_FOUND, "Document").post(r -> tagAction(r, true));
        route("/documents/(?<doc>\\d+)/tags/remove/", Anonymous.NOT_FOUND, "Document").post(r -> tagAction(r, false));
        route("/documents/(?<doc>\\d+)/cabinets/", Anonymous.NOT_FOUND, "Document").get(this::listDocCabinets);

        route("/trashed_documents/(?<doc>\\d+)/", Anonymous.NOT_FOUND, "TrashedDocument").get(this::getTrashedDoc);
        route("/trashed_documents/(?<doc>\\d+)/restore/", Anonymous.NOT_FOUND, "TrashedDocument")
                .post(this::restoreTrashedDoc);

        route("/tags/", Anonymous.EMPTY_LIST, null).get(this::listTags).post(this::createTag);
        route("/tags/(?<tag>\\d+)/", Anonymous.NOT_FOUND, "Tag").get(this::getTag);
        route("/tags/(?<tag>\\d+)/documents/", Anonymous.NOT_FOUND, "Tag").get(this::listTagDocs);

        // The sources app: the list exists in every 4.x; its action API since 4.5 ("Sources actions refactor").
        route("/sources/", Anonymous.EMPTY_LIST, null).get(this::listSources);
        route("/sources/(?<source>\\d+)/", Anonymous.NOT_FOUND, "Source").get(this::getSource);
        route("/sources/(?<source>\\d+)/actions/", Anonymous.NOT_FOUND, "Source").get(this::listSourceActions);
        route("/sources/(?<source>\\d+)/actions/(?<action>[^/]+)/", Anonymous.NOT_FOUND, "Source")
                .get(this::getSourceAction);
        route("/sources/(?<source>\\d+)/actions/(?<action>[^/]+)/execute/", Anonymous.NOT_FOUND, "Source")
                .post(this::executeSourceAction);

        route("/cabinets/", Anonymous.EMPTY_LIST, null).get(this::listCabinets).post(this::createCabinet);
        route("/cabinets/(?<cab>\\d+)/", Anonymous.NOT_FOUND, "Cabinet").get(this::getCabinet);
        route("/cabinets/(?<cab>\\d+)/documents/", Anonymous.NOT_FOUND, "Cabinet").get(this::listCabinetDocs);
        route("/cabinets/(?<cab>\\d+)/documents/add/", Anonymous.NOT_FOUND, "Cabinet").post(r -> cabinetAction(r, true));
        route("/cabinets/(?<cab>\\d+)/documents/remove/", Anonymous.NOT_FOUND, "Cabinet").post(r -> cabinetAction(r, false));
    }

    // --- routing -------------------------------------------------------------------------------

    private final class RouteBuilder {
        private final String path;
        private final Anonymous anonymous;
        private final String model;
        private final Map<String, Handler> handlers = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private boolean throttled = true;
        private final int index;

        RouteBuilder(String path, Anonymous anonymous, String model) {
            this.path = path;
            this.anonymous = anonymous;
            this.model = model;
            this.index = routes.size();
            routes.add(null);
            update();
        }

        private RouteBuilder update() {
            routes.set(index, new Route(Pattern.compile(Pattern.quote(FakeMayan.API_PREFIX) + path), anonymous, model, throttled, Map.copyOf(handlers), Map.copyOf(headers)));
            return this;
        }

        RouteBuilder get(Handler h) {
            handlers.put("GET", h);
            return update();
        }

        RouteBuilder post(Handler h) {
            handlers.put("POST", h);
            return update();
        }

        RouteBuilder patch(Handler h) {
            handlers.put("PATCH", h);
            return update();
        }

        RouteBuilder put(Handler h) {
            handlers.put("PUT", h);
            return update();
        }

        RouteBuilder delete(Handler h) {
            handlers.put("DELETE", h);
            return update();
        }

        RouteBuilder header(String name, String value) {
            headers.put(name, value);
            return update();
        }

        RouteBuilder unthrottled() {
            throttled = false;
            return update();
        }
    }

    private RouteBuilder route(String path, Anonymous anonymous, String model) {
        return new RouteBuilder(path, anonymous, model);
    }

    private static List<Object> listOf(Object value) {
        List<Object> list = new ArrayList<>(1);
        list.add(value);
        return list;
    }

    // --- lookups (callers hold the store lock) -------------------------------------------------

    private Doc doc(ApiRequest r) {
        Doc doc = store.docs.get(r.pathId("doc"));
        if (doc == null) {
            throw MayanError.notFound("Document");
        }
        return doc;
    }

    private DocType docType(ApiRequest r) {
        DocType type = store.docTypes.get(r.pathId("type"));
        if (type == null) {
            throw MayanError.notFound("DocumentType");
        }
        return type;
    }

    private Cabinet cabinet(ApiRequest r) {
        Cabinet cabinet = store.cabinets.get(r.pathId("cab"));
        if (cabinet == null) {
            throw MayanError.notFound("Cabinet");
        }
        return cabinet;
    }

    private Tag tag(ApiRequest r) {
        Tag tag = store.tags.get(r.pathId("tag"));
        if (tag == null) {
            throw MayanError.notFound("Tag");
        }
        return tag;
    }

    // --- §1, §2 --------------------------------------------------------------------------------

    private Reply project(ApiRequest r) {
        ObjectNode o = ApiRequest.JSON.createObjectNode();
        o.put("__title__", "Mayan EDMS");
        o.put("__version__", version);
        o.put("__build__", 0x0412_0200);
        o.put("__build_string__", "v" + version + "_FakeMayan");
        o.put("__django_version__", "5.2.6");
        o.put("__author__", "Roberto Rosario");
        o.put("__description__", "Free Open Source Document Management System.");
        o.put("__license__", "GPL V2");
        o.put("__website__", "https://www.mayan-edms.com");
        return Reply.ok(o);
    }

    /**
     * DRF's ObtainAuthToken: one non-expiring token per user. Its renderers put the browsable HTML
     * first, so JSON needs {@code Accept: application/json} or {@code ?format=json} (§1).
     */
    private Reply obtainToken(ApiRequest r) throws IOException {
        Body body = r.body();
        Errors errors = new Errors();
        String username = errors.text(body, "username", true, false, 0);
        String password = errors.text(body, "password", true, false, 0);
        errors.throwIfAny();
        String token;
        synchronized (passwords) {
            if (!Objects.equals(passwords.get(username), password)) {
                throw MayanError.nonField("Unable to log in with provided credentials.");
            }
            token = tokensByUser.computeIfAbsent(username, u -> FakeMayan.randomToken());
        }
        ObjectNode o = ApiRequest.JSON.createObjectNode();
        o.put("token", token);
        String accept = Objects.requireNonNullElse(r.header("Accept"), "");
        if (accept.contains("application/json") || "json".equals(r.param("format"))) {
            return Reply.ok(o);
        }
        return Reply.raw(200, "text/html; charset=utf-8",
                "<!DOCTYPE html><html><body><h1>Obtain Auth Token</h1><pre>" + o + "</pre></body></html>");
    }

    private Reply fileActions(ApiRequest r) {
        record Action(long id, String code, String label) {
        }
        List<Action> actions = List.of(new Action(1, "append", "Append"), new Action(2, "keep", "Keep"),
                new Action(3, "replace", "Replace"));
        return Reply.ok(new Listing<Action>(Action::id, Comparator.comparing(Action::code))
                .page(r, actions, a -> ApiRequest.JSON.createObjectNode().put("id", a.code()).put("label", a.label())));
    }

    // --- §3 document types ---------------------------------------------------------------------

    private Reply listDocTypes(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(docTypeList.page(r, store.docTypes.values(), t -> store.json(t, r.api())));
        }
    }

    private Reply createDocType(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Errors errors = new Errors();
            String label = errors.text(body, "label", true, false, 196);
            if (label != null && store.docTypes.values().stream().anyMatch(t -> t.label.equals(label))) {
                errors.add("label", "Document type with this Label already exists.");
            }
            errors.throwIfAny();
            return Reply.created(store.json(store.createDocType(label), r.api()));
        }
    }

    private Reply getDocType(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(docType(r), r.api()));
        }
    }

    private Reply listDocTypeDocs(ApiRequest r) {
        synchronized (store) {
            DocType type = docType(r);
            return Reply.ok(docList.page(r, store.docs.values().stream().filter(d -> d.type == type).toList(),
                    d -> store.json(d, r.api(), false)));
        }
    }

    // --- §4 metadata types and their attachment to document types ------------------------------

    private Reply listMetaTypes(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(metaTypeList.page(r, store.metaTypes.values(), t -> store.json(t, r.api())));
        }
    }

    private Reply getMetaType(ApiRequest r) {
        synchronized (store) {
            MetaType type = store.metaTypes.get(r.pathId("meta"));
            if (type == null) {
                throw MayanError.notFound("MetadataType");
            }
            return Reply.ok(store.json(type, r.api()));
        }
    }

    private Reply createMetaType(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Errors errors = new Errors();
            String name = errors.text(body, "name", true, false, 48);
            String label = errors.text(body, "label", true, false, 48);
            String defaultValue = errors.text(body, "default", false, true, 128);
            String lookup = errors.text(body, "lookup", false, true, 0);
            String validation = errors.text(body, "validation", false, true, 224);
            String validationArguments = errors.text(body, "validation_arguments", false, true, 0);
            String parser = errors.text(body, "parser", false, true, 224);
            String parserArguments = errors.text(body, "parser_arguments", false, true, 0);
            if (name != null && store.metaTypes.values().stream().anyMatch(t -> t.name.equals(name))) {
                errors.add("name", "Metadata type with this Name already exists.");
            }
            errors.throwIfAny();
            MetaType type = store.createMetaType(name, label);
            type.defaultValue = defaultValue;
            type.lookup = lookup;
            type.validation = Objects.requireNonNullElse(validation, "");
            type.validationArguments = Objects.requireNonNullElse(validationArguments, "");
            type.parser = Objects.requireNonNullElse(parser, "");
            type.parserArguments = Objects.requireNonNullElse(parserArguments, "");
            return Reply.created(store.json(type, r.api()));
        }
    }

    private Reply listRelations(ApiRequest r) {
        synchronized (store) {
            DocType type = docType(r);
            return Reply.ok(relationList.page(r, store.relations.values().stream().filter(x -> x.docType == type).toList(),
                    x -> store.json(x, r.api())));
        }
    }

    private Reply createRelation(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            DocType type = docType(r);
            Errors errors = new Errors();
            Long metaId = errors.pk(body, "metadata_type_id", true);
            Boolean required = errors.bool(body, "required", false);
            MetaType meta = metaId == null ? null : store.metaTypes.get(metaId);
            if (metaId != null && meta == null) {
                errors.invalidPk("metadata_type_id", metaId);
            }
            errors.throwIfAny();
            if (store.findRelation(type, meta) != null) {
                // DRF's UniqueTogetherValidator for unique_together (document_type, metadata_type) (§4).
                throw MayanError.modelValidation(
                        "Document type metadata type options with this Document type and Metadata type already exists.");
            }
            Relation relation = store.createRelation(type, meta, required);
            if (relation.required) {
                store.addRequiredEntriesLater(relation);
            }
            return Reply.created(store.json(relation, r.api()));
        }
    }

    private Relation relation(ApiRequest r) {
        DocType type = docType(r);
        Relation relation = store.relations.get(r.pathId("rel"));
        // The URL id is the relation's id, not the metadata type's (§4 "Trap").
        if (relation == null || relation.docType != type) {
            throw MayanError.notFound("DocumentTypeMetadataType");
        }
        return relation;
    }

    private Reply getRelation(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(relation(r), r.api()));
        }
    }

    private Reply updateRelation(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Relation relation = relation(r);
            Errors errors = new Errors();
            Boolean required = errors.bool(body, "required", relation.required);
            errors.throwIfAny();
            boolean becameRequired = required && !relation.required;
            relation.required = required;
            if (becameRequired) {
                store.addRequiredEntriesLater(relation);
            }
            return Reply.ok(store.json(relation, r.api()));
        }
    }

    // --- §5, §7, §9 documents ------------------------------------------------------------------

    private Reply listDocs(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(docList.page(r, store.docs.values(), d -> store.json(d, r.api(), false)));
        }
    }

    private Reply getDoc(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(doc(r), r.api(), false));
        }
    }

    /** {@code DELETE documents/{id}/} moves the document to the trash: 202 (§6, [REL 4.1]). */
    private Reply trashDoc(ApiRequest r) {
        synchronized (store) {
            store.trash(doc(r).id);
            return Reply.empty(202);
        }
    }

    private Reply getTrashedDoc(ApiRequest r) {
        synchronized (store) {
            Doc doc = store.trashed.get(r.pathId("doc"));
            if (doc == null) {
                throw MayanError.notFound("TrashedDocument");
            }
            return Reply.ok(store.trashedJson(doc, r.api()));
        }
    }

    /** APITrashedDocumentRestoreView is an ObjectActionAPIView: 200 with an empty body, like tag attach (§9). */
    private Reply restoreTrashedDoc(ApiRequest r) {
        synchronized (store) {
            if (!store.restore(r.pathId("doc"))) {
                throw MayanError.notFound("TrashedDocument");
            }
            return Reply.empty(200);
        }
    }

    /** {@code POST /documents/}: a stub document with no file (§5 "Two-step alternative"). */
    private Reply createStub(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Errors errors = new Errors();
            Long typeId = errors.pk(body, "document_type_id", true);
            String label = errors.text(body, "label", false, true, 255);
            String description = errors.text(body, "description", false, true, 0);
            String language = errors.text(body, "language", false, false, 8);
            DocType type = typeId == null ? null : store.docTypes.get(typeId);
            if (typeId != null && type == null) {
                errors.invalidPk("document_type_id", typeId);
            }
            errors.throwIfAny();
            Doc doc = store.createDoc(type, Objects.requireNonNullElse(label, ""));
            doc.description = Objects.requireNonNullElse(description, "");
            doc.language = Objects.requireNonNullElse(language, MayanStore.DEFAULT_LANGUAGE);
            return Reply.created(store.json(doc, r.api(), false));
        }
    }

    /**
     * {@code POST /documents/upload/} (§5): serializer checks first (400), then the type lookup (404, not
     * 400), then 201 with a document whose {@code file_latest} is still null; the file is processed later.
     */
    private Reply upload(ApiRequest r) throws IOException {
        Body body = r.body();
        Multipart.UploadedFile file = body.takeFile("file");
        try {
            Errors errors = new Errors();
            Long typeId = errors.integer(body, "document_type_id", true);
            checkFile(errors, body, "file", file);
            String label = errors.text(body, "label", false, true, 255);
            String description = errors.text(body, "description", false, true, 0);
            String language = errors.text(body, "language", false, false, 8);
            errors.throwIfAny();
            synchronized (store) {
                DocType type = store.docTypes.get(typeId);
                if (type == null) {
                    throw MayanError.notFound("DocumentType");
                }
                // label defaults to str(file), the uploaded file's name.
                Doc doc = store.createDoc(type, label == null || label.isEmpty() ? file.filename() : label);
                doc.description = Objects.requireNonNullElse(description, "");
                doc.language = Objects.requireNonNullElse(language, MayanStore.DEFAULT_LANGUAGE);
                store.process(doc, new MayanStore.Upload(file.path(), file.size(), file.sha256(), file.filename(),
                        "", "replace"));
                file = null; // the store owns the content now
                return deprecatedFrom412(Reply.created(store.json(doc, r.api(), true)));
            }
        } catch (MayanError e) {
            throw MayanError.of(deprecatedFrom412(e.reply));
        } finally {
            if (file != null) {
                MayanStore.deleteQuietly(file.path());
            }
        }
    }

    /** [4.12] {@code documents/upload/}'s every answer says it is deprecated (e2e/MAYAN-FINDINGS.md §1). */
    private Reply deprecatedFrom412(Reply reply) {
        if (minor() >= 12) {
            reply.header("Deprecation", "true").header("Sunset", "Thu, 01 Jul 2027 00:00:00 GMT")
                    .header("Link", "<https://docs.mayan-edms.com/>; rel=\"deprecation\"; type=\"text/html\"");
        }
        return reply;
    }

    /** The minor release of a 4.x {@link #version} (4 for "4.4.16"). */
    int minor() {
        String[] parts = version.split("\\.");
        try {
            return parts.length > 1 && parts[0].equals("4") ? Integer.parseInt(parts[1]) : parts[0].compareTo("4") > 0 ? 99 : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // --- the sources app ([4.5] sources action API; e2e/MAYAN-FINDINGS.md "Sources API") ---------

    private Reply listSources(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(new Listing<MayanStore.Source>(x -> x.id, Comparator.comparingLong(x -> x.id))
                    .page(r, store.sources.values(), x -> store.json(x, r.api())));
        }
    }

    private MayanStore.Source source(ApiRequest r, boolean enabledOnly) {
        MayanStore.Source source = store.sources.get(r.pathId("source"));
        if (source == null || (enabledOnly && !source.enabled)) {
            throw MayanError.notFound("Source");
        }
        return source;
    }

    private Reply getSource(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(source(r, false), r.api()));
        }
    }

    private void requireActionApi() {
        if (minor() < 5) {
            // Before 4.5 these URLs do not exist: Django's HTML 404 page.
            throw MayanError.of(Reply.raw(404, "text/html; charset=utf-8",
                    "<!doctype html><html lang=\"en\"><head><title>Not Found</title></head><body><h1>Not Found</h1>"
                            + "</body></html>"));
        }
    }

    private Reply listSourceActions(ApiRequest r) {
        requireActionApi();
        synchronized (store) {
            MayanStore.Source source = source(r, false);
            List<ObjectNode> actions = sourceActions(source, r.api());
            return Reply.ok(new Listing<ObjectNode>(a -> 0, (a, b) -> 0).page(r, actions, a -> a));
        }
    }

    private Reply getSourceAction(ApiRequest r) {
        requireActionApi();
        synchronized (store) {
            String name = r.pathParams.group("action");
            // APISourceActionDetailView.get_object returns None for an unknown name: DRF serializes nothing.
            return sourceActions(source(r, false), r.api()).stream()
                    .filter(a -> a.path("name").asText().equals(name)).findFirst().map(Reply::ok)
                    .orElseThrow(MayanError::serverError);
        }
    }

    /** SourceBackendActionSerializer output of the actions a source's backend offers (only the RESTAPI interface's arguments). */
    private List<ObjectNode> sourceActions(MayanStore.Source source, String api) {
        List<ObjectNode> actions = new ArrayList<>();
        String base = api + "/sources/" + source.id + "/actions/";
        if (MayanStore.WEB_FORM_BACKEND.equals(source.backendPath)) {
            List<String[]> upload = new ArrayList<>(List.of(new String[] {"description", null}, new String[] {"label", null},
                    new String[] {"language", null}, new String[] {"expand", "false"}));
            if (minor() >= 12) {
                upload.add(new String[] {"expand_mode", null});
            }
            upload.add(new String[] {"immediate_mode", "false"});
            upload.add(new String[] {"document_type_id"});
            upload.add(new String[] {"file"});
            actions.add(action(source, base, "document_upload", true, upload, "documents.document_create"));
            actions.add(action(source, base, "document_file_upload", true, List.of(
                    new String[] {"document_file_action_name", "replace"}, new String[] {"comment", null},
                    new String[] {"filename", null}, new String[] {"document_id"}, new String[] {"file"}),
                    "documents.document_file_new"));
        } else {
            // A watch folder or e-mail source processes what it fetches itself: its document_upload takes no file.
            actions.add(action(source, base, "document_upload", false, List.of(), "sources.sources_setup_edit"));
            actions.add(action(source, base, "file_list", false, List.of(), null));
        }
        return actions;
    }

    /** @param arguments name and default (one element: required, no default) of each RESTAPI argument */
    private static ObjectNode action(MayanStore.Source source, String base, String name, boolean acceptFiles,
            List<String[]> arguments, String permission) {
        ObjectNode o = ApiRequest.JSON.createObjectNode();
        o.put("accept_files", acceptFiles);
        o.put("confirmation", true);
        o.put("execute_url", base + name + "/execute/");
        ObjectNode rest = o.putArray("interfaces").addObject();
        var args = rest.putArray("arguments");
        for (String[] a : arguments) {
            ObjectNode arg = args.addObject();
            arg.putNull("choices");
            boolean required = a.length == 1;
            if (required || a[1] == null) {
                arg.putNull("default");
            } else if (a[1].equals("false")) {
                arg.put("default", false);
            } else {
                arg.put("default", a[1]);
            }
            arg.put("has_default", !required);
            arg.put("help_text", "");
            arg.put("name", a[0]);
            arg.put("required", required);
        }
        rest.put("name", "RESTAPI");
        o.put("name", name);
        if (permission == null) {
            o.putNull("permission");
        } else {
            o.putObject("permission").put("pk", permission);
        }
        o.put("source_id", source.id);
        o.put("source_url", base.substring(0, base.length() - "actions/".length()));
        o.put("url", base + name + "/");
        return o;
    }

    /**
     * {@code POST sources/{id}/actions/{name}/execute/} as APISourceActionExecuteView does it: the
     * (enabled) source, then the action (an unknown name is an uncaught exception: HTML 500), then the
     * serializer ({@code arguments} a JSON string, {@code file} required for file actions), then the
     * interface's arguments (a missing one is a 400 whose body is a bare JSON string), then the lookups
     * (404), then the action: document_upload answers 201 with the document (DocumentSerializer: no
     * {@code pk}, no Location) in {@code immediate_mode}, otherwise 202 with no body; document_file_upload
     * answers 202 with no body. Flat form fields besides {@code arguments} and {@code file} are ignored.
     */
    private Reply executeSourceAction(ApiRequest r) throws IOException {
        requireActionApi();
        Body body = r.body();
        Multipart.UploadedFile file = body.takeFile("file");
        try {
            String name = r.pathParams.group("action");
            synchronized (store) {
                source(r, true);
            }
            if (!name.equals("document_upload") && !name.equals("document_file_upload")) {
                throw MayanError.serverError(); // SourceActionExceptionUnknown, not caught by the view
            }
            Errors errors = new Errors();
            com.fasterxml.jackson.databind.JsonNode arguments = ApiRequest.JSON.createObjectNode();
            String raw = body.text("arguments");
            if (raw != null) {
                try {
                    arguments = ApiRequest.JSON.readTree(raw);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    errors.add("arguments", "Value must be valid JSON.");
                }
            }
            checkFile(errors, body, "file", file);
            errors.throwIfAny();
            String required = name.equals("document_upload") ? "document_type_id" : "document_id";
            if (!arguments.hasNonNull(required) && !arguments.has(required)) {
                throw MayanError.of(Reply.json(400, ApiRequest.JSON.getNodeFactory().textNode("Unable to execute action `"
                        + name + "`; Argument `" + required + "` missing for interface `RESTAPI`.")));
            }
            Long id = pkOf(arguments.get(required));
            synchronized (store) {
                if (name.equals("document_upload")) {
                    DocType type = store.docTypes.get(id);
                    if (type == null) {
                        throw MayanError.notFound("DocumentType");
                    }
                    // Document.save(): None becomes "" and the language the DOCUMENTS_LANGUAGE setting.
                    Doc doc = store.createDoc(type, Objects.requireNonNullElse(textOf(arguments, "label"), ""));
                    doc.description = Objects.requireNonNullElse(textOf(arguments, "description"), "");
                    doc.language = Objects.requireNonNullElse(textOf(arguments, "language"), MayanStore.DEFAULT_LANGUAGE);
                    store.process(doc, new MayanStore.Upload(file.path(), file.size(), file.sha256(), file.filename(),
                            "", "replace"));
                    file = null;
                    boolean immediate = arguments.path("immediate_mode").asBoolean(false);
                    // Not immediate: Mayan creates the document in a task; here it exists at once, but the
                    // client learns nothing about it, as with the real 202.
                    return immediate ? Reply.json(201, store.json(doc, r.api(), false)) : Reply.empty(202);
                }
                Doc doc = store.docs.get(id);
                if (doc == null) {
                    throw MayanError.notFound("Document");
                }
                String filename = textOf(arguments, "filename");
                store.process(doc, new MayanStore.Upload(file.path(), file.size(), file.sha256(),
                        filename == null || filename.isEmpty() ? file.filename() : filename,
                        Objects.requireNonNullElse(textOf(arguments, "comment"), ""),
                        Objects.requireNonNullElse(textOf(arguments, "document_file_action_name"), "replace")));
                file = null;
                return Reply.empty(202);
            }
        } finally {
            if (file != null) {
                MayanStore.deleteQuietly(file.path());
            }
        }
    }

    /** get_object_or_404(pk=value): a value that is no integer is Django's ValueError → a bare 404 "Not found.". */
    private static Long pkOf(com.fasterxml.jackson.databind.JsonNode value) {
        if (value != null && value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value != null && value.isTextual()) {
            try {
                return Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw MayanError.detail(404, "Not found.");
    }

    private static String textOf(com.fasterxml.jackson.databind.JsonNode arguments, String field) {
        com.fasterxml.jackson.databind.JsonNode node = arguments.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    /** DRF FileField: missing → "No file was submitted.", empty → "The submitted file is empty.". */
    private static void checkFile(Errors errors, Body body, String field, Multipart.UploadedFile file) {
        if (file == null) {
            errors.add(field, body.has(field) ? "The submitted data was not a file. Check the encoding type on the form."
                    : "No file was submitted.");
        } else if (file.size() == 0) {
            errors.add(field, "The submitted file is empty.");
        }
    }

    private Reply listFiles(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(fileList.page(r, doc(r).files, f -> store.json(f, r.api())));
        }
    }

    private Reply getFile(ApiRequest r) {
        synchronized (store) {
            long id = r.pathId("file");
            DocFile file = doc(r).files.stream().filter(f -> f.id == id).findFirst()
                    .orElseThrow(() -> MayanError.notFound("DocumentFile"));
            return Reply.ok(store.json(file, r.api()));
        }
    }

    /**
     * {@code POST /documents/{id}/files/} (§6): the serializer is validated before the document lookup,
     * {@code action_name} is any string (checked only by the last Celery task), and the answer is 202
     * with no body, no id and no Location. [4.4] The field is {@code action}, a ChoiceField of the
     * document file actions' ids (1 replace, 2 append, 3 keep; 4.4.16
     * {@code documents/serializers/document_file_serializers.py}); {@code action_name} is not read.
     */
    private Reply uploadFile(ApiRequest r) throws IOException {
        Body body = r.body();
        Multipart.UploadedFile file = body.takeFile("file_new");
        try {
            Errors errors = new Errors();
            checkFile(errors, body, "file_new", file);
            String action = minor() < 5 ? fileActionById(errors, body)
                    : errors.text(body, "action_name", true, false, 0);
            String comment = errors.text(body, "comment", false, true, 255);
            String filename = errors.text(body, "filename", false, true, 255);
            errors.throwIfAny();
            synchronized (store) {
                Doc doc = doc(r);
                store.process(doc, new MayanStore.Upload(file.path(), file.size(), file.sha256(),
                        filename == null || filename.isEmpty() ? file.filename() : filename,
                        Objects.requireNonNullElse(comment, ""), action));
                file = null;
                return Reply.empty(202);
            }
        } finally {
            if (file != null) {
                MayanStore.deleteQuietly(file.path());
            }
        }
    }

    /** [4.4] {@code action}: DRF ChoiceField over the action ids, answered as the action's name. */
    private static String fileActionById(Errors errors, Body body) {
        String id = errors.text(body, "action", true, false, 0);
        if (id == null) {
            return null;
        }
        String name = switch (id.strip()) {
            case "1" -> "replace";
            case "2" -> "append";
            case "3" -> "keep";
            default -> null;
        };
        if (name == null) {
            errors.add("action", "\"" + id + "\" is not a valid choice.");
        }
        return name;
    }

    // --- §8 document metadata ------------------------------------------------------------------

    private Reply listMetadata(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(metaRowList.page(r, doc(r).metadata, m -> store.json(m, r.api())));
        }
    }

    private MetaRow row(ApiRequest r) {
        Doc doc = doc(r);
        long id = r.pathId("row");
        return doc.metadata.stream().filter(m -> m.id == id).findFirst()
                .orElseThrow(() -> MayanError.notFound("DocumentMetadata"));
    }

    private Reply getMetadata(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(row(r), r.api()));
        }
    }

    /**
     * POST in the order of §8: field errors, then {@code validate()} (required, lookup, validator,
     * uniqueness → {@code non_field_errors}), then {@code save()}, whose "not valid for this document type"
     * comes back as a bare list.
     */
    private Reply addMetadata(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Doc doc = doc(r);
            Errors errors = new Errors();
            Long metaId = errors.pk(body, "metadata_type_id", true);
            MetaType type = metaId == null ? null : store.metaTypes.get(metaId);
            if (metaId != null && type == null) {
                errors.invalidPk("metadata_type_id", metaId);
            }
            errors.throwIfAny();
            String value = requiredValue(body);
            value = store.validateValue(type, doc.type, value);
            if (store.findRow(doc, type) != null) {
                // unique_together (document, metadata_type), reported through full_clean() (§8).
                throw MayanError.modelValidation("Document metadata with this Document and Type already exists.");
            }
            if (store.findRelation(doc.type, type) == null) {
                throw MayanError.bareList("Metadata type is not valid for this document type.");
            }
            return Reply.created(store.json(store.addRow(doc, type, value), r.api()));
        }
    }

    /** PATCH and PUT: the serializer reads {@code attrs['value']} with no fallback, so a body without it crashes (§8). */
    private Reply editMetadata(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            MetaRow row = row(r);
            String value = requiredValue(body);
            row.value = store.validateValue(row.type, row.doc.type, value);
            return Reply.ok(store.json(row, r.api()));
        }
    }

    private static String requiredValue(Body body) {
        if (!body.has("value")) {
            throw MayanError.serverError(); // KeyError: 'value' inside DocumentMetadataSerializer.validate
        }
        return body.text("value");
    }

    /** DELETE → 204; a value whose type is required cannot be deleted (a model ValidationError, §8). */
    private Reply deleteMetadata(ApiRequest r) {
        synchronized (store) {
            MetaRow row = row(r);
            Relation relation = store.findRelation(row.doc.type, row.type);
            if (relation != null && relation.required) {
                throw MayanError.bareList("Metadata type is required for this document type.");
            }
            row.doc.metadata.remove(row);
            return Reply.empty(204);
        }
    }

    // --- §9 tags -------------------------------------------------------------------------------

    private Reply listTags(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(tagList.page(r, store.tags.values(), t -> store.json(t, r.api())));
        }
    }

    private Reply getTag(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(tag(r), r.api()));
        }
    }

    private Reply createTag(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Errors errors = new Errors();
            String label = errors.text(body, "label", true, false, 128);
            String color = errors.text(body, "color", true, false, 7);
            if (label != null && store.tags.values().stream().anyMatch(t -> t.label.equals(label))) {
                errors.add("label", "Tag with this Label already exists.");
            }
            errors.throwIfAny();
            return Reply.created(store.json(store.createTag(label, color), r.api()));
        }
    }

    private Reply listTagDocs(ApiRequest r) {
        synchronized (store) {
            Tag tag = tag(r);
            return Reply.ok(docList.page(r, store.docs.values().stream().filter(d -> d.tags.contains(tag)).toList(),
                    d -> store.json(d, r.api(), false)));
        }
    }

    private Reply listDocTags(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(tagList.page(r, doc(r).tags, t -> store.json(t, r.api())));
        }
    }

    /** attach/remove: an ObjectActionAPIView, 200 with an empty body; attaching twice is harmless (§9). */
    private Reply tagAction(ApiRequest r, boolean attach) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Doc doc = doc(r);
            Errors errors = new Errors();
            Long tagId = errors.pk(body, "tag", true);
            Tag tag = tagId == null ? null : store.tags.get(tagId);
            if (tagId != null && tag == null) {
                errors.invalidPk("tag", tagId);
            }
            errors.throwIfAny();
            if (attach) {
                doc.tags.add(tag);
            } else {
                doc.tags.remove(tag);
            }
            return Reply.empty(200);
        }
    }

    // --- §9 cabinets ---------------------------------------------------------------------------

    private Reply listCabinets(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(cabinetList.page(r, store.cabinets.values(), c -> store.json(c, r.api())));
        }
    }

    private Reply getCabinet(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(store.json(cabinet(r), r.api()));
        }
    }

    /**
     * {@code parent} is required, null for a root cabinet; {@code parent_id} is read-only (real 4.12.2,
     * e2e/MAYAN-FINDINGS.md: DRF's UniqueTogetherValidator on (parent, label) makes parent required).
     * Duplicate root labels are accepted, because NULL parents never compare equal.
     */
    private Reply createCabinet(ApiRequest r) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Errors errors = new Errors();
            String label = errors.text(body, "label", true, false, 128);
            String parentField = "parent";
            if (!body.has(parentField)) {
                errors.add(parentField, "This field is required.");
            }
            Long parentId = errors.pk(body, parentField, false);
            Cabinet parent = parentId == null ? null : store.cabinets.get(parentId);
            if (parentId != null && parent == null) {
                errors.invalidPk(parentField, parentId);
            }
            errors.throwIfAny();
            if (parent != null && store.findCabinet(parent, label) != null) {
                throw MayanError.nonField("The fields parent, label must make a unique set.");
            }
            return Reply.created(store.json(store.createCabinet(label, parent), r.api()));
        }
    }

    private Reply listCabinetDocs(ApiRequest r) {
        synchronized (store) {
            Cabinet cabinet = cabinet(r);
            return Reply.ok(docList.page(r, store.docs.values().stream().filter(d -> d.cabinets.contains(cabinet)).toList(),
                    d -> store.json(d, r.api(), false)));
        }
    }

    private Reply listDocCabinets(ApiRequest r) {
        synchronized (store) {
            return Reply.ok(cabinetList.page(r, doc(r).cabinets, c -> store.json(c, r.api())));
        }
    }

    /** add/remove: 200 with an empty body (§9). */
    private Reply cabinetAction(ApiRequest r, boolean add) throws IOException {
        Body body = r.body();
        synchronized (store) {
            Cabinet cabinet = cabinet(r);
            Errors errors = new Errors();
            Long docId = errors.pk(body, "document", true);
            Doc doc = docId == null ? null : store.docs.get(docId);
            if (docId != null && doc == null) {
                errors.invalidPk("document", docId);
            }
            errors.throwIfAny();
            if (add) {
                doc.cabinets.add(cabinet);
            } else {
                doc.cabinets.remove(cabinet);
            }
            return Reply.empty(200);
        }
    }
}
