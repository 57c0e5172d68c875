package io.mayaningest.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mayaningest.testing.MayanApi.Anonymous;
import io.mayaningest.testing.MayanApi.Route;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An in-process stand-in for Mayan EDMS 4.x's REST API, faithful to /work/shared/mayan-api.md, so the
 * ingestion service can be tested fast and without a Mayan install.
 *
 * <p>It is stateful (documents, files, metadata, tags, cabinets survive between requests), thread-safe
 * (one lock around the data, like one database), and reproduces the traps a client has to handle:
 * 403 rather than 401, 201 from {@code documents/upload/} with {@code file_latest: null} and the
 * file appearing later with its checksum later still, 202 with an empty body for a new file, fuzzy
 * {@code filter_*}, oldest-first file lists, bare-list 400s, 429 throttling. Control knobs simulate
 * slow or stopped workers, throttling and faults.
 *
 * <pre>{@code
 * try (FakeMayan mayan = FakeMayan.start().withToken("secret")) {
 *     long invoice = mayan.createDocumentType("Invoice");
 *     // point the service at mayan.baseUrl() ...
 *     await().until(() -> mayan.documentByLabel("a.pdf").map(d -> !d.files().isEmpty()).orElse(false));
 * }
 * }</pre>
 */
public final class FakeMayan implements AutoCloseable {

    /** Every app's API is mounted here (§2). */
    static final String API_PREFIX = "/api/v4";

    /** The separator of a cabinet's {@code full_path}; see {@link MayanStore#CABINET_PATH_SEPARATOR}. */
    public static final String CABINET_PATH_SEPARATOR = MayanStore.CABINET_PATH_SEPARATOR;

    /** The user a {@link #withToken} token authenticates as, like autoadmin's superuser. */
    private static final String TOKEN_USER = "admin";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration THROTTLE_WINDOW = Duration.ofSeconds(1);

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService workers;
    private final Path tempDir;
    private final MayanStore store;
    private final MayanApi api;

    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Map<String, String> tokensByUser = new ConcurrentHashMap<>();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    private final List<RecordedRequest> recorded = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();

    /** Random faults ({@link #setRandomFaults}); all guarded by {@code randomLock}. */
    private final Object randomLock = new Object();
    private double randomRate;
    private Random random;
    private Duration randomStall;
    private final Map<String, Integer> randomCounts = new java.util.TreeMap<>();

    private final Object throttleLock = new Object();
    private int throttleRate;
    private final Deque<Long> throttleHistory = new ArrayDeque<>();

    /** A pending {@link #failNext} or {@link #stallNext} rule; guarded by {@code faults}. */
    private static final class Fault {
        final boolean stall;
        final String method;
        final Pattern path;
        final int status;
        final Duration delay;
        int remaining;

        Fault(boolean stall, String method, String pathRegex, int status, Duration delay, int times) {
            this.stall = stall;
            this.method = method;
            this.path = Pattern.compile(pathRegex);
            this.status = status;
            this.delay = delay;
            this.remaining = times;
        }
    }

    private FakeMayan() throws IOException {
        tempDir = Files.createTempDirectory("fake-mayan-");
        workers = Executors.newScheduledThreadPool(2, daemonThreads("fake-mayan-worker-"));
        store = new MayanStore(workers, tempDir);
        api = new MayanApi(store, tokensByUser, passwords);
        httpThreads = Executors.newFixedThreadPool(16, daemonThreads("fake-mayan-http-"));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a fake on 127.0.0.1 with a free port, holding only the "Default" document type (id 1). */
    public static FakeMayan start() {
        try {
            return new FakeMayan();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start FakeMayan", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash and without {@code /api/v4}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code baseUrl() + "/api/v4"}. */
    public String apiUrl() {
        return baseUrl() + API_PREFIX;
    }

    @Override
    public void close() {
        server.stop(0);
        httpThreads.shutdownNow();
        workers.shutdownNow();
        try (Stream<Path> files = Files.walk(tempDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(MayanStore::deleteQuietly);
        } catch (IOException ignored) {
            // the directory is in the system temp area; nothing more to do
        }
    }

    // --- configuration -------------------------------------------------------------------------

    /** Accepts {@code Authorization: Token <token>} (§1). Several tokens may be added. */
    public FakeMayan withToken(String token) {
        tokens.add(Objects.requireNonNull(token));
        return this;
    }

    /** Accepts {@code Authorization: Basic base64(user:password)}, and {@code auth/token/obtain/} for this user (§1). */
    public FakeMayan withUser(String user, String password) {
        passwords.put(Objects.requireNonNull(user), Objects.requireNonNull(password));
        return this;
    }

    /**
     * The release this fake plays (default 4.12.2), as {@code /api/v4/project/} reports it: before 4.5
     * the sources action API does not exist (HTML 404); from 4.12 {@code documents/upload/} answers with
     * {@code Deprecation}/{@code Sunset}/{@code Link} headers. Kept by {@link #reset}.
     */
    public FakeMayan setVersion(String version) {
        api.version = Objects.requireNonNull(version);
        return this;
    }

    /** The path of a source action's execute URL, e.g. {@code sourceActionPath(1, "document_upload")}. */
    public static String sourceActionPath(long sourceId, String action) {
        return API_PREFIX + "/sources/" + sourceId + "/actions/" + action + "/execute/";
    }

    /** The fresh Mayan's web-form source "Default" (id 1), where the service uploads new documents. */
    public static final String DOCUMENT_UPLOAD = sourceActionPath(1, "document_upload");

    /** New files on existing documents through the "Default" source. */
    public static final String DOCUMENT_FILE_UPLOAD = sourceActionPath(1, "document_file_upload");

    /** Adds a web-form source (its actions take files over REST); returns its id. */
    public long addWebFormSource(String label) {
        return store.createSource(label, MayanStore.WEB_FORM_BACKEND, "{\"uncompress\": \"n\"}").id;
    }

    /** Adds a watch-folder source: its document_upload action takes no file; returns its id. */
    public long addWatchFolderSource(String label) {
        return store.createSource(label, MayanStore.WATCH_FOLDER_BACKEND, "{\"folder_path\": \"/srv/watch\"}").id;
    }

    /** Enables or disables a source (a disabled one answers 404 on execute). */
    public FakeMayan setSourceEnabled(long id, boolean enabled) {
        synchronized (store) {
            required(store.sources.get(id), "source", id).enabled = enabled;
        }
        return this;
    }

    /** Deletes every source, as an administrator can (the "Default" one too); {@link #reset} brings "Default" back. */
    public FakeMayan removeSources() {
        synchronized (store) {
            store.sources.clear();
        }
        return this;
    }

    /** Time from an upload until its DocumentFile row exists and is {@code file_latest} (default 300 ms). */
    public FakeMayan setFileAppearDelay(Duration delay) {
        store.fileAppearDelay = Objects.requireNonNull(delay);
        return this;
    }

    /** Further time until that file's {@code checksum} and {@code size} are filled in (default 300 ms). */
    public FakeMayan setChecksumDelay(Duration delay) {
        store.checksumDelay = Objects.requireNonNull(delay);
        return this;
    }

    /**
     * Holds all background processing, like Celery workers that are down: uploads are accepted (201/202)
     * but their files do not appear, nor do checksums, until processing resumes; then each held step
     * runs after its normal delay.
     */
    public FakeMayan setProcessingPaused(boolean paused) {
        store.setPaused(paused);
        return this;
    }

    /**
     * Allows at most {@code requestsPerSecond} requests in any one-second window (DRF's sliding-window
     * throttle, §2); more get 429 with {@code Retry-After: 1}. 0 turns throttling off (the default).
     * Unlike a real Mayan, all clients share one counter.
     */
    public FakeMayan setThrottle(int requestsPerSecond) {
        synchronized (throttleLock) {
            throttleRate = Math.max(0, requestsPerSecond);
            throttleHistory.clear();
        }
        return this;
    }

    /**
     * The next {@code times} requests matching {@code method} ({@code null} or "*" for any) and
     * {@code pathRegex} (matched against the whole raw path, with or without its query) are answered
     * with {@code status} and {@code {"detail":"injected"}}, before anything else happens (no state
     * changes); a 429 also carries {@code Retry-After: 1}.
     */
    public FakeMayan failNext(String method, String pathRegex, int status, int times) {
        synchronized (faults) {
            faults.add(new Fault(false, method, pathRegex, status, null, times));
        }
        return this;
    }

    /**
     * The next {@code times} matching requests (same matching as {@link #failNext}) wait {@code stall}
     * before being handled normally, like an overloaded server; the request still takes effect.
     */
    public FakeMayan stallNext(String method, String pathRegex, Duration stall, int times) {
        synchronized (faults) {
            faults.add(new Fault(true, method, pathRegex, 0, stall, times));
        }
        return this;
    }

    /**
     * From now on, {@code rate} (0..1) of all requests meet a fault chosen uniformly among a 500 (Django's
     * HTML error page), a 503, a 429 with {@code Retry-After: 1}, and a stall of {@code stall}; like
     * {@link #failNext}, an error is decided before anything else happens (no state changes), and like
     * {@link #stallNext}, a stalled request then takes effect normally. {@code seed} makes the sequence of
     * decisions repeatable (which request meets which one still depends on the client's timing).
     */
    public FakeMayan setRandomFaults(double rate, long seed, Duration stall) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("rate must be between 0 and 1: " + rate);
        }
        synchronized (randomLock) {
            randomRate = rate;
            random = new Random(seed);
            randomStall = Objects.requireNonNull(stall);
            randomCounts.clear();
        }
        return this;
    }

    /** Ends {@link #setRandomFaults}; the counts of what was injected are kept until the next one. */
    public FakeMayan clearRandomFaults() {
        synchronized (randomLock) {
            randomRate = 0;
            random = null;
        }
        return this;
    }

    /** How many random faults of each kind ("500", "503", "429", "stall") were injected. */
    public Map<String, Integer> randomFaultCounts() {
        synchronized (randomLock) {
            return Map.copyOf(randomCounts);
        }
    }

    /**
     * The next {@code times} uploads (new documents or new files) are stored with other bytes than the
     * client sent, as a proxy that rewrites request bodies would cause: once processed, the file's
     * {@code checksum} is not the SHA-256 of what was uploaded.
     */
    public FakeMayan alterNextUploads(int times) {
        store.alterUploads.addAndGet(times);
        return this;
    }

    /**
     * Back to a fresh Mayan: data, recorded requests, pending faults (random ones and altered uploads
     * too) and held processing are dropped, and processing is resumed. Credentials, delays and the throttle rate are kept.
     */
    public void reset() {
        store.clear();
        synchronized (faults) {
            faults.clear();
        }
        clearRandomFaults();
        synchronized (recorded) {
            recorded.clear();
        }
    }

    // --- introspection -------------------------------------------------------------------------

    /** Every answered request so far, in the order the answers were sent. */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** How many answered requests match (same matching as {@link #failNext}). */
    public int count(String method, String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        synchronized (recorded) {
            return (int) recorded.stream().filter(r -> r.matches(method, pattern)).count();
        }
    }

    /** The answered requests that match (same matching as {@link #count}), counted by the status answered. */
    public Map<Integer, Long> countByStatus(String method, String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        synchronized (recorded) {
            return recorded.stream().filter(r -> r.matches(method, pattern)).collect(
                    java.util.stream.Collectors.groupingBy(RecordedRequest::status, java.util.TreeMap::new,
                            java.util.stream.Collectors.counting()));
        }
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    /** Snapshots of all documents, by id. */
    public List<FakeDocument> documents() {
        synchronized (store) {
            return store.docs.values().stream().map(store::snapshot).toList();
        }
    }

    public Optional<FakeDocument> document(long id) {
        synchronized (store) {
            return Optional.ofNullable(store.docs.get(id)).map(store::snapshot);
        }
    }

    /** The document with exactly this label (the lowest id if several have it). */
    public Optional<FakeDocument> documentByLabel(String label) {
        synchronized (store) {
            return store.docs.values().stream().filter(d -> d.label.equals(label)).findFirst().map(store::snapshot);
        }
    }

    /** Whether the document is in the trash (see {@link #trashDocument}). */
    public boolean isTrashed(long id) {
        synchronized (store) {
            return store.trashed.containsKey(id);
        }
    }

    // --- fixtures (state set directly, no REST side effects) -----------------------------------

    /**
     * Moves a document to the trash, as a user does in Mayan ({@code DELETE documents/{id}/} does the
     * same over REST): from then on every document endpoint answers 404 for it and lists hide it, while
     * {@code trashed_documents/{id}/} shows it. Processing of its files goes on.
     */
    public void trashDocument(long id) {
        if (!store.trash(id)) {
            throw new IllegalArgumentException("no document with id " + id);
        }
    }

    /** Restores a trashed document with its id and files ({@code POST trashed_documents/{id}/restore/}). */
    public void restoreDocument(long id) {
        if (!store.restore(id)) {
            throw new IllegalArgumentException("no trashed document with id " + id);
        }
    }

    public long createDocumentType(String label) {
        synchronized (store) {
            if (store.docTypes.values().stream().anyMatch(t -> t.label.equals(label))) {
                throw new IllegalArgumentException("document type label must be unique: " + label);
            }
            return store.createDocType(label).id;
        }
    }

    public long createMetadataType(String name, String label) {
        return createMetadataType(name, label, null, null);
    }

    /**
     * @param lookup comma-separated allowed values, or null
     * @param regex  a pattern the whole value must match (RegularExpressionValidator), or null
     */
    public long createMetadataType(String name, String label, String lookup, String regex) {
        synchronized (store) {
            if (store.metaTypes.values().stream().anyMatch(t -> t.name.equals(name))) {
                throw new IllegalArgumentException("metadata type name must be unique: " + name);
            }
            MayanStore.MetaType type = store.createMetaType(name, label);
            type.lookup = lookup;
            if (regex != null) {
                type.validation = MayanStore.REGEX_VALIDATOR;
                type.validationArguments = MayanStore.yamlPattern(regex);
            }
            return type.id;
        }
    }

    /** The id of the metadata type with this name (as a test that did not create it finds it). */
    public long metadataTypeId(String name) {
        synchronized (store) {
            return store.metaTypes.values().stream().filter(t -> t.name.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no metadata type named " + name)).id;
        }
    }

    /** Attaches (or, if attached, updates {@code required}); existing documents get no entries. */
    public void attachMetadataType(long documentTypeId, long metadataTypeId, boolean required) {
        synchronized (store) {
            MayanStore.DocType docType = required(store.docTypes.get(documentTypeId), "document type", documentTypeId);
            MayanStore.MetaType metaType = required(store.metaTypes.get(metadataTypeId), "metadata type", metadataTypeId);
            MayanStore.Relation existing = store.findRelation(docType, metaType);
            if (existing != null) {
                existing.required = required;
            } else {
                store.createRelation(docType, metaType, required);
            }
        }
    }

    /** A tag with color {@code #0000ff}. */
    public long createTag(String label) {
        synchronized (store) {
            if (store.tags.values().stream().anyMatch(t -> t.label.equals(label))) {
                throw new IllegalArgumentException("tag label must be unique: " + label);
            }
            return store.createTag(label, "#0000ff").id;
        }
    }

    /** @param parentId the parent cabinet, or null for a root cabinet */
    public long createCabinet(String label, Long parentId) {
        synchronized (store) {
            MayanStore.Cabinet parent = parentId == null ? null : required(store.cabinets.get(parentId), "cabinet", parentId);
            if (store.findCabinet(parent, label) != null) {
                throw new IllegalArgumentException("cabinet label must be unique under its parent: " + label);
            }
            return store.createCabinet(label, parent).id;
        }
    }

    /** An existing, fully processed document with one file (checksum, size and active version set). */
    public long createDocument(long documentTypeId, String label, byte[] content, String filename) {
        Path path;
        String sha256;
        try {
            path = store.newContentFile();
            MessageDigest digest = Multipart.sha256();
            try (var in = new DigestInputStream(new java.io.ByteArrayInputStream(content), digest)) {
                Files.copy(in, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            sha256 = HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (store) {
            MayanStore.DocType type = required(store.docTypes.get(documentTypeId), "document type", documentTypeId);
            MayanStore.Doc doc = store.createDoc(type, label);
            store.addProcessedFile(doc, new MayanStore.Upload(path, content.length, sha256, filename, "", "replace"));
            return doc.id;
        }
    }

    /**
     * A document uploaded by another client, as {@code POST documents/upload/} would: created at once,
     * its file and checksum follow through the normal (pausable) processing delays.
     */
    public long uploadDocument(long documentTypeId, String label, byte[] content, String filename) {
        Path path;
        try {
            path = store.newContentFile();
            Files.write(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sha256 = HexFormat.of().formatHex(Multipart.sha256().digest(content));
        synchronized (store) {
            MayanStore.DocType type = required(store.docTypes.get(documentTypeId), "document type", documentTypeId);
            MayanStore.Doc doc = store.createDoc(type, label);
            store.process(doc, new MayanStore.Upload(path, content.length, sha256, filename, "", "replace"));
            return doc.id;
        }
    }

    private static <T> T required(T value, String what, long id) {
        if (value == null) {
            throw new IllegalArgumentException("no " + what + " with id " + id);
        }
        return value;
    }

    static String randomToken() {
        byte[] bytes = new byte[20]; // DRF's Token.generate_key: hexlify(os.urandom(20))
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    // --- request pipeline ----------------------------------------------------------------------

    private volatile boolean unreachable;
    private volatile String loginRedirect;

    /** Where {@link #setLoginRedirect} may point on this server: an HTML login form, as a proxy serves it. */
    public static final String LOGIN_PATH = "/oauth2/sign_in";
    private static final String LOGIN_PAGE = "<!DOCTYPE html><html lang=\"en\"><head><title>Sign In</title></head><body>"
            + "<form method=\"GET\" action=\"" + LOGIN_PATH + "\"><input type=\"hidden\" name=\"rd\">"
            + "<button type=\"submit\">Sign in with your company account</button></form></body></html>";

    /**
     * While set, Mayan sits behind a single sign-on proxy (oauth2-proxy, Authelia, an SSO gateway) that
     * lets no request through without its session cookie: every request is answered 302 with
     * {@code Location: <location>?rd=<the URL that was asked for>} and nothing reaches Mayan. On this
     * server {@link #LOGIN_PATH} then answers the proxy's HTML login form. {@code null} lets requests
     * through again.
     */
    public FakeMayan setLoginRedirect(String location) {
        this.loginRedirect = location;
        return this;
    }

    /**
     * While set, every connection is closed without an answer, as a Mayan that is down or restarting
     * looks to a client (an I/O error, no HTTP status). Documents and settings are kept.
     */
    public FakeMayan setUnreachable(boolean unreachable) {
        this.unreachable = unreachable;
        return this;
    }

    /**
     * From now on, counts how many requests matching {@code method} and {@code pathRegex} (same matching
     * as {@link #failNext}) are being answered at the same time; {@link #peakConcurrency()} is the most
     * seen so far. Counted by the server itself, from a request's arrival to its answer, not by timing.
     */
    public FakeMayan watchConcurrency(String method, String pathRegex) {
        synchronized (concurrencyLock) {
            watchedMethod = method;
            watchedPath = Pattern.compile(pathRegex);
            watchedNow = 0;
            watchedPeak = 0;
        }
        return this;
    }

    /** The most requests of {@link #watchConcurrency} answered at the same time since it was called. */
    public int peakConcurrency() {
        synchronized (concurrencyLock) {
            return watchedPeak;
        }
    }

    private final Object concurrencyLock = new Object();
    private String watchedMethod;
    private Pattern watchedPath;
    private int watchedNow;
    private int watchedPeak;

    private boolean enterWatched(ApiRequest request) {
        synchronized (concurrencyLock) {
            if (watchedMethod == null
                    || !RecordedRequest.matches(watchedMethod, watchedPath, request.method, request.target())) {
                return false;
            }
            watchedPeak = Math.max(watchedPeak, ++watchedNow);
            return true;
        }
    }

    private void leaveWatched() {
        synchronized (concurrencyLock) {
            watchedNow--;
        }
    }

    private void handle(HttpExchange exchange) {
        if (unreachable) {
            exchange.close();
            return;
        }
        Instant arrived = Instant.now();
        ApiRequest request = new ApiRequest(exchange, tempDir);
        boolean watched = enterWatched(request);
        try {
            answerAndSend(exchange, request, arrived);
        } finally {
            if (watched) {
                leaveWatched();
            }
        }
    }

    private void answerAndSend(HttpExchange exchange, ApiRequest request, Instant arrived) {
        Reply reply;
        try {
            reply = answer(request);
        } catch (MayanError e) {
            reply = e.reply;
        } catch (IOException e) {
            // The client went away mid-body, or sent garbage the parsers could not even frame.
            reply = MayanError.detail(400, "Malformed request body: " + e.getMessage()).reply;
        } catch (RuntimeException e) {
            e.printStackTrace();
            reply = MayanError.serverError().reply;
        } finally {
            request.cleanup();
        }
        // Unread bodies (early answers) are drained, so the client reads our answer instead of a reset.
        request.drain();
        // Recorded before sending: a test that got the answer must find the record.
        synchronized (recorded) {
            recorded.add(new RecordedRequest(request.method, request.target(), reply.status(), arrived));
        }
        send(exchange, reply);
    }

    /**
     * A slow server for one request. Blocking this HTTP worker thread is the point (it is the fake
     * server being slow, not a test waiting), so this is the one place a sleep belongs.
     */
    private static void stallThisRequest(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MayanError.serverError();
        }
    }

    /** The order of a Django + DRF request: URL resolution, authentication, throttling, method, access, view. */
    private Reply answer(ApiRequest request) throws IOException {
        String login = loginRedirect;
        if (login != null) {
            // The proxy answers before Mayan sees anything: no fault, no throttle, no state change.
            if (request.rawPath.equals(LOGIN_PATH)) {
                return Reply.raw(200, "text/html; charset=utf-8", LOGIN_PAGE);
            }
            String back = java.net.URLEncoder.encode(request.absoluteUri(), StandardCharsets.UTF_8);
            return Reply.raw(302, "text/html; charset=utf-8", "<a href=\"" + login + "\">Found</a>.")
                    .header("Location", login + (login.contains("?") ? "&" : "?") + "rd=" + back);
        }
        Fault stall = takeFault(true, request);
        if (stall != null) {
            stallThisRequest(stall.delay);
        }
        Fault fail = takeFault(false, request);
        if (fail != null) {
            Reply injected = MayanError.detail(fail.status, "injected").reply;
            return fail.status == 429 ? injected.header("Retry-After", "1") : injected;
        }
        String randomFault = takeRandomFault();
        if ("stall".equals(randomFault)) {
            Duration delay;
            synchronized (randomLock) {
                delay = randomStall;
            }
            stallThisRequest(delay);
        } else if ("500".equals(randomFault)) {
            return MayanError.serverError().reply;
        } else if (randomFault != null) {
            Reply injected = MayanError.detail(Integer.parseInt(randomFault), "injected at random").reply;
            return randomFault.equals("429") ? injected.header("Retry-After", "1") : injected;
        }

        Route route = findRoute(request);
        if (route == null) {
            if (!request.rawPath.endsWith("/") && findRoute(request.rawPath + "/") != null) {
                // Django's APPEND_SLASH (CommonMiddleware): a permanent redirect, for every method.
                String location = request.rawPath + "/" + (request.rawQuery == null ? "" : "?" + request.rawQuery);
                return Reply.empty(301).header("Location", location);
            }
            throw MayanError.detail(404, "Not found.");
        }
        request.user = authenticate(request);
        if (route.throttled()) {
            throttle();
        }
        MayanApi.Handler handler = route.handlers().get(request.method);
        if (handler == null) {
            throw MayanError.of(MayanError.detail(405, "Method \"" + request.method + "\" not allowed.").reply
                    .header("Allow", String.join(", ", route.handlers().keySet().stream().sorted().toList()) + ", OPTIONS"));
        }
        if (request.user == null && route.anonymous() != Anonymous.ALLOW) {
            try {
                answerAnonymous(request, route);
            } catch (MayanError e) {
                return beforeDrf315(e.reply);
            }
        }
        Reply reply;
        try {
            reply = handler.handle(request);
        } catch (MayanError e) {
            reply = e.reply;
        }
        route.headers().forEach(reply::header);
        return beforeDrf315(reply);
    }

    /**
     * Before 4.10 (DRF 3.14: 4.4.16, 4.5.7) DRF turns Django's Http404 into {@code NotFound()} without its
     * message, so every 404 of a missing object says only {@code "Not found."} (e2e/MAYAN-FINDINGS.md §4.2).
     */
    private Reply beforeDrf315(Reply reply) {
        if (api.minor() < 10 && reply.status() == 404 && reply.body() != null
                && reply.body().path("detail").asText("").endsWith(" matches the given query.")) {
            Reply plain = MayanError.detail(404, "Not found.").reply;
            reply.headers().forEach(plain::header);
            return plain;
        }
        return reply;
    }

    /**
     * §10: ACL filtering gives an anonymous user empty lists and 404s; DRF refuses its writes with 403
     * because no authenticator sends a WWW-Authenticate challenge (§1).
     */
    private void answerAnonymous(ApiRequest request, Route route) {
        if (!request.method.equals("GET")) {
            throw MayanError.detail(403, "Authentication credentials were not provided.");
        }
        if (route.anonymous() == Anonymous.EMPTY_LIST) {
            ObjectNode empty = new Listing<Object>(o -> 0, (a, b) -> 0).page(request, List.of(), o -> null);
            throw MayanError.of(Reply.ok(empty));
        }
        throw MayanError.notFound(route.model());
    }

    private Route findRoute(ApiRequest request) {
        Route route = findRoute(request.rawPath);
        if (route != null) {
            Matcher matcher = route.pattern().matcher(request.rawPath);
            matcher.matches();
            request.pathParams = matcher;
        }
        return route;
    }

    private Route findRoute(String path) {
        for (Route route : api.routes) {
            if (route.pattern().matcher(path).matches()) {
                return route;
            }
        }
        return null;
    }

    /**
     * DRF's TokenAuthentication then BasicAuthentication (§1): no header means anonymous, an unknown
     * scheme is ignored, bad credentials are a 403 with DRF's own messages.
     */
    private String authenticate(ApiRequest request) {
        String header = request.header("Authorization");
        if (header == null || header.isBlank()) {
            return null;
        }
        String[] parts = header.trim().split("\\s+");
        String scheme = parts[0].toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("token")) {
            if (parts.length == 1) {
                throw MayanError.detail(403, "Invalid token header. No credentials provided.");
            }
            if (parts.length > 2) {
                throw MayanError.detail(403, "Invalid token header. Token string should not contain spaces.");
            }
            if (tokens.contains(parts[1])) {
                return TOKEN_USER;
            }
            for (Map.Entry<String, String> entry : tokensByUser.entrySet()) {
                if (entry.getValue().equals(parts[1])) {
                    return entry.getKey();
                }
            }
            throw MayanError.detail(403, "Invalid token.");
        }
        if (scheme.equals("basic")) {
            if (parts.length != 2) {
                throw MayanError.detail(403, parts.length == 1 ? "Invalid basic header. No credentials provided."
                        : "Invalid basic header. Credentials string should not contain spaces.");
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw MayanError.detail(403, "Invalid basic header. Credentials not correctly base64 encoded.");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw MayanError.detail(403, "Invalid basic header. Credentials not correctly base64 encoded.");
            }
            String user = decoded.substring(0, colon);
            if (decoded.substring(colon + 1).equals(passwords.get(user))) {
                return user;
            }
            throw MayanError.detail(403, "Invalid username/password.");
        }
        return null;
    }

    /** DRF's SimpleRateThrottle: a log of request times within the last second. */
    private void throttle() {
        synchronized (throttleLock) {
            if (throttleRate <= 0) {
                return;
            }
            long now = System.nanoTime();
            while (!throttleHistory.isEmpty() && now - throttleHistory.peekLast() >= THROTTLE_WINDOW.toNanos()) {
                throttleHistory.pollLast();
            }
            if (throttleHistory.size() >= throttleRate) {
                // wait = duration - (now - oldest) is at most one second, and DRF rounds it up.
                throw MayanError.of(MayanError.detail(429, "Request was throttled. Expected available in 1 second.")
                        .reply.header("Retry-After", "1"));
            }
            throttleHistory.addFirst(now);
        }
    }

    private Fault takeFault(boolean stall, ApiRequest request) {
        synchronized (faults) {
            for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
                Fault fault = it.next();
                if (fault.stall == stall
                        && RecordedRequest.matches(fault.method, fault.path, request.method, request.target())) {
                    if (--fault.remaining <= 0) {
                        it.remove();
                    }
                    return fault;
                }
            }
            return null;
        }
    }

    private static final List<String> RANDOM_FAULTS = List.of("500", "503", "429", "stall");

    /** The random fault this request meets ("500", "503", "429", "stall"), or null. */
    private String takeRandomFault() {
        synchronized (randomLock) {
            if (random == null || randomRate <= 0 || random.nextDouble() >= randomRate) {
                return null;
            }
            String fault = RANDOM_FAULTS.get(random.nextInt(RANDOM_FAULTS.size()));
            randomCounts.merge(fault, 1, Integer::sum);
            return fault;
        }
    }

    private static void send(HttpExchange exchange, Reply reply) {
        try (exchange) {
            Headers headers = exchange.getResponseHeaders();
            reply.headers().forEach(headers::set);
            byte[] bytes = null;
            if (reply.body() != null) {
                bytes = ApiRequest.JSON.writeValueAsBytes(reply.body());
                headers.set("Content-Type", "application/json");
            } else if (reply.rawBody() != null) {
                bytes = reply.rawBody().getBytes(StandardCharsets.UTF_8);
                headers.set("Content-Type", reply.rawContentType());
            }
            // -1 means "no body" to HttpServer; 0 would mean chunked.
            exchange.sendResponseHeaders(reply.status(), bytes == null ? -1 : bytes.length);
            if (bytes != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException ignored) {
            // the client hung up; it will not read this answer anyway
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
