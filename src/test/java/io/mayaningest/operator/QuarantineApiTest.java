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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.ledger.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
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
