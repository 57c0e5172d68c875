package io.mayaningest.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The benchmark's yardstick: a hand-written client of Mayan's REST API that makes the calls a careful
 * script makes for a drawing (upload through the sources action API, poll the document until the file shows our checksum, two
 * metadata values, a tag, a cabinet), with the ids looked up once. It is pipelined: up to
 * {@code concurrency} documents are in flight, and a poll's wait holds no thread
 * ({@code CompletableFuture.delayedExecutor}), which is the fastest way a plain client can drive Mayan.
 * It does none of what the service adds (ledger, validation, quarantine, acknowledgement).
 */
public final class RawClient {

    /** One document to ingest: the file, its label, its metadata values and its SHA-256. */
    public record Item(Path file, String label, String drawingNo, String revision, String sha256) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String api;
    private final String authorization;
    private final Duration firstPoll;
    private final Duration nextPoll;
    private final Map<String, Integer> calls = new ConcurrentHashMap<>();
    private final AtomicInteger throttled = new AtomicInteger();

    private long sourceId;
    private long typeId;
    private long drawingNoId;
    private long revisionId;
    private long tagId;
    private long cabinetId;

    public RawClient(String baseUrl, String token, Duration firstPoll, Duration nextPoll) {
        this.api = baseUrl.replaceAll("/+$", "") + "/api/v4/";
        this.authorization = "Token " + token;
        this.firstPoll = firstPoll;
        this.nextPoll = nextPoll;
    }

    /** The ids, once, by exact label (every page read would be one call each on a larger Mayan). */
    public RawClient lookUp(String type, String tag, String cabinetPath) throws IOException, InterruptedException {
        sourceId = idOf("sources/", "label", "Default");
        typeId = idOf("document_types/", "label", type);
        drawingNoId = idOf("metadata_types/", "name", "drawing_no");
        revisionId = idOf("metadata_types/", "name", "revision");
        tagId = idOf("tags/", "label", tag);
        cabinetId = idOf("cabinets/", "full_path", cabinetPath);
        return this;
    }

    /** Ingests every item with at most {@code concurrency} in flight; returns when all are done. */
    public void run(List<Item> items, int concurrency) {
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<Void>> all = new java.util.ArrayList<>();
        for (Item item : items) {
            slots.acquireUninterruptibly();
            all.add(ingest(item).whenComplete((v, e) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    public Map<String, Integer> calls() {
        return Map.copyOf(calls);
    }

    public int throttled() {
        return throttled.get();
    }

    private CompletableFuture<Void> ingest(Item item) {
        return upload(item)
                .thenCompose(id -> awaitChecksum(id, item.sha256(), firstPoll).thenApply(v -> id))
                .thenCompose(id -> post("documents/" + id + "/metadata/", "documents/{id}/metadata/",
                        Map.of("metadata_type_id", drawingNoId, "value", item.drawingNo())).thenApply(v -> id))
                .thenCompose(id -> post("documents/" + id + "/metadata/", "documents/{id}/metadata/",
                        Map.of("metadata_type_id", revisionId, "value", item.revision())).thenApply(v -> id))
                .thenCompose(id -> post("documents/" + id + "/tags/attach/", "documents/{id}/tags/attach/",
                        Map.of("tag", tagId)).thenApply(v -> id))
                .thenCompose(id -> post("cabinets/" + cabinetId + "/documents/add/", "cabinets/{id}/documents/add/",
                        Map.of("document", id)))
                .thenApply(v -> null);
    }

    private CompletableFuture<Long> upload(Item item) {
        String boundary = "raw-" + UUID.randomUUID();
        String arguments;
        try {
            arguments = JSON.writeValueAsString(Map.of("document_type_id", typeId, "label", item.label(),
                    "immediate_mode", true));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        // The sources action API with immediate_mode, as the service uses it (documents/upload/ is deprecated
        // in 4.12): one JSON field "arguments" and the file part; the answer is the new document.
        String head = part(boundary, "arguments", arguments)
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + item.file().getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        HttpRequest request;
        try {
            request = request("sources/" + sourceId + "/actions/document_upload/execute/")
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    // Streamed from the file: the body is never in memory.
                    .POST(BodyPublishers.concat(BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                            BodyPublishers.ofFile(item.file()),
                            BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8)))
                    .build();
        } catch (java.io.FileNotFoundException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(request, "POST sources/{id}/actions/document_upload/execute/").thenApply(body -> body.path("id").asLong());
    }

    private CompletableFuture<Void> awaitChecksum(long id, String sha256, Duration wait) {
        Executor later = CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> null, later)
                .thenCompose(v -> send(request("documents/" + id + "/").GET().build(), "GET documents/{id}/"))
                .thenCompose(document -> sha256.equals(document.path("file_latest").path("checksum").asText(null))
                        ? CompletableFuture.completedFuture(null)
                        : awaitChecksum(id, sha256, nextPoll));
    }

    private CompletableFuture<Void> post(String path, String template, Map<String, Object> body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(request(path).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json)).build(), "POST " + template).thenApply(v -> null);
    }

    /** Sends, counting the call; a 429 is waited out (Retry-After) and sent again, as Mayan asks. */
    private CompletableFuture<JsonNode> send(HttpRequest request, String endpoint) {
        calls.merge(endpoint, 1, Integer::sum);
        return http.sendAsync(request, BodyHandlers.ofString()).thenCompose(response -> {
            if (response.statusCode() == 429) {
                throttled.incrementAndGet();
                long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
                Executor later = CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS);
                return CompletableFuture.supplyAsync(() -> null, later).thenCompose(v -> send(request, endpoint));
            }
            if (response.statusCode() >= 300) {
                return CompletableFuture.failedFuture(new IOException(endpoint + " answered " + response.statusCode()
                        + ": " + response.body()));
            }
            try {
                String text = response.body();
                return CompletableFuture.completedFuture(text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    private long idOf(String path, String field, String value) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(path + "?page_size=100").GET().build(), BodyHandlers.ofString());
        // Right after the service's arm Mayan may still throttle this user: wait it out as Mayan asks.
        for (int i = 0; i < 30 && response.statusCode() == 429; i++) {
            Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
            response = http.send(request(path + "?page_size=100").GET().build(), BodyHandlers.ofString());
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        for (JsonNode row : JSON.readTree(response.body()).path("results")) {
            if (value.equals(row.path(field).asText())) {
                return row.path("id").asLong();
            }
        }
        throw new IllegalStateException("no " + path + " with " + field + " " + value + " in Mayan");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization).header("Accept", "application/json");
    }

    private static String part(String boundary, String name, String value) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }
}
