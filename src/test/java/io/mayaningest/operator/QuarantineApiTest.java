package io.mayaningest.operator;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The operator API as an operator uses it: authenticated, list, show, fix the cause, replay, discard. */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class QuarantineApiTest {

    private static final String AUTH = "Bearer " + FakeMayanResource.OPERATOR_TOKEN;

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path plain = FakeMayanResource.inbox("plain");

    @Inject
    Ledger ledger;

    @Test
    void theApiAndTheMetricsNeedTheOperatorsCredentialsHealthDoesNot() {
        given().get("/api/quarantine").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").get("/api/quarantine").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401);
        given().header("Authorization", AUTH).get("/q/metrics").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().header("Authorization", AUTH).get("/api/quarantine").then().statusCode(200);
    }

    /**
     * Every way of writing a path that some layer (Vert.x, RESTEasy, a proxy) may normalise, sent
     * byte for byte on a socket: without credentials each answers 401, or 404 only when it is 404
     * with credentials too. A quarantined item is the target, so a bypass would replay or discard it.
     */
    @Test
    void everyPathButTheHealthProbesNeedsTheOperatorsCredentials() throws IOException {
        String name = "guarded-" + UUID.randomUUID() + ".pdf";
        drop(plain, name, new byte[0]);
        awaitError(plain, name);
        String id = ledger.all().stream().filter(e -> e.fileName().equals(name)).findFirst().orElseThrow().id();

        List<String> refused = new ArrayList<>();
        List<String> open = new ArrayList<>();
        for (String path : apiVariants("")) {
            check("GET", path, refused, open);
            check("POST", path.replace("/quarantine", "/quarantine/replay"), refused, open);
        }
        for (String path : apiVariants("/" + id)) {
            check("GET", path, refused, open);
            check("DELETE", path, refused, open);
        }
        for (String path : apiVariants("/" + id + "/replay")) {
            check("POST", path, refused, open);
        }
        for (String path : List.of("/q/metrics", "/q/metrics;x=1", "/q/metrics/", "//q/metrics", "/Q/metrics",
                "/q/%6detrics", "/q/health/../metrics", "/q/metrics?name=x", "/q/metrics.", "/q/./metrics")) {
            check("GET", path, refused, open);
        }
        // Variants of the probes' paths, other methods on them, and paths nobody protects by name.
        for (String path : List.of("/q/health/", "/q/health;x=1", "/q/health/live/", "/q//health/live",
                "/q/health/live;x=1", "/q/health/%6cive", "/Q/health", "/q/health/./live", "/q/health/live.",
                "/q/health/group", "/q/health/well", "/q/health-ui", "/q/dev-ui", "/q/openapi", "/q", "/", "/nope",
                UserRoute.PATH, UserRoute.PATH + ";x=1", "/api", "/api/")) {
            check("GET", path, refused, open);
        }
        for (String path : List.of("/q/health", "/q/health/live", UserRoute.PATH)) {
            check("POST", path, refused, open);
            check("DELETE", path, refused, open);
        }

        assertThat(open).as("answered without credentials").isEmpty();
        assertThat(refused).hasSizeGreaterThan(130);
        Ledger.Entry entry = ledger.find(id).orElseThrow();
        assertThat(entry.state()).as("neither replayed nor discarded").isEqualTo(LedgerState.FAILED);
        assertThat(plain.resolve(".error").resolve(name)).exists();

        // The probes themselves stay open; with credentials the real paths work.
        for (String probe : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started")) {
            assertThat(status("GET", probe, null)).as(probe).isIn(200, 503);
            assertThat(status("HEAD", probe, null)).as("HEAD " + probe).isIn(200, 503);
        }
        assertThat(status("GET", "/api/quarantine", AUTH)).isEqualTo(200);
        assertThat(status("GET", "/api/quarantine/" + id, AUTH)).isEqualTo(200);
        assertThat(status("GET", "/q/metrics", AUTH)).isEqualTo(200);
        assertThat(status("GET", UserRoute.PATH, AUTH)).isEqualTo(200);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("operator:" + FakeMayanResource.OPERATOR_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(status("GET", "/api/quarantine/" + id, basic)).isEqualTo(200);
        assertThat(status("GET", "/api/quarantine/" + id, "Basic b3BlcmF0b3I6d3Jvbmc=")).isEqualTo(401);
        assertThat(status("DELETE", "/api/quarantine/" + id, AUTH)).isEqualTo(200);
    }

    private static List<String> apiVariants(String rest) {
        return List.of("/api/quarantine" + rest, "/api;x=1/quarantine" + rest, "/api/quarantine;x=1" + rest,
                "/api/quarantine" + rest + ";x=1", "//api/quarantine" + rest, "/api//quarantine" + rest,
                "/API/quarantine" + rest, "/Api/Quarantine" + rest, "/%61pi/quarantine" + rest,
                "/api/%71uarantine" + rest, "/api%2Fquarantine" + rest, "/api/quarantine" + rest + ".",
                "/api/quarantine" + rest + "/", "/./api/quarantine" + rest, "/api/./quarantine" + rest,
                "/q/health/../../api/quarantine" + rest, "/q/health/%2e%2e/%2e%2e/api/quarantine" + rest,
                "/q/health;x=1/../../api/quarantine" + rest, "/q/health/live/../../../api/quarantine" + rest,
                "/api/quarantine" + rest + "?source=plain");
    }

    /** 401, or 404 when credentials get a 404 too; anything else without credentials is a way in. */
    private static void check(String method, String path, List<String> refused, List<String> open) throws IOException {
        int status = status(method, path, null);
        if (status == 401 || status == 404 && status(method, path, AUTH) == 404) {
            refused.add(method + " " + path);
        } else {
            open.add(method + " " + path + " -> " + status);
        }
    }

    /** The status of a request sent exactly as written: no client library normalises the path. */
    private static int status(String method, String path, String authorization) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            String body = "POST".equals(method) ? "{}" : "";
            String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + (body.isEmpty() ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            if (parts.length < 2) {
                throw new IOException(method + " " + path + ": no status line but \"" + line + "\"");
            }
            return Integer.parseInt(parts[1]);
        }
    }

    @Test
    void aQuarantinedItemIsReplayedAfterItsCauseIsFixedAndArrivesOnce() throws IOException {
        String type = "Contract-" + UUID.randomUUID().toString().substring(0, 8);
        String name = "contract-" + UUID.randomUUID() + ".pdf";
        drop(plain, name + ".json", "{\"document_type\": \"" + type + "\"}");
        drop(plain, name, pdf(name));
        awaitError(plain, name);
        String id = ledger.all().stream().filter(e -> e.fileName().equals(name)).findFirst().orElseThrow().id();

        given().header("Authorization", AUTH).get("/api/quarantine").then().statusCode(200)
                .body("items.id", hasItem(id));
        given().header("Authorization", AUTH).get("/api/quarantine/" + id).then().statusCode(200)
                .body("state", equalTo("FAILED"))
                .body("mapping.documentType", equalTo(type))
                .body("reason", org.hamcrest.Matchers.containsString("document type \"" + type + "\" does not exist"));

        mayan.createDocumentType(type);
        given().header("Authorization", AUTH).contentType(ContentType.JSON)
                .body("{\"reason\": \"created the document type in Mayan\"}")
                .post("/api/quarantine/" + id + "/replay").then().statusCode(202);

        awaitDone(plain, name);
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(name)).hasSize(1)
                .allMatch(d -> d.documentTypeLabel().equals(type));
        await().atMost(Duration.ofSeconds(10)).until(() -> ledger.find(id).orElseThrow().state() == LedgerState.DONE);
        assertThat(plain.resolve(".error").resolve(name + ".error.json")).doesNotExist();
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{}")
                .post("/api/quarantine/" + id + "/replay").then().statusCode(409);
    }

    @Test
    void aDocumentTrashedWhileItsFileIsAwaitedIsUploadedAgainOnReplay() throws IOException {
        String name = "trashed-" + UUID.randomUUID() + ".pdf";
        long first = uploadAndTrashWhileProcessing(name);

        JsonNode report = awaitError(plain, name);
        assertThat(report.path("reason").asText()).contains("document " + first + ", created in Mayan for \"" + name)
                .contains("was moved to Mayan's trash while the service waited for Mayan to process its file");
        assertThat(report.path("fix").asText()).contains("uploads the file again as a new document")
                .contains("restore it from Mayan's trash before the replay");
        String id = ledger.all().stream().filter(e -> e.fileName().equals(name)).findFirst().orElseThrow().id();

        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{\"reason\": \"it was trashed by mistake\"}")
                .post("/api/quarantine/" + id + "/replay").then().statusCode(202);

        awaitDone(plain, name);
        await().atMost(Duration.ofSeconds(10)).until(() -> ledger.find(id).orElseThrow().state() == LedgerState.DONE);
        FakeDocument again = mayan.documentByLabel(name).orElseThrow();
        assertThat(again.id()).isNotEqualTo(first);
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(name)).hasSize(1);
        assertThat(mayan.isTrashed(first)).isTrue();
        assertThat(ledger.find(id).orElseThrow().documentId()).isEqualTo(again.id());
    }

    @Test
    void aTrashedDocumentRestoredBeforeTheReplayIsResumedNotUploadedAgain() throws IOException {
        String name = "restored-" + UUID.randomUUID() + ".pdf";
        long first = uploadAndTrashWhileProcessing(name);
        awaitError(plain, name);
        String id = ledger.all().stream().filter(e -> e.fileName().equals(name)).findFirst().orElseThrow().id();
        int uploads = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);

        mayan.restoreDocument(first);
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{\"reason\": \"restored it\"}")
                .post("/api/quarantine/" + id + "/replay").then().statusCode(202);

        awaitDone(plain, name);
        await().atMost(Duration.ofSeconds(10)).until(() -> ledger.find(id).orElseThrow().state() == LedgerState.DONE);
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(name)).hasSize(1)
                .allMatch(d -> d.id() == first);
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD)).isEqualTo(uploads);
    }

    /** Drops a file and trashes its document in Mayan while Mayan has not processed its file yet. */
    private long uploadAndTrashWhileProcessing(String name) throws IOException {
        mayan.setProcessingPaused(true);
        try {
            drop(plain, name, pdf(name));
            await().atMost(Duration.ofSeconds(30)).until(() -> mayan.documentByLabel(name).isPresent());
            long id = mayan.documentByLabel(name).orElseThrow().id();
            mayan.trashDocument(id);
            return id;
        } finally {
            mayan.setProcessingPaused(false);
        }
    }

    @Test
    void aQuarantinedItemCanBeDiscarded() throws IOException {
        String name = "discard-" + UUID.randomUUID() + ".pdf";
        drop(plain, name, new byte[0]);
        awaitError(plain, name);
        String id = ledger.all().stream().filter(e -> e.fileName().equals(name)).findFirst().orElseThrow().id();

        given().header("Authorization", AUTH).delete("/api/quarantine/" + id).then().statusCode(200);

        assertThat(Files.exists(plain.resolve(".error").resolve(name))).isFalse();
        assertThat(Files.exists(plain.resolve(".error").resolve(name + ".error.json"))).isFalse();
        assertThat(ledger.find(id).orElseThrow().state()).isEqualTo(LedgerState.DISCARDED);
        given().header("Authorization", AUTH).get("/api/quarantine/nope").then().statusCode(404);
    }
}
