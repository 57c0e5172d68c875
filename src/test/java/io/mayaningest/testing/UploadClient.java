package io.mayaningest.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A program using the upload API ({@code /api/sources/<name>/documents}) as a script would: a
 * multipart/form-data body (the file streamed from disk, never read whole), then the status URL
 * followed with {@code ?wait=}. Used by the fast tests, the packaged-service ITs and the e2e suite.
 */
public final class UploadClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTP answer: status, headers, the body as JSON (null when it is not JSON). */
    public record Answer(int status, Map<String, List<String>> headers, String text, JsonNode body) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        public List<String> headers(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).toList();
        }
    }

    /** One form field (repeatable: two with the same name are sent as two parts). */
    public record Field(String name, String value) {
    }

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param authorization the Authorization header's value, or null for none */
    public UploadClient(String baseUrl, String authorization) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.authorization = authorization;
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    public static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static Field field(String name, String value) {
        return new Field(name, value);
    }

    public Answer upload(String source, String fileName, byte[] content, List<Field> fields, String idempotencyKey)
            throws IOException, InterruptedException {
        return upload("/api/sources/" + source + "/documents", fileName, HttpRequest.BodyPublishers.ofByteArray(content),
                fields, idempotencyKey);
    }

    /** The file streamed from disk (Content-Length known, nothing read into memory). */
    public Answer upload(String source, String fileName, Path file, List<Field> fields, String idempotencyKey)
            throws IOException, InterruptedException {
        return upload("/api/sources/" + source + "/documents", fileName, HttpRequest.BodyPublishers.ofFile(file), fields,
                idempotencyKey);
    }

    /** Any path (for path-variant tests), file part last, fields first. */
    public Answer upload(String path, String fileName, HttpRequest.BodyPublisher content, List<Field> fields,
            String idempotencyKey) throws IOException, InterruptedException {
        String boundary = "----upload" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder head = new StringBuilder();
        for (Field f : fields) {
            head.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(f.name()).append("\"\r\n\r\n")
                    .append(f.value()).append("\r\n");
        }
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        parts.add(HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8));
        if (fileName != null) {
            parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
                    + " filename=\"" + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n", StandardCharsets.UTF_8));
            parts.add(content);
            parts.add(HttpRequest.BodyPublishers.ofString("\r\n"));
        }
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofMinutes(15))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    public Answer postJson(String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    public Answer get(String url) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : baseUrl + url))
                .timeout(Duration.ofMinutes(3));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /**
     * Follows a status URL with {@code ?wait=10s} until the upload is done or failed; its last status.
     * A service that is down for a moment (a restart) is waited for, too.
     */
    public JsonNode awaitFinal(String statusUrl, Duration max) {
        JsonNode[] last = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(max).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(
                IOException.class).until(() -> {
                    Answer a = get(statusUrl + "?wait=10s");
                    if (a.status() != 200) {
                        return false;
                    }
                    last[0] = a.body();
                    return last[0].path("final").asBoolean();
                });
        return last[0];
    }

    private static Answer answer(HttpResponse<String> response) {
        JsonNode body = null;
        try {
            body = response.body() == null || response.body().isBlank() ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        return new Answer(response.statusCode(), response.headers().map(), response.body(), body);
    }
}
