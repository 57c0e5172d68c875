package io.mayaningest.mayan;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mayaningest.config.MayanConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.client5.http.entity.mime.FileBody;
import org.apache.hc.client5.http.entity.mime.HttpMultipartMode;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.net.URIBuilder;
import org.jboss.logging.Logger;

/**
 * Mayan's REST API as mayan-api.md describes it, with every answer classified into a
 * {@link MayanException} a person can read.
 * <p>
 * Every call goes through the route {@link MayanHttpRoutes#MAYAN_HTTP} (Camel HTTP on mayan.url): this
 * bean builds the request (method, path and query as headers of a fresh exchange, the body as an
 * {@link HttpEntity} built anew on every call, so a retried pipeline step rebuilds the streamed
 * multipart from the spool file) and reads the answer. It stays a bean because a pipeline step makes
 * several dependent calls (list pages, then POST or PATCH) and the classification of an answer
 * (transient, permanent with reason and fix, service-level) depends on status, body and headers
 * together; the route keeps the transport (pool, timeouts, TLS, authentication) in one place. The
 * Authorization header is added by the route's request interceptor from {@link #currentAuthorization},
 * never carried in an exchange.
 */
@ApplicationScoped
public class MayanClient {

    private static final Logger LOG = Logger.getLogger(MayanClient.class);
    private static final String API = "/api/v4/";
    /** Mayan caps page_size at 100 (mayan-api.md §2); asking for the maximum keeps list walks short. */
    static final int PAGE_SIZE = 100;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final MayanConfig config;
    private final ObjectMapper json;
    /** Sends to {@link MayanHttpRoutes#MAYAN_HTTP}; in a standalone client (tests, tools), of its own context. */
    private ProducerTemplate template;
    /** The client's own Camel context when it was made without one (tests and tools); null in the service. */
    private CamelContext ownContext;
    private final String base;
    /** Token or Basic header; with a user name and password, a token obtained once replaces Basic. */
    private volatile String authorization;
    /** Told about failures no item can get past (see MayanGate); set by the gate. */
    /** Told of every answer (method, path, HTTP status; 0 when Mayan did not answer), for the call metrics. */
    public interface CallListener {
        void answered(String method, String path, int status);
    }

    private volatile CallListener callListener = (method, path, status) -> {
    };
    private volatile java.util.function.Consumer<MayanException> failureListener = e -> {
    };
    private volatile boolean tokenTried;
    /** mayan.username/password, or the user info of mayan.url when those are not set. */
    private final Optional<String> username;
    private final Optional<String> password;
    private final String userAgent;
    /** What {@link #detect} found; null until the first detection, and again after the upload source went away. */
    private volatile MayanDialect dialect;
    /** The last start-up line logged, so a re-detection with the same outcome stays quiet. */
    private volatile String announced;
    /** Endpoints whose Deprecation header was already logged: once per endpoint and process. */
    private final java.util.Set<String> deprecationWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    @jakarta.inject.Inject MayanThrottle throttle = MayanThrottle.OFF;

    /**
     * A client with its own small Camel context holding only {@link MayanHttpRoutes}: for tests and
     * tools that talk to Mayan without the service.
     */
    public MayanClient(MayanConfig config, ObjectMapper json) {
        this(config, json, (ProducerTemplate) null);
        CamelContext context = new DefaultCamelContext();
        try {
            context.addRoutes(new MayanHttpRoutes(config, this::currentAuthorization, userAgent));
            context.start();
        } catch (Exception e) {
            closeQuietly(context);
            throw new IllegalStateException("cannot start the route to Mayan: " + e.getMessage(), e);
        }
        this.ownContext = context;
        this.template = context.createProducerTemplate();
    }

    @Inject
    public MayanClient(MayanConfig config, ObjectMapper json, ProducerTemplate template) {
        this.config = config;
        this.template = template;
        this.json = json;
        // User info is cut off here, once: every URL the service prints or sends (messages, readiness,
        // result events) derives from base. HttpClient 5 refuses user info in a request URI anyway.
        URI url = parseUrl(config.url());
        String userInfo = userInfo(url);
        this.base = baseOf(config.url());
        if (userInfo != null && config.username().filter(u -> !u.isBlank()).isEmpty()) {
            int colon = userInfo.indexOf(':');
            this.username = Optional.of(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            this.password = colon < 0 ? Optional.empty()
                    : Optional.of(decode(userInfo.substring(colon + 1)));
            LOG.warnf("mayan.url carries a user name and password; %s (better: set mayan.username and mayan.password,"
                    + " the password in MAYAN_PASSWORD, and give mayan.url as %s)", config.token().filter(t -> !t.isBlank())
                    .isPresent() ? "mayan.token is used instead" : "they are used as mayan.username and mayan.password",
                    base);
        } else {
            this.username = config.username();
            this.password = config.password();
            if (userInfo != null) {
                LOG.warnf("mayan.url carries user info, which is ignored: mayan.username is set (mayan.url is used as %s)",
                        base);
            }
        }
        this.authorization = authorizationHeader(config.token(), username, password);
        this.userAgent = config.userAgent().filter(u -> !u.isBlank()).orElseGet(() -> "mayan-ingest/"
                + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                        .getOptionalValue("quarkus.application.version", String.class).orElse("dev"));
    }

    /**
     * mayan.url without user info, a trailing slash or {@code /api/v4}: the address every request goes
     * to (the endpoint of {@link MayanHttpRoutes}) and every URL the service prints.
     */
    static String baseOf(String configured) {
        URI url = parseUrl(configured);
        String userInfo = userInfo(url);
        String authority = url.getRawAuthority();
        return stripTrailingSlash(userInfo == null ? configured : url.getScheme() + "://"
                + authority.substring(authority.lastIndexOf('@') + 1) + (url.getRawPath() == null ? "" : url.getRawPath()));
    }

    private static String userInfo(URI url) {
        String authority = url.getRawAuthority();
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        return at < 0 ? null : authority.substring(0, at);
    }

    /** The Authorization header the route's interceptor adds to every request (null: anonymous); never logged. */
    String currentAuthorization() {
        return authorization;
    }

    /** User-Agent of every request (the route's endpoint option). */
    String userAgent() {
        return userAgent;
    }

    void onServiceFailure(java.util.function.Consumer<MayanException> listener) {
        this.failureListener = listener;
    }

    public String baseUrl() {
        return base;
    }

    /** The document's REST URL, as Mayan itself writes it in {@code url} fields (used in result events). */
    public String documentUrl(long documentId) {
        return base + API + "documents/" + documentId + "/";
    }

    public JsonNode get(String path, Map<String, String> query) {
        return execute("GET", path, query, null);
    }

    /**
     * Every result of a paginated list. Mayan's {@code next} links are absolute URLs built from the
     * Host header (mayan-api.md §2), which is wrong behind a proxy, so pages are requested by number
     * against our own base URL instead of following {@code next}.
     */
    public List<JsonNode> getAll(String path, Map<String, String> query) {
        List<JsonNode> results = new ArrayList<>();
        for (int page = 1;; page++) {
            Map<String, String> q = new LinkedHashMap<>(query);
            q.put("page_size", String.valueOf(PAGE_SIZE));
            q.put("page", String.valueOf(page));
            JsonNode body = get(path, q);
            JsonNode items = body == null ? null : body.get("results");
            if (items == null || !items.isArray()) {
                throw notMayan(path, "a list without \"results\"");
            }
            items.forEach(results::add);
            if (body.path("next").isNull() || body.path("next").isMissingNode() || items.isEmpty()) {
                return results;
            }
        }
    }

    public JsonNode postJson(String path, Object body) {
        return execute("POST", path, Map.of(), jsonEntity(body));
    }

    public JsonNode patchJson(String path, Object body) {
        return execute("PATCH", path, Map.of(), jsonEntity(body));
    }

    /**
     * A new document and its first file in one call; the answer is the document (its
     * {@code file_latest} still null: Mayan processes the file in Celery, mayan-api.md §5). The
     * multipart body streams from the file, so the service never holds the document in memory.
     * <p>
     * Through the sources action API where Mayan offers it (4.5 and later): {@code POST
     * sources/{id}/actions/document_upload/execute/} with a JSON {@code arguments} field and the
     * {@code file} part. Flat fields are not read there (Mayan answers 400 "Argument `document_type_id`
     * missing"). {@code immediate_mode: true} makes Mayan create the document inside the request and
     * answer 201 with it, exactly like {@code documents/upload/}, so the interrupted-upload recovery
     * (Uploader) holds as before; without it the answer is 202 with no body and no id. Otherwise, as
     * the fallback and always on Mayan 4.4 (whose source action answers 202 without the document and
     * takes no label), {@code POST documents/upload/} (deprecated in 4.12).
     */
    public JsonNode uploadDocument(long documentTypeId, Path file, String fileName, String label, String description,
            String language) {
        MayanDialect d = usableDialect("documents/upload/");
        if (!d.viaSources()) {
            MultipartEntityBuilder multipart = multipart()
                    .addTextBody("document_type_id", String.valueOf(documentTypeId), TEXT)
                    .addPart("file", new FileBody(file.toFile(), ContentType.APPLICATION_OCTET_STREAM, fileName));
            addIfPresent(multipart, "label", label);
            addIfPresent(multipart, "description", description);
            addIfPresent(multipart, "language", language);
            return execute("POST", "documents/upload/", Map.of(), multipart.build());
        }
        ObjectNode arguments = json.createObjectNode().put("document_type_id", documentTypeId)
                // In immediate mode Mayan creates the document with label "" and only later takes the file
                // name (documents/upload/ takes it at once), so the label is always sent: the same label as
                // before, and the one the interrupted-upload recovery looks for.
                .put("label", label == null || label.isEmpty() ? fileName : label);
        if (description != null && !description.isEmpty()) {
            arguments.put("description", description);
        }
        if (language != null && !language.isEmpty()) {
            arguments.put("language", language);
        }
        // immediate_mode also turns off archive expansion: a ZIP stays one document, as with documents/upload/.
        arguments.put("immediate_mode", true).put("expand", false);
        return executeSourceAction(d, "document_upload", arguments, file, fileName);
    }

    /**
     * A new file on an existing document: the answer is 202 with an empty body either way, so the
     * {@code comment} carries our ingest id to find the file (mayan-api.md §6). Through the upload
     * source's {@code document_file_upload} where it has one (arguments {@code document_id},
     * {@code comment}, {@code filename}, {@code document_file_action_name}); otherwise
     * {@code POST documents/{id}/files/} with {@code file_new} and {@code action_name} (4.5 and later) or,
     * on Mayan 4.4, {@code action} = the action's id (see {@link MayanDialect}).
     */
    public void uploadFile(long documentId, Path file, String fileName, String action, String comment) {
        MayanDialect d = usableDialect("documents/" + documentId + "/files/");
        if (d.viaSources() && d.sourceFiles()) {
            ObjectNode arguments = json.createObjectNode().put("document_id", documentId).put("comment", comment)
                    .put("filename", fileName).put("document_file_action_name", action);
            executeSourceAction(d, "document_file_upload", arguments, file, fileName);
            return;
        }
        String path = "documents/" + documentId + "/files/";
        MultipartEntityBuilder multipart = multipart()
                .addPart("file_new", new FileBody(file.toFile(), ContentType.APPLICATION_OCTET_STREAM, fileName));
        if (d.fileActionIds()) {
            // Mayan 4.4: the action is a ChoiceField keyed by the action's id; action_name (4.5 on) is
            // answered 400 {"action": ["This field is required."]}.
            multipart.addTextBody("action", MayanDialect.fileActionId(action), TEXT);
        } else {
            multipart.addTextBody("action_name", action, TEXT);
        }
        multipart.addTextBody("comment", comment, TEXT).addTextBody("filename", fileName, TEXT);
        execute("POST", path, Map.of(), multipart.build());
    }

    private JsonNode executeSourceAction(MayanDialect d, String action, ObjectNode arguments, Path file,
            String fileName) {
        String path = "sources/" + d.sourceId() + "/actions/" + action + "/execute/";
        HttpEntity body;
        try {
            body = multipart().addTextBody("arguments", json.writeValueAsString(arguments), TEXT)
                    .addPart("file", new FileBody(file.toFile(), ContentType.APPLICATION_OCTET_STREAM, fileName))
                    .build();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write JSON", e);
        }
        try {
            return execute("POST", path, Map.of(), body);
        } catch (MayanException e) {
            if (e.status() == 404 && sourceGone(d, e)) {
                // The source was deleted or disabled, or its access withdrawn, after it was chosen: nothing
                // was created (Mayan looks the source up first). Look for an upload source again after the
                // gate's next successful probe; meanwhile the sources pause and the item waits.
                dialect = null;
                MayanException gone = MayanException.misconfigured(404, "POST", path, e.detail(),
                        "the Mayan source \"" + d.sourceLabel() + "\" (id " + d.sourceId() + ") that takes the"
                                + " service's uploads is gone, disabled or no longer usable by the service's user"
                                + " (404 on POST " + path + ")",
                        "enable the source in Mayan (System > Sources) or set mayan.upload-source to the label of"
                                + " another one; the service looks for its upload source again when Mayan answers"
                                + ITEMS_WAIT);
                failureListener.accept(gone);
                throw gone;
            }
            throw e;
        }
    }

    /**
     * Whether the 404 of a source action is the source's own (gone, disabled or no longer visible) rather
     * than the document type's or document's. From 4.10 (DRF 3.15) the body names the model ("No Source
     * matches the given query."); before, in 4.5.x to 4.9.x (DRF 3.14), every such 404 says only "Not
     * found.", so the source itself is asked for.
     */
    private boolean sourceGone(MayanDialect d, MayanException e) {
        String detail = e.detail() == null ? "" : e.detail();
        if (detail.contains("No Source matches")) {
            return true;
        }
        if (!detail.equals("Not found.")) {
            return false;
        }
        try {
            JsonNode source = get("sources/" + d.sourceId() + "/", Map.of());
            return source == null || !source.path("enabled").asBoolean(true);
        } catch (MayanException lookup) {
            if (lookup.status() == 404) {
                return true;
            }
            throw lookup;
        }
    }

    // ---- version and endpoints --------------------------------------------------------------------

    /** What the last detection found, or null before the first one. */
    public MayanDialect currentDialect() {
        return dialect;
    }

    /** The dialect for an upload: detected now if nobody has yet; a refused Mayan gets no upload. */
    private MayanDialect usableDialect(String path) {
        MayanDialect d = dialect;
        if (d == null) {
            synchronized (this) {
                d = dialect != null ? dialect : detect(get("project/", Map.of()));
            }
        }
        if (d.refused()) {
            // Normally the gate has paused the sources already; this is an item that was under way.
            MayanException refused = MayanException.misconfigured(0, "POST", path, d.version(), d.refusal(),
                    d.refusalFix());
            failureListener.accept(refused);
            throw refused;
        }
        return d;
    }

    /**
     * Reads Mayan's release from {@code project}'s {@code __version__} and the sources it offers, and
     * chooses the endpoints (see {@link MayanDialect}); logs one line with the outcome when it differs
     * from the last one logged. Called at start-up and on reconnect, not per request.
     */
    public synchronized MayanDialect detect(JsonNode project) {
        String version = project == null ? null : project.path("__version__").asText(null);
        MayanDialect d;
        String unsupported = MayanDialect.unsupported(version);
        if (unsupported != null) {
            d = new MayanDialect(version, unsupported + " (Mayan at " + base + ")", MayanDialect.unsupportedFix(version),
                    null, null, false, null, false);
        } else if (MayanDialect.beforeSourcesApi(version)) {
            // Mayan 4.4: nothing to choose, the sources are not asked (see MayanDialect).
            d = MayanDialect.mayan44(version);
        } else {
            d = chooseSource(version);
        }
        dialect = d;
        announce(d);
        return d;
    }

    private void announce(MayanDialect d) {
        String line;
        if (d.refused()) {
            line = "Mayan " + d.version() + " at " + base + " refused: " + d.refusal() + ". Fix: " + d.refusalFix();
        } else if (d.fallbackReason() != null) {
            line = "Mayan " + d.version() + " at " + base + ": API mode " + d.mode() + ", because " + d.fallbackReason()
                    + ". Fix: " + AVOID_DEPRECATED;
        } else {
            line = "Mayan " + d.version() + " at " + base + ": API mode " + d.mode();
        }
        boolean ignoredSource = d.fileActionIds() && config.uploadSource().filter(l -> !l.isBlank()).isPresent();
        if (ignoredSource) {
            line += ". mayan.upload-source is not used with Mayan 4.4 (its source actions cannot name the document);"
                    + " remove it, or keep it for when Mayan is upgraded to 4.5 or later";
        }
        if (line.equals(announced)) {
            return;
        }
        announced = line;
        if (d.refused() || d.fallbackReason() != null || ignoredSource) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    private static final String AVOID_DEPRECATED = "give Mayan an enabled web-form source (System > Sources; a fresh"
            + " Mayan has one called \"Default\") that the service's user may view and upload to, or set"
            + " mayan.upload-source to the label of such a source; the service then uses the sources action API";

    private static final String WEB_FORM = "SourceBackendWebForm";

    /**
     * The source for uploads: {@code mayan.upload-source} by label, or by default the web-form source
     * "Default" of a fresh Mayan, or the first enabled source whose {@code document_upload} takes a
     * file over REST. Watch-folder, e-mail and other periodic sources also have a {@code document_upload}
     * action, but it takes no file (it processes what the source fetches), so the arguments are checked.
     */
    private MayanDialect chooseSource(String version) {
        List<JsonNode> sources;
        try {
            sources = getAll("sources/", Map.of());
        } catch (MayanException e) {
            if (e.status() != 404) {
                throw e;
            }
            return fallback(version, "GET sources/ answered 404 (" + e.detail() + ")");
        }
        sources.sort(java.util.Comparator.comparingLong(s -> s.path("id").asLong()));
        Optional<String> wanted = config.uploadSource().map(String::strip).filter(l -> !l.isEmpty());
        if (wanted.isPresent()) {
            JsonNode source = sources.stream().filter(s -> wanted.get().equals(s.path("label").asText())).findFirst()
                    .orElse(null);
            String problem;
            JsonNode[] actions = null;
            if (source == null) {
                problem = "names no source the service's Mayan user can see (sources: " + describe(sources) + ")";
            } else if (!source.path("enabled").asBoolean(true)) {
                problem = "names a source that is disabled in Mayan";
            } else {
                actions = uploadActions(source);
                problem = actions[0] == null
                        ? "names a source without a document_upload action that takes a file over REST (a web-form"
                                + " source has one; watch-folder and e-mail sources do not)"
                        : null;
            }
            if (problem != null) {
                return new MayanDialect(version, "mayan.upload-source \"" + wanted.get() + "\" " + problem
                        + " (Mayan " + version + " at " + base + ")",
                        "set mayan.upload-source to the label of an enabled web-form source in Mayan (System >"
                                + " Sources), or remove it to let the service choose; the sources stay paused and"
                                + " the items wait until then",
                        null, null, false, null, false);
            }
            return new MayanDialect(version, null, null, source.path("id").asLong(), source.path("label").asText(),
                    actions[1] != null, null, false);
        }
        List<JsonNode> candidates = new ArrayList<>(sources.stream().filter(s -> s.path("enabled").asBoolean(true))
                .toList());
        // A fresh Mayan's own web-form source first, then the others in id order.
        candidates.sort(java.util.Comparator.comparingInt(s -> "Default".equals(s.path("label").asText())
                && s.path("backend_path").asText().endsWith(WEB_FORM) ? 0 : 1));
        for (JsonNode source : candidates) {
            JsonNode[] actions = uploadActions(source);
            if (actions[0] != null) {
                return new MayanDialect(version, null, null, source.path("id").asLong(),
                        source.path("label").asText(), actions[1] != null, null, false);
            }
        }
        if (sources.isEmpty()) {
            return fallback(version, "the service's Mayan user sees no sources (GET sources/ lists none; viewing"
                    + " them needs the permission \"View existing document sources\")");
        }
        return fallback(version, "no enabled source offers document_upload with a file over REST (sources: "
                + describe(sources) + ")");
    }

    private MayanDialect fallback(String version, String reason) {
        return new MayanDialect(version, null, null, null, null, false, reason, false);
    }

    /** [document_upload, document_file_upload] of a source, each null when it is missing or takes no file. */
    private JsonNode[] uploadActions(JsonNode source) {
        JsonNode[] found = new JsonNode[2];
        for (JsonNode action : getAll("sources/" + source.path("id").asLong() + "/actions/", Map.of())) {
            String name = action.path("name").asText();
            if ("document_upload".equals(name) && takesFile(action, "document_type_id", "immediate_mode")) {
                found[0] = action;
            } else if ("document_file_upload".equals(name)
                    && takesFile(action, "document_id", "comment", "document_file_action_name")) {
                found[1] = action;
            }
        }
        return found;
    }

    /** Whether the action's REST interface takes a file and every one of these arguments. */
    private static boolean takesFile(JsonNode action, String... arguments) {
        if (!action.path("accept_files").asBoolean(false)) {
            return false;
        }
        for (JsonNode iface : action.path("interfaces")) {
            if ("RESTAPI".equals(iface.path("name").asText())) {
                java.util.Set<String> names = new java.util.HashSet<>();
                iface.path("arguments").forEach(a -> names.add(a.path("name").asText()));
                return names.contains("file") && names.containsAll(List.of(arguments));
            }
        }
        return false;
    }

    private static String describe(List<JsonNode> sources) {
        if (sources.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode s : sources) {
            parts.add("\"" + s.path("label").asText() + "\" (id " + s.path("id").asLong()
                    + (s.path("enabled").asBoolean(true) ? "" : ", disabled") + ")");
        }
        return String.join(", ", parts);
    }

    private static final ContentType TEXT = ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8);

    private static MultipartEntityBuilder multipart() {
        // LEGACY (browser-like) writes filename="<raw UTF-8>" plus a correct filename*=UTF-8''..., which
        // Django reads back intact. HttpClient 5.5's EXTENDED mode percent-encodes filename* twice and
        // STRICT squeezes the name into ISO-8859-1, so both mangle "Prüfbericht – ÄÖÜ.pdf". And the
        // request's Content-Type must not say charset=ISO-8859-1 (HttpClient's default), because Django
        // decodes every field and file name with that charset: no charset means UTF-8, as browsers do.
        return MultipartEntityBuilder.create().setMode(HttpMultipartMode.LEGACY).setCharset(StandardCharsets.UTF_8)
                .setContentType(ContentType.create("multipart/form-data"));
    }

    private static void addIfPresent(MultipartEntityBuilder multipart, String name, String value) {
        if (value != null && !value.isEmpty()) {
            multipart.addTextBody(name, value, TEXT);
        }
    }

    private HttpEntity jsonEntity(Object body) {
        try {
            return new StringEntity(json.writeValueAsString(body), ContentType.APPLICATION_JSON);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write JSON", e);
        }
    }

    public ObjectNode object() {
        return json.createObjectNode();
    }

    private JsonNode execute(String method, String path, Map<String, String> query, HttpEntity body) {
        throttle.acquire();
        // Before the call, outside it: with a user name and password this may first obtain a token.
        authorization();
        long start = System.nanoTime();
        try {
            return handle(method, path, send(method, path, query, body));
        } catch (MayanException e) {
            failureListener.accept(e);
            throw e;
        } catch (IOException e) {
            callListener.answered(method, path, 0);
            MayanException failure = new MayanException(0, method, path, e.toString(), false,
                    "Mayan at " + base + " did not answer " + method + " " + path + " (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")",
                    "check that Mayan is running and that mayan.url is right; the item is retried", null, e);
            failureListener.accept(failure);
            throw failure;
        } finally {
            if (LOG.isDebugEnabled()) {
                LOG.debugf("%s %s took %d ms", method, path, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }
    }

    /** Mayan's answer as the route returned it: status, body (bounded) and the headers read here. */
    record Answer(int status, String body, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private static final List<String> ANSWER_HEADERS = List.of("Content-Type", "Location", "Retry-After",
            "Deprecation", "Sunset");

    /**
     * One call through {@link MayanHttpRoutes#MAYAN_HTTP} on a fresh exchange: Camel HTTP copies exchange
     * headers onto the request, so it carries only method, path, query and Accept, never an item's headers.
     */
    private Answer send(String method, String path, Map<String, String> query, HttpEntity body) throws IOException {
        String rawQuery = rawQuery(path, query);
        Exchange exchange = template.send(MayanHttpRoutes.MAYAN_HTTP, ex -> {
            Message in = ex.getIn();
            // The enum Camel HTTP reads: given a String it would search its converters on every call.
            in.setHeader(Exchange.HTTP_METHOD, org.apache.camel.component.http.HttpMethods.valueOf(method));
            in.setHeader(Exchange.HTTP_PATH, API.substring(1) + path);
            if (rawQuery != null) {
                in.setHeader(Exchange.HTTP_QUERY, rawQuery);
            }
            // Mayan's token endpoint and the browsable API default to HTML; JSON has to be asked for.
            in.setHeader("Accept", "application/json");
            in.setBody(body);
        });
        Exception failure = exchange.getException();
        if (failure != null) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof IOException io) {
                    throw io;
                }
            }
            if (failure instanceof RuntimeException runtime && !(failure instanceof org.apache.camel.CamelException)) {
                throw runtime;
            }
            throw new IOException(failure.toString(), failure);
        }
        Message out = exchange.getMessage();
        Integer status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) {
            throw new IOException("no HTTP status from the route " + MayanHttpRoutes.MAYAN_HTTP);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : ANSWER_HEADERS) {
            Object value = out.getHeader(name);
            if (value instanceof Iterable<?> values) {
                java.util.Iterator<?> it = values.iterator();
                value = it.hasNext() ? it.next() : null;
            }
            if (value != null) {
                headers.put(name, value.toString());
            }
        }
        return new Answer(status, readBody(out.getBody(InputStream.class)), headers);
    }

    private static String rawQuery(String path, Map<String, String> query) {
        if (query.isEmpty()) {
            return null;
        }
        try {
            URIBuilder builder = new URIBuilder();
            query.forEach(builder::addParameter);
            return builder.build().getRawQuery();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid query for " + path, e);
        }
    }

    /**
     * Mayan hashes the password on every Basic-authenticated request (about 200 ms each on a real
     * server, e2e/MAYAN-FINDINGS.md) while a token costs a few ms, so a configured user name and
     * password are exchanged once for the user's token ({@code POST auth/token/obtain/}). Basic stays
     * the fallback when that endpoint is unavailable.
     */
    private String authorization() {
        if (tokenTried || config.token().filter(t -> !t.isBlank()).isPresent()
                || username.filter(u -> !u.isBlank()).isEmpty()) {
            return authorization;
        }
        synchronized (this) {
            if (!tokenTried) {
                obtainToken();
                tokenTried = true;
            }
        }
        return authorization;
    }

    private void obtainToken() {
        try {
            Answer response = send("POST", MayanHttpRoutes.TOKEN_PATH, Map.of(),
                    jsonEntity(Map.of("username", username.get(), "password", password.orElse(""))));
            String body = response.body();
            if (response.status() == 400) {
                throw new MayanException(403, "POST", "auth/token/obtain/", detail(body), false,
                        "Mayan refused mayan.username/mayan.password (" + detail(body) + ")",
                        "check mayan.username and mayan.password (MAYAN_PASSWORD); the items wait until then",
                        null, null);
            }
            if (response.status() >= 300 && response.status() < 400) {
                // A login proxy, not Mayan's answer: ask for the token again once it lets the service through.
                throw redirected("POST", "auth/token/obtain/", response.status(), response);
            }
            String token = response.status() != 200 || !isJson(response) ? null
                    : json.readTree(body).path("token").asText(null);
            if (token != null && !token.isBlank()) {
                authorization = "Token " + token;
                LOG.infof("Using an API token of Mayan user %s", username.get());
            } else {
                LOG.infof("Mayan gave no token for user %s; using Basic authentication", username.get());
            }
        } catch (MayanException e) {
            tokenTried = false;
            throw e;
        } catch (IOException e) {
            // Not reachable now: stay on Basic for this call, and try for a token again next time.
            tokenTried = false;
            throw new MayanException(0, "POST", "auth/token/obtain/", e.toString(), false,
                    "Mayan at " + base + " did not answer POST auth/token/obtain/ (" + e.getClass().getSimpleName() + ")",
                    "check that Mayan is running and that mayan.url is right; the item is retried", null, e);
        }
    }

    public void setCallListener(CallListener listener) {
        this.callListener = listener;
    }

    private JsonNode handle(String method, String path, Answer response) throws IOException {
        int status = response.status();
        callListener.answered(method, path, status);
        String body = response.body();
        warnIfDeprecated(method, path, response);
        if (status >= 200 && status < 300) {
            if (body.isBlank()) {
                // 202 on a new file and 200 on tag/cabinet actions have empty bodies (mayan-api.md §6, §9).
                return null;
            }
            if (!isJson(response)) {
                throw notMayan(method, path, status, response);
            }
            return json.readTree(body);
        }
        if (status >= 300 && status < 400) {
            throw redirected(method, path, status, response);
        }
        String detail = detail(body);
        Duration retryAfter = retryAfter(response);
        String where = method + " " + path;
        if (status == 429) {
            throw new MayanException(status, method, path, detail, false,
                    "Mayan is throttling requests (429 on " + where + ")",
                    "nothing to do: the request is retried after Mayan's Retry-After", retryAfter, null);
        }
        if (status == 408 || status >= 500) {
            throw new MayanException(status, method, path, detail, false,
                    "Mayan failed with " + status + " on " + where + (detail.isEmpty() ? "" : ": " + detail),
                    "the item is retried; if it keeps failing, look at Mayan's logs", retryAfter, null);
        }
        if (status == 413) {
            // Mayan itself sets no upload limit; a proxy in front of it does (nginx client_max_body_size).
            throw new MayanException(status, method, path, detail, true,
                    "the server in front of Mayan refused " + where + " with 413: the file is larger than it accepts",
                    "raise the upload limit of the proxy in front of Mayan (nginx: client_max_body_size), then replay"
                            + " the item; or lower the source's max-file-size so such files wait in error/ at once",
                    null, null);
        }
        if (!body.isBlank() && !isJson(response)) {
            // Mayan's API answers its 4xx in JSON (mayan-api.md §10); an HTML page comes from something else.
            throw notMayan(method, path, status, response);
        }
        if (status == 401 || status == 403) {
            throw new MayanException(status, method, path, detail, false,
                    "Mayan refused the service's credentials (" + status + " on " + where
                            + (detail.isEmpty() ? "" : ": " + detail) + ")",
                    "check mayan.token (MAYAN_TOKEN) or mayan.username/mayan.password, and that this user has"
                            + " the permissions to create documents; the item waits until then",
                    null, null);
        }
        throw new MayanException(status, method, path, detail, true,
                "Mayan rejected " + where + " with " + status + (detail.isEmpty() ? "" : ": " + detail),
                "correct the item's mapping and replay it", null, null);
    }

    /**
     * Mayan 4.12 marks {@code documents/upload/} with {@code Deprecation: true} and {@code Sunset: <date>}
     * (RFC 8594) on every answer; logged once per endpoint, with what avoids it.
     */
    private void warnIfDeprecated(String method, String path, Answer response) {
        String deprecation = response.header("Deprecation");
        String sunset = response.header("Sunset");
        if (deprecation == null && sunset == null) {
            return;
        }
        String endpoint = method + " " + path.replaceAll("/\\d+/", "/{id}/");
        if (!deprecationWarned.add(endpoint)) {
            return;
        }
        MayanDialect d = dialect;
        String because = d != null && d.fallbackReason() != null ? " The service uses it because " + d.fallbackReason()
                + "." : "";
        LOG.warnf("Mayan marks %s as deprecated (Deprecation: %s%s): Mayan stops answering it %s.%s To avoid it, %s",
                endpoint, deprecation == null ? "-" : deprecation,
                sunset == null ? "" : "; Sunset: " + sunset,
                sunset == null ? "in a later release" : "after " + sunset, because,
                endpoint.contains("documents/upload/") ? AVOID_DEPRECATED
                        : "check the Mayan Ingest release notes for a release that no longer calls it");
    }

    private MayanException notMayan(String path, String what) {
        return MayanException.misconfigured(0, "GET", path, what,
                base + " does not look like Mayan EDMS: " + path + " gave " + what,
                "set mayan.url to Mayan's base URL (the part before /api/v4/)" + ITEMS_WAIT);
    }

    private static final String ITEMS_WAIT = "; the items wait where they are and go on by themselves once Mayan answers";

    /** An answer that is not JSON (an HTML page) where Mayan's API always answers JSON. */
    private MayanException notMayan(String method, String path, int status, Answer response) {
        String type = contentType(response);
        return MayanException.misconfigured(status, method, path, type,
                base + " does not look like Mayan EDMS: " + method + " " + path + " gave " + status + " with a " + type
                        + " page instead of Mayan's JSON" + (type.contains("html")
                                ? " (the login page of a proxy or single sign-on in front of Mayan, or another web"
                                        + " application)"
                                : ""),
                "set mayan.url to the address of Mayan's API itself (the part before /api/v4/), not of a proxy or"
                        + " login page in front of it, or let the proxy pass API calls (/api/v4/, with their"
                        + " Authorization header) through to Mayan" + ITEMS_WAIT);
    }

    /**
     * A redirect (redirects are not followed): Mayan's API never redirects a request with the trailing
     * slash the service always sends, so a 3xx comes from a proxy or single sign-on sending the service
     * to its login page, or from a mayan.url that is not Mayan's own address (http that redirects to
     * https). Only scheme, host and port of the target are shown: its path and query may carry tokens.
     */
    private MayanException redirected(String method, String path, int status, Answer response) {
        String location = response.header("Location");
        String target = location == null ? "nowhere (no Location)" : origin(location);
        return MayanException.misconfigured(status, method, path, "redirect to " + target,
                base + " answered " + method + " " + path + " with a redirect (" + status + ") to " + target
                        + " instead of Mayan's JSON: a proxy or single sign-on in front of Mayan sends the service to"
                        + " a login page, or mayan.url is not the address of Mayan itself",
                "point mayan.url at Mayan's API directly (if " + target + " is Mayan itself, e.g. its https address,"
                        + " use that), or let the proxy pass API calls (/api/v4/, with their Authorization header)"
                        + " through to Mayan without a login" + ITEMS_WAIT);
    }

    /** {@code scheme://host[:port]} of a (possibly relative) redirect target: no user info, path or query. */
    private String origin(String location) {
        try {
            URI target = URI.create(base + API).resolve(location.strip());
            if (target.getHost() == null) {
                return "an address without a host";
            }
            return target.getScheme() + "://" + target.getHost() + (target.getPort() >= 0 ? ":" + target.getPort() : "");
        } catch (IllegalArgumentException e) {
            return "an address that is not a valid URL";
        }
    }

    private static boolean isJson(Answer response) {
        return contentType(response).contains("json");
    }

    private static String contentType(Answer response) {
        String h = response.header("Content-Type");
        return h == null ? "untyped" : h;
    }

    private static String readBody(InputStream content) throws IOException {
        try (InputStream in = content) {
            if (in == null) {
                return "";
            }
            // Bounded: an error page or list is small; a proxy's huge HTML page is cut, not buffered whole.
            byte[] bytes = in.readNBytes(16 * 1024 * 1024);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * Mayan's words from an error body: {@code {"detail": ...}}, {@code {field: [msgs]}} or a bare
     * list {@code [msgs]} (mayan-api.md §10).
     */
    String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = json.readTree(body);
            List<String> parts = new ArrayList<>();
            collect(node, null, parts);
            return String.join("; ", parts);
        } catch (IOException e) {
            String text = body.strip();
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        }
    }

    private static void collect(JsonNode node, String field, List<String> parts) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, field, parts));
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> collect(e.getValue(),
                    "detail".equals(e.getKey()) || "non_field_errors".equals(e.getKey()) ? field : e.getKey(), parts));
        } else {
            String text = unwrapRepr(node.asText());
            parts.add(field == null ? text : field + ": " + text);
        }
    }

    private static final java.util.regex.Pattern REPR = java.util.regex.Pattern.compile(
            "^\\{'__all__': \\[(['\"])(.*)\\1\\]\\}$", java.util.regex.Pattern.DOTALL);

    /**
     * Mayan 4.12 wraps model validation messages in the Python repr of a dict:
     * {@code "{'__all__': ['Value is not one of the provided options.']}"}; people want the message.
     */
    static String unwrapRepr(String text) {
        java.util.regex.Matcher m = REPR.matcher(text.strip());
        return m.matches() ? m.group(2).replace("\\'", "'") : text;
    }

    private static Duration retryAfter(Answer response) {
        String h = response.header("Retry-After");
        if (h == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(h.trim())));
        } catch (NumberFormatException e) {
            // An HTTP date is allowed too; DRF sends seconds, so a date is treated as "a few seconds".
            return Duration.ofSeconds(5);
        }
    }

    private static String stripTrailingSlash(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith("/api/v4")) {
            u = u.substring(0, u.length() - "/api/v4".length());
        }
        return u;
    }

    /** mayan.url as given; a URL that does not parse is named without its text, which may hold a password. */
    private static URI parseUrl(String url) {
        try {
            return new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("mayan.url is not a valid URL (" + e.getReason()
                    + "); give Mayan's base URL such as https://mayan.example.com");
        }
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String authorizationHeader(Optional<String> token, Optional<String> username,
            Optional<String> password) {
        if (token.filter(t -> !t.isBlank()).isPresent()) {
            return "Token " + token.get().strip();
        }
        if (username.filter(u -> !u.isBlank()).isPresent()) {
            String pair = username.get() + ":" + password.orElse("");
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        LOG.warn("Neither mayan.token nor mayan.username is set: Mayan will treat the service as anonymous"
                + " and show it no document types");
        return null;
    }

    /** Loads the trust store once, so a wrong path, type or password stops start-up naming the property. */
    static SSLContext checkTrustStore(MayanConfig config, String store) {
        try (InputStream in = Files.newInputStream(Path.of(store))) {
            KeyStore keyStore = KeyStore.getInstance(config.trustStoreType());
            keyStore.load(in, config.trustStorePassword().map(String::toCharArray).orElse(null));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keyStore);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException("mayan.trust-store " + store + " cannot be loaded as "
                    + config.trustStoreType() + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        if (ownContext != null) {
            closeQuietly(ownContext);
        }
    }

    private static void closeQuietly(CamelContext context) {
        try {
            context.close();
        } catch (Exception e) {
            LOG.debugf("closing the Camel context of a standalone MayanClient: %s", e.toString());
        }
    }
}
