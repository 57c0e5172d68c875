package io.mayaningest.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The real Mayan EDMS the end-to-end suite runs against, and a small REST client for fixtures and
 * assertions (Token auth, {@code Accept: application/json}, 429 answered by waiting Retry-After).
 * <p>
 * Which release: {@code -Dmayan.version} (default {@value #DEFAULT_VERSION}; {@code e2e/matrix.sh} runs the
 * suite once per supported release). Which Mayan: {@code MAYAN_URL} (+ {@code MAYAN_TOKEN} or
 * {@code MAYAN_USERNAME}/{@code MAYAN_PASSWORD}) from the environment if it answers (and, when
 * {@code mayan.version} is given, reports that release); else the one {@code e2e/mayan-up.sh VERSION} runs,
 * found through its {@code ~/.cache/mayan-ingest/data-VERSION/mayan.env} (each release has its own port),
 * or for 4.12.2 on {@code http://127.0.0.1:8000} (admin / mayan-ingest-e2e); else
 * {@code e2e/mayan-up.sh VERSION} is run (at most 15 minutes, output in
 * {@code target/e2e/mayan-up-VERSION.log}) and its {@code mayan.env} read.
 */
public final class RealMayan {

    public static final String DEFAULT_VERSION = "4.12.2";
    /** The release this run is about: {@code -Dmayan.version}, else {@value #DEFAULT_VERSION}. */
    public static final String VERSION = Optional.ofNullable(System.getProperty("mayan.version"))
            .map(String::strip).filter(v -> !v.isEmpty()).orElse(DEFAULT_VERSION);
    /** Whether the release was asked for explicitly; then a Mayan reporting another one is not used. */
    static final boolean VERSION_REQUIRED = !Optional.ofNullable(System.getProperty("mayan.version"))
            .map(String::isBlank).orElse(true);
    /** Where e2e/mayan-up.sh runs 4.12.2 (the other releases have ports of their own, read from mayan.env). */
    public static final String DEFAULT_URL = "http://127.0.0.1:8000";
    public static final String DEFAULT_USER = "admin";
    public static final String DEFAULT_PASSWORD = "mayan-ingest-e2e";
    static final Path DEFAULT_DATA_DIR = Path.of(System.getProperty("user.home"), ".cache", "mayan-ingest",
            "data-" + VERSION);
    private static final Duration UP_SCRIPT_TIMEOUT = Duration.ofMinutes(15);
    private static final int MAX_THROTTLE_RETRIES = 60;

    static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String token;
    private final Path dataDir;
    private String version = "";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicInteger throttled = new AtomicInteger();

    private RealMayan(String url, String token, Path dataDir) {
        this.url = stripSlash(url);
        this.token = token;
        this.dataDir = dataDir;
    }

    /** The base URL, without {@code /api/v4}. */
    public String url() {
        return url;
    }

    /** The release the server reports ({@code __version__} of {@code GET project/}), e.g. {@code 4.5.7}. */
    public String version() {
        return version;
    }

    /** The API token (for {@code MAYAN_TOKEN} of the service under test). */
    public String token() {
        return token;
    }

    /** How many 429 answers this client met (and waited out). */
    public int throttledAnswers() {
        return throttled.get();
    }

    /** gunicorn's access log of a Mayan started by {@code e2e/mayan-up.sh}, when it is on this machine. */
    public Optional<Path> accessLog() {
        if (dataDir == null) {
            return Optional.empty();
        }
        Path log = dataDir.resolve("log").resolve("gunicorn-access.log");
        return Files.isRegularFile(log) ? Optional.of(log) : Optional.empty();
    }

    // ---- finding a Mayan --------------------------------------------------------------------------

    public static RealMayan find() throws IOException, InterruptedException {
        List<String> tried = new ArrayList<>();
        String envUrl = System.getenv("MAYAN_URL");
        if (envUrl != null && !envUrl.isBlank()) {
            Path envData = Optional.ofNullable(System.getenv("MAYAN_DATA_DIR")).map(Path::of).orElse(null);
            Optional<RealMayan> m = connect(envUrl, System.getenv("MAYAN_TOKEN"), System.getenv("MAYAN_USERNAME"),
                    System.getenv("MAYAN_PASSWORD"), envData, tried);
            if (m.isPresent()) {
                return m.get();
            }
        }
        Path envFile = DEFAULT_DATA_DIR.resolve("mayan.env");
        if (Files.isRegularFile(envFile)) {
            Optional<RealMayan> m = connect(readEnvFile(envFile), envFile, tried);
            if (m.isPresent()) {
                return m.get();
            }
        }
        if (VERSION.equals(DEFAULT_VERSION)) {
            Path defaultData = Files.isDirectory(DEFAULT_DATA_DIR) ? DEFAULT_DATA_DIR : null;
            Optional<RealMayan> m = connect(DEFAULT_URL, null, DEFAULT_USER, DEFAULT_PASSWORD, defaultData, tried);
            if (m.isPresent()) {
                return m.get();
            }
        }
        envFile = runUpScript();
        Optional<RealMayan> m = connect(readEnvFile(envFile), envFile, tried);
        return m.orElseThrow(() -> new IllegalStateException("no Mayan EDMS " + VERSION
                + " answers even after e2e/mayan-up.sh " + VERSION + "; tried: " + String.join("; ", tried)
                + "; see target/e2e/mayan-up-" + VERSION + ".log"));
    }

    private static Optional<RealMayan> connect(Map<String, String> env, Path envFile, List<String> tried)
            throws InterruptedException {
        Path data = Optional.ofNullable(env.get("MAYAN_DATA_DIR")).map(Path::of).orElse(envFile.getParent());
        return connect(env.getOrDefault("MAYAN_URL", DEFAULT_URL), null, env.getOrDefault("MAYAN_USERNAME",
                DEFAULT_USER), env.getOrDefault("MAYAN_PASSWORD", DEFAULT_PASSWORD), data, tried);
    }

    private static Optional<RealMayan> connect(String url, String token, String user, String password, Path dataDir,
            List<String> tried) throws InterruptedException {
        try {
            String key = token;
            if (key == null || key.isBlank()) {
                if (user == null || user.isBlank()) {
                    tried.add(url + ": no token and no user name");
                    return Optional.empty();
                }
                key = obtainToken(url, user, password);
            }
            RealMayan mayan = new RealMayan(url, key, dataDir);
            Response r = mayan.send("GET", "document_types/?page_size=1", null);
            if (r.status() != 200 || !r.json().has("count")) {
                tried.add(url + ": GET document_types/ gave " + r.status());
                return Optional.empty();
            }
            Response project = mayan.send("GET", "project/", null);
            mayan.version = project.status() == 200 ? project.json().path("__version__").asText("") : "";
            if (VERSION_REQUIRED && !VERSION.equals(mayan.version)) {
                tried.add(url + ": reports Mayan \"" + mayan.version + "\", not " + VERSION);
                return Optional.empty();
            }
            return Optional.of(mayan);
        } catch (IOException | RuntimeException e) {
            tried.add(url + ": " + e);
            return Optional.empty();
        }
    }

    private static String obtainToken(String url, String user, String password)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("username", user).put("password", password);
        HttpRequest request = HttpRequest.newBuilder(URI.create(stripSlash(url) + "/api/v4/auth/token/obtain/"))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("token obtain for " + user + " gave " + response.statusCode() + ": "
                    + abbreviate(response.body()));
        }
        return JSON.readTree(response.body()).path("token").asText();
    }

    /** Runs e2e/mayan-up.sh (bounded) and returns the mayan.env it wrote. */
    private static Path runUpScript() throws IOException, InterruptedException {
        Path script = projectDir().resolve("e2e").resolve("mayan-up.sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no Mayan EDMS answers and " + script + " is missing");
        }
        Path log = Files.createDirectories(projectDir().resolve("target").resolve("e2e"))
                .resolve("mayan-up-" + VERSION + ".log");
        System.out.println("E2E: no Mayan " + VERSION + " answers; running " + script + " " + VERSION + " (log: "
                + log + ")");
        Process process = new ProcessBuilder("bash", script.toString(), VERSION).directory(projectDir().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(UP_SCRIPT_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("e2e/mayan-up.sh " + VERSION + " did not finish within " + UP_SCRIPT_TIMEOUT.toMinutes()
                    + " minutes; see " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("e2e/mayan-up.sh " + VERSION + " failed with " + process.exitValue() + "; see " + log);
        }
        Matcher m = Pattern.compile("env file:\\s+(\\S+)").matcher(output);
        Path envFile = m.find() ? Path.of(m.group(1)) : DEFAULT_DATA_DIR.resolve("mayan.env");
        if (!Files.isRegularFile(envFile)) {
            throw new IllegalStateException("e2e/mayan-up.sh ran but " + envFile + " is missing; see " + log);
        }
        return envFile;
    }

    private static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = Pattern.compile("^\\s*(?:export\\s+)?([A-Z_][A-Z0-9_]*)=(.*)$").matcher(line);
            if (m.matches()) {
                values.put(m.group(1), m.group(2).strip().replaceAll("^[\"']|[\"']$", ""));
            }
        }
        return values;
    }

    static Path projectDir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    // ---- REST ------------------------------------------------------------------------------------

    public record Response(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + abbreviate(body), e);
            }
        }
    }

    /** {@code path} is relative to {@code /api/v4/} and may carry a query. */
    public Response send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + "/api/v4/" + path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .header("Authorization", "Token " + token);
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpRequest request = builder.build();
        for (int attempt = 0;; attempt++) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 429 || attempt >= MAX_THROTTLE_RETRIES) {
                return new Response(response.statusCode(), response.body(), response);
            }
            throttled.incrementAndGet();
            long seconds = response.headers().firstValue("Retry-After").map(RealMayan::seconds).orElse(1L);
            waitFor(Duration.ofSeconds(seconds).plusMillis(50));
        }
    }

    /** Waits without holding a lock or busy-looping: Mayan's throttle asks for whole seconds. */
    private static void waitFor(Duration duration) {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(duration.toMillis(),
                TimeUnit.MILLISECONDS)).join();
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Math.min(30, Long.parseLong(retryAfter.strip())));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** GET that must answer 200. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        Response r = send("GET", path, null);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + " gave " + r.status() + ": " + abbreviate(r.body()));
        }
        return r.json();
    }

    /** Every item of a paginated list (pages by number, 100 at a time). */
    public List<JsonNode> listAll(String path) throws IOException, InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        String separator = path.contains("?") ? "&" : "?";
        for (int page = 1;; page++) {
            JsonNode body = get(path + separator + "page_size=100&page=" + page);
            body.path("results").forEach(all::add);
            if (body.path("next").isNull() || body.path("next").isMissingNode() || body.path("results").isEmpty()) {
                return all;
            }
        }
    }

    /** POST that must answer {@code expected}; returns the body (null node when empty). */
    public JsonNode post(String path, Object body, int expected) throws IOException, InterruptedException {
        Response r = send("POST", path, body);
        if (r.status() != expected) {
            throw new AssertionError("POST " + path + " " + JSON.writeValueAsString(body) + " gave " + r.status()
                    + " (expected " + expected + "): " + abbreviate(r.body()));
        }
        return r.json();
    }

    public JsonNode patch(String path, Object body) throws IOException, InterruptedException {
        Response r = send("PATCH", path, body);
        if (r.status() != 200) {
            throw new AssertionError("PATCH " + path + " " + JSON.writeValueAsString(body) + " gave " + r.status()
                    + ": " + abbreviate(r.body()));
        }
        return r.json();
    }

    public ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** {@code path?name=value} with the value URL-encoded (UTF-8). */
    public static String query(String path, String name, String value) {
        return path + (path.contains("?") ? "&" : "?") + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- documents --------------------------------------------------------------------------------

    /**
     * Documents whose label is exactly {@code label}. {@code filter_label} is a case-insensitive
     * substring match in Mayan (MAYAN-FINDINGS.md), so the exact comparison is made here.
     */
    /** The one document labelled exactly {@code label}; waits briefly in case Mayan's listing lags. */
    public JsonNode theDocument(String label) {
        List<List<JsonNode>> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    List<JsonNode> docs = documentsLabelled(label);
                    assertThat(docs).as("documents labelled \"%s\"", label).isNotEmpty();
                    found.add(docs);
                });
        List<JsonNode> docs = found.get(found.size() - 1);
        assertThat(docs)
                .as("documents labelled \"%s\" (exactly one expected)", label).hasSize(1);
        return docs.get(0);
    }

    /**
     * A 6-digit drawing number no document in Mayan carries yet (Mayan keeps earlier runs' drawings;
     * the label filter is case-insensitive, so "Drawing" and "drawing" labels are both seen).
     */
    public String unusedDrawingNumber() throws IOException, InterruptedException {
        for (int i = 0; i < 20; i++) {
            String no = String.valueOf(ThreadLocalRandom.current().nextInt(100_000, 1_000_000));
            if (documentsLabelledLike("drawing " + no + " ").isEmpty()) {
                return no;
            }
        }
        throw new IllegalStateException("no unused drawing number found in 20 tries");
    }

    public List<JsonNode> documentsLabelled(String label) throws IOException, InterruptedException {
        return listAll(query("documents/", "filter_label", label)).stream()
                .filter(d -> label.equals(d.path("label").asText()))
                .toList();
    }

    /** Documents whose label contains {@code part} (Mayan's own substring filter; one request per 100). */
    public List<JsonNode> documentsLabelledLike(String part) throws IOException, InterruptedException {
        return listAll(query("documents/", "filter_label", part));
    }

    /** Metadata of a document: name → value. */
    public Map<String, String> metadata(long documentId) throws IOException, InterruptedException {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode row : listAll("documents/" + documentId + "/metadata/")) {
            JsonNode value = row.path("value");
            values.put(row.path("metadata_type").path("name").asText(), value.isNull() ? null : value.asText());
        }
        return values;
    }

    public List<String> tagLabels(long documentId) throws IOException, InterruptedException {
        return listAll("documents/" + documentId + "/tags/").stream().map(t -> t.path("label").asText()).sorted()
                .toList();
    }

    public List<String> cabinetPaths(long documentId) throws IOException, InterruptedException {
        return listAll("documents/" + documentId + "/cabinets/").stream().map(c -> c.path("full_path").asText())
                .sorted().toList();
    }

    public List<JsonNode> files(long documentId) throws IOException, InterruptedException {
        return listAll("documents/" + documentId + "/files/");
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        return t.length() > 500 ? t.substring(0, 500) + "…" : t;
    }

    private static String stripSlash(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u.endsWith("/api/v4") ? u.substring(0, u.length() - "/api/v4".length()) : u;
    }

    @Override
    public String toString() {
        return "Mayan " + (version.isEmpty() ? "(version unknown)" : version) + " at " + url;
    }
}
