package io.mayaningest.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.mayaningest.Fixtures;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.RecordedRequest;

/**
 * The Mayan test double as a process of its own, for the benchmark: the service, the raw client and
 * the double must not share a JVM (or its JIT and GC) when they are compared. Prints one line
 * {@code READY <mayan url> <admin url>}; the admin URL answers {@code GET /summary} with the
 * documents, how many are complete, and the calls by endpoint template.
 * <p>
 * Arguments: {@code <token> <processing delay in ms>}; the delay is split between the file appearing
 * (two thirds) and its checksum (one third), as Mayan's Celery tasks do it in two steps.
 */
public final class FakeMayanServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeMayanServer() {
    }

    public static void main(String[] args) throws Exception {
        String token = args.length > 0 ? args[0] : "bench-token";
        long delayMs = args.length > 1 ? Long.parseLong(args[1]) : 300;
        FakeMayan mayan = FakeMayan.start().withToken(token);
        mayan.setFileAppearDelay(Duration.ofMillis(delayMs * 2 / 3)).setChecksumDelay(Duration.ofMillis(delayMs / 3));
        Fixtures.create(mayan);
        HttpServer admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        admin.createContext("/summary", exchange -> answer(exchange, summary(mayan)));
        admin.start();
        System.out.println("READY " + mayan.baseUrl() + " http://127.0.0.1:" + admin.getAddress().getPort());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** Documents, complete ones (file with checksum, 2 metadata, a tag, a cabinet) and calls by template. */
    static ObjectNode summary(FakeMayan mayan) {
        int complete = 0;
        Map<String, Integer> labels = new TreeMap<>();
        for (FakeDocument d : mayan.documents()) {
            labels.merge(d.label(), 1, Integer::sum);
            boolean processed = d.latestFile().map(f -> f.checksum() != null && f.checksum().equals(f.sha256()))
                    .orElse(false);
            if (processed && d.metadata().size() >= 2 && !d.tags().isEmpty() && !d.cabinets().isEmpty()) {
                complete++;
            }
        }
        Map<String, Integer> calls = new TreeMap<>();
        int total = 0;
        int throttled = 0;
        for (RecordedRequest r : mayan.requests()) {
            calls.merge(r.method() + " " + template(r.pathWithoutQuery()), 1, Integer::sum);
            total++;
            if (r.status() == 429) {
                throttled++;
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("documents", mayan.documents().size());
        out.put("labels", labels.size());
        out.put("complete", complete);
        out.put("duplicated", labels.values().stream().mapToInt(c -> c - 1).sum());
        out.put("calls", total);
        out.put("throttled", throttled);
        ObjectNode byEndpoint = out.putObject("byEndpoint");
        calls.forEach(byEndpoint::put);
        return out;
    }

    /** {@code /api/v4/documents/12/metadata/} becomes {@code documents/{id}/metadata/}. */
    static String template(String path) {
        String p = path.startsWith("/api/v4/") ? path.substring("/api/v4/".length()) : path;
        return p.replaceAll("/\\d+/", "/{id}/").replaceAll("^\\d+/", "{id}/");
    }

    private static void answer(HttpExchange exchange, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
