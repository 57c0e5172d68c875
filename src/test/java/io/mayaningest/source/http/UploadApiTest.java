package io.mayaningest.source.http;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static io.mayaningest.testing.UploadClient.basic;
import static io.mayaningest.testing.UploadClient.bearer;
import static io.mayaningest.testing.UploadClient.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.mayan.MayanGate;
import io.mayaningest.source.route.EventTapRoutes;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.UploadClient;
import io.mayaningest.testing.UploadClient.Answer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The upload API as a program uses it, against the Mayan test double: names in, a status URL out, every
 * problem at once, the clients of each source, idempotent retries, Mayan unreachable, quarantine and replay.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class UploadApiTest {

    private static final Duration FINAL = Duration.ofSeconds(40);

    private final FakeMayan mayan = FakeMayanResource.mayan();

    @TestHTTPResource("/")
    URL base;

    @Inject
    Ledger ledger;

    @Inject
    MayanGate gate;

    @Inject
    HttpIntake intake;

    private UploadClient scanner() {
        return new UploadClient(base.toString(), bearer(FakeMayanResource.SCANNER_TOKEN));
    }

    private UploadClient as(String authorization) {
        return new UploadClient(base.toString(), authorization);
    }

    private List<Ledger.Entry> rowsOf(String fileName) {
        return ledger.all().stream().filter(e -> fileName.equals(e.fileName())).toList();
    }

    @Test
    void anUploadByNamesIsFollowedToDoneThroughItsStatusUrl() throws Exception {
        String no = String.valueOf(100000 + (int) (Math.random() * 800000));
        String label = "Invoice " + no + " " + UUID.randomUUID();
        byte[] content = pdf(label);
        Answer accepted = scanner().upload("scans", "invoice-" + no + ".pdf", content, List.of(
                field("document_type", "Invoice"),
                field("label", label),
                field("description", "From the front desk"),
                field("language", "deu"),
                field("metadata", "{\"invoice_number\": \"" + no + "\"}"),
                field("metadata.currency", "CHF"),
                field("tags", "urgent"),
                field("tags", "engineering"),
                field("cabinets", "Finance")), null);

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        String statusUrl = accepted.body().path("statusUrl").asText();
        assertThat(accepted.header("Location")).contains(statusUrl);
        assertThat(statusUrl).endsWith("/api/sources/scans/documents/" + accepted.body().path("ingestId").asText());
        assertThat(accepted.body().path("status").asText()).isEqualTo("validated");

        JsonNode status = scanner().awaitFinal(statusUrl, FINAL);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("done");
        FakeDocument doc = mayan.document(status.path("documentId").asLong()).orElseThrow();
        assertThat(doc.label()).isEqualTo(label);
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.description()).isEqualTo("From the front desk");
        assertThat(doc.language()).isEqualTo("deu");
        assertThat(doc.metadata()).containsEntry("invoice_number", no).containsEntry("currency", "CHF");
        assertThat(doc.tags()).containsExactlyInAnyOrder("urgent", "engineering");
        assertThat(doc.cabinets()).containsExactly("Finance");
        assertThat(status.path("fileId").asLong()).isEqualTo(doc.latestFile().orElseThrow().id());
        assertThat(status.path("checksum").asText()).isEqualTo(sha256(content))
                .isEqualTo(doc.latestFile().orElseThrow().checksum());
        assertThat(status.path("documentUrl").asText())
                .isEqualTo(mayan.baseUrl() + "/#/documents/documents/" + doc.id() + "/preview/");
        assertThat(status.path("documentApiUrl").asText()).isEqualTo(mayan.apiUrl() + "/documents/" + doc.id() + "/");
        // One ledger row for the request, acknowledged (its spooled copy removed).
        List<Ledger.Entry> rows = rowsOf("invoice-" + no + ".pdf");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).sourceKind()).isEqualTo("http");
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.find(rows.get(0).id()).orElseThrow().acknowledgedAt() != null);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(rows.get(0).payloadRef()))).isFalse();
        // The result event every source's items get.
        String id = rows.get(0).id();
        await().atMost(Duration.ofSeconds(10)).until(() -> EventTapRoutes.EVENTS.stream()
                .anyMatch(e -> e.startsWith("done ") && e.contains(id) && e.contains("\"documentId\":" + doc.id())));
    }

    @Test
    void whatTheRequestLeavesOutTheSourcesMappingFillsIn() throws Exception {
        String name = "memo-" + UUID.randomUUID() + ".pdf";
        Answer accepted = as(basic("erp", FakeMayanResource.ERP_PASSWORD)).upload("scans", name, pdf(name), List.of(), null);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        JsonNode status = scanner().awaitFinal(accepted.body().path("statusUrl").asText(), FINAL);
        assertThat(status.path("status").asText()).isEqualTo("done");
        FakeDocument doc = mayan.document(status.path("documentId").asLong()).orElseThrow();
        assertThat(doc.label()).isEqualTo("Scan " + name.substring(0, name.length() - 4));
        assertThat(doc.documentTypeLabel()).isEqualTo("Default");
        assertThat(doc.tags()).containsExactly("scanned");
    }

    @Test
    void aNewFileOfAnExistingDocumentGoesThroughMayans202AndItsStatusNamesTheNewFile() throws Exception {
        String label = "Contract " + UUID.randomUUID();
        Answer first = scanner().upload("scans", "contract.pdf", pdf(label + " v1"), List.of(field("label", label)), null);
        JsonNode created = scanner().awaitFinal(first.body().path("statusUrl").asText(), FINAL);
        long documentId = created.path("documentId").asLong();
        long firstFile = created.path("fileId").asLong();
        mayan.clearRequests();

        byte[] v2 = pdf(label + " v2");
        Answer second = scanner().upload("scans", "contract-v2.pdf", v2, List.of(
                field("document_id", String.valueOf(documentId)), field("action", "replace")), null);
        assertThat(second.status()).as(second.text()).isEqualTo(202);
        JsonNode status = scanner().awaitFinal(second.body().path("statusUrl").asText(), FINAL);

        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("done");
        assertThat(status.path("documentId").asLong()).isEqualTo(documentId);
        FakeDocument doc = mayan.document(documentId).orElseThrow();
        assertThat(doc.files()).hasSize(2);
        assertThat(status.path("fileId").asLong()).isNotEqualTo(firstFile).isEqualTo(doc.latestFile().orElseThrow().id());
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(v2));
        // Through Mayan's new-file endpoint (202, empty body), not a new document.
        assertThat(mayan.count("POST", java.util.regex.Pattern.quote(FakeMayan.DOCUMENT_FILE_UPLOAD) + ".*")).isEqualTo(1);
        assertThat(mayan.count("POST", java.util.regex.Pattern.quote(FakeMayan.DOCUMENT_UPLOAD) + ".*")).isZero();
    }

    @Test
    void aRequestWithSeveralProblemsIsRefusedWith422ListingEveryOneAndNothingIsStored() throws Exception {
        String name = "bad-" + UUID.randomUUID() + ".pdf";
        int documents = mayan.documents().size();
        Answer refused = scanner().upload("scans", name, pdf(name), List.of(
                field("document_type", "Invoice"),
                field("metadata", "{\"currency\": \"YEN\", \"orphan\": \"x\", \"no_such_type\": \"1\"}"),
                field("tags", "urgent,no-such-tag"),
                field("cabinets", "Nowhere/Land"),
                field("document_type_id", "3")), null);

        assertThat(refused.status()).as(refused.text()).isEqualTo(422);
        assertThat(refused.header("Content-Type")).contains("application/problem+json");
        JsonNode problem = refused.body();
        assertThat(problem.path("type").asText()).isEqualTo("urn:mayan-ingest:problem:invalid-upload");
        assertThat(problem.path("status").asInt()).isEqualTo(422);
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> {
            fields.add(e.path("field").asText());
            assertThat(e.path("reason").asText()).isNotBlank();
            assertThat(e.path("fix").asText()).isNotBlank();
        });
        System.out.println("UPLOAD API 422: " + problem.toPrettyString());
        assertThat(fields).containsExactlyInAnyOrder("document_type_id", "metadata.currency", "metadata.orphan",
                "metadata.no_such_type", "metadata.invoice_number", "tags", "cabinets");
        assertThat(problem.toString()).contains("YEN", "EUR, USD, CHF", "no-such-tag", "Nowhere/Land",
                "is required for document type", "not attached");
        assertThat(mayan.documents()).hasSize(documents);
        assertThat(rowsOf(name)).isEmpty();

        Answer more = scanner().upload("scans", name, pdf(name), List.of(field("document_id", "abc"),
                field("action", "overwrite"), field("metadata", "not json"), field("label", "a"), field("label", "b")), null);
        assertThat(more.status()).as(more.text()).isEqualTo(422);
        List<String> moreFields = new ArrayList<>();
        more.body().path("errors").forEach(e -> moreFields.add(e.path("field").asText()));
        assertThat(moreFields).contains("document_id", "action", "metadata", "label");

        Answer noFile = scanner().upload("scans", null, new byte[0], List.of(field("label", "x")), null);
        assertThat(noFile.status()).isEqualTo(422);
        assertThat(noFile.body().path("errors").get(0).path("field").asText()).isEqualTo("file");
    }

    @Test
    void withoutCredentials401WithAClientTheSourceDoesNotAllow403() throws Exception {
        byte[] content = pdf("auth " + UUID.randomUUID());
        Answer none = as(null).upload("scans", "a.pdf", content, List.of(), null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers("WWW-Authenticate")).anyMatch(h -> h.startsWith("Bearer")).anyMatch(h -> h.startsWith("Basic"));
        assertThat(none.body().path("type").asText()).isEqualTo("urn:mayan-ingest:problem:unauthenticated");
        assertThat(as(bearer("wrong")).upload("scans", "a.pdf", content, List.of(), null).status()).isEqualTo(401);
        assertThat(as(basic("erp", "wrong")).upload("scans", "a.pdf", content, List.of(), null).status()).isEqualTo(401);
        // The operator's credentials are not an API client's.
        assertThat(as(bearer(FakeMayanResource.OPERATOR_TOKEN)).upload("scans", "a.pdf", content, List.of(), null).status())
                .isEqualTo(401);
        Answer outsider = as(bearer(FakeMayanResource.OUTSIDER_TOKEN)).upload("scans", "a.pdf", content, List.of(), null);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(outsider.body().path("detail").asText()).contains("outsider", "scans");
        // erp may use scans, not patient.
        assertThat(as(basic("erp", FakeMayanResource.ERP_PASSWORD)).upload("patient", "a.pdf", content, List.of(), null)
                .status()).isEqualTo(403);
        assertThat(as(null).get("/api/sources/scans/documents/" + UUID.randomUUID()).status()).isEqualTo(401);
        assertThat(as(bearer(FakeMayanResource.OUTSIDER_TOKEN)).get("/api/sources/scans/documents/" + UUID.randomUUID())
                .status()).isEqualTo(403);

        // Path variants are not the upload API's exact path: neither the client's nor the operator's token gets through.
        for (String path : List.of("/api/sources/scans/documents;x=1", "/api/sources;x=1/scans/documents",
                "//api/sources/scans/documents", "/api//sources/scans/documents", "/api/sources/sc%61ns/documents",
                "/api/sources/./scans/documents", "/api/sources/x/../scans/documents", "/api/sources/scans/documents/",
                "/api/sources/scans/%64ocuments", "/API/sources/scans/documents")) {
            for (String auth : List.of(bearer(FakeMayanResource.SCANNER_TOKEN), bearer(FakeMayanResource.OPERATOR_TOKEN))) {
                Answer a = as(auth).upload(path, "a.pdf", HttpRequest.BodyPublishers.ofByteArray(content), List.of(), null);
                assertThat(a.status()).as(path + " with " + auth.substring(0, 12) + ": " + a.text()).isIn(401, 404, 405);
            }
        }
        assertThat(rowsOf("a.pdf")).isEmpty();

        // An API client's token opens nothing of the operator's.
        for (String path : List.of("/api/items", "/api/quarantine", "/api/sources", "/q/metrics", "/q/openapi")) {
            assertThat(scanner().get(path).status()).as(path).isEqualTo(401);
        }
        // A source that says so is open to anyone.
        String name = "anonymous-" + UUID.randomUUID() + ".pdf";
        Answer open = as(null).upload("open-drop", name, pdf(name), List.of(), null);
        assertThat(open.status()).as(open.text()).isEqualTo(202);
        assertThat(as(null).awaitFinal(open.body().path("statusUrl").asText(), FINAL).path("status").asText()).isEqualTo("done");
    }

    @Test
    void anIdempotencyKeyRetriedFiveTimesAtOnceMakesOneDocument() throws Exception {
        String key = UUID.randomUUID().toString();
        String label = "Retried " + key;
        byte[] content = pdf(label);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<Answer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Callable<Answer> call = () -> scanner().upload("scans", "retried.pdf", content, List.of(field("label", label)), key);
                answers.add(pool.submit(call));
            }
            List<String> ids = new ArrayList<>();
            for (Future<Answer> f : answers) {
                Answer a = f.get();
                assertThat(a.status()).as(a.text()).isEqualTo(202);
                ids.add(a.body().path("ingestId").asText());
            }
            assertThat(ids).as("one ingest for all five").containsOnly(ids.get(0));
            JsonNode status = scanner().awaitFinal(answers.get(0).get().body().path("statusUrl").asText(), FINAL);
            assertThat(status.path("status").asText()).isEqualTo("done");
            assertThat(mayan.documents().stream().filter(d -> d.label().equals(label))).hasSize(1);
            assertThat(ledger.all().stream().filter(e -> label.equals(e.label()))).hasSize(1);

            Answer again = scanner().upload("scans", "retried.pdf", content, List.of(field("label", label)), key);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.body().path("status").asText()).isEqualTo("done");
            assertThat(again.header("Idempotent-Replayed")).contains("true");
            Answer other = scanner().upload("scans", "retried.pdf", pdf("other " + key), List.of(field("label", label)), key);
            assertThat(other.status()).as(other.text()).isEqualTo(409);
            assertThat(other.body().path("detail").asText()).contains(ids.get(0));
            // Keys are the client's own: another client with the same key is another upload.
            Answer erp = as(basic("erp", FakeMayanResource.ERP_PASSWORD)).upload("scans", "retried.pdf",
                    pdf("erp " + key), List.of(field("label", label + " erp")), key);
            assertThat(erp.status()).isEqualTo(202);
            assertThat(erp.body().path("ingestId").asText()).isNotEqualTo(ids.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whileMayanIsUnreachableNewUploadsGet503WithRetryAfterUnlessTheSourceSpools() throws Exception {
        String refusedName = "outage-" + UUID.randomUUID() + ".pdf";
        String spooledName = "spooled-" + UUID.randomUUID() + ".pdf";
        mayan.setUnreachable(true);
        Answer spooled;
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !gate.probe().open());
            Answer refused = scanner().upload("scans", refusedName, pdf(refusedName), List.of(), null);
            assertThat(refused.status()).as(refused.text()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThat(refused.body().path("type").asText()).isEqualTo("urn:mayan-ingest:problem:mayan-unavailable");
            assertThat(rowsOf(refusedName)).isEmpty();

            spooled = scanner().upload("patient", spooledName, pdf(spooledName), List.of(), null);
            assertThat(spooled.status()).as(spooled.text()).isEqualTo(202);
            assertThat(spooled.body().path("status").asText()).isEqualTo("received");
            JsonNode waiting = scanner().get(spooled.body().path("statusUrl").asText()).body();
            assertThat(waiting.path("final").asBoolean()).isFalse();
        } finally {
            mayan.setUnreachable(false);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> gate.probe().open());
        JsonNode status = scanner().awaitFinal(spooled.body().path("statusUrl").asText(), FINAL);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("done");
        assertThat(mayan.document(status.path("documentId").asLong()).orElseThrow().label()).isEqualTo(spooledName);
    }

    @Test
    void aFailureAfterAcceptanceIsQuarantinedWithItsReasonInTheStatusAndAReplayFinishesIt() throws Exception {
        String name = "refused-later-" + UUID.randomUUID() + ".pdf";
        mayan.failNext("POST", java.util.regex.Pattern.quote(FakeMayan.DOCUMENT_UPLOAD) + ".*", 400, 1);
        Answer accepted = scanner().upload("scans", name, pdf(name), List.of(), null);
        assertThat(accepted.status()).isEqualTo(202);
        String statusUrl = accepted.body().path("statusUrl").asText();
        JsonNode failed = scanner().awaitFinal(statusUrl, FINAL);
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("failure").path("reason").asText()).isNotBlank();
        assertThat(failed.path("failure").path("fix").asText()).isNotBlank();
        String id = accepted.body().path("ingestId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> EventTapRoutes.EVENTS.stream()
                .anyMatch(e -> e.startsWith("failed ") && e.contains(id)));

        Answer replay = new UploadClient(base.toString(), bearer(FakeMayanResource.OPERATOR_TOKEN)).postJson(
                "/api/quarantine/" + accepted.body().path("ingestId").asText() + "/replay", "{\"reason\": \"test\"}");
        assertThat(replay.status()).as(replay.text()).isEqualTo(202);
        JsonNode done = scanner().awaitFinal(statusUrl, FINAL);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
        assertThat(mayan.documents().stream().filter(d -> d.label().equals("Scan " + name.replace(".pdf", "")))).hasSize(1);
    }

    @Test
    void aFileLargerThanTheSourcesLimitIsRefusedWhileItArrives() throws Exception {
        byte[] big = new byte[9 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        Answer refused = scanner().upload("scans", "big.bin", big, List.of(), null);
        assertThat(refused.status()).as(refused.text()).isEqualTo(413);
        assertThat(refused.body().path("detail").asText()).contains(String.valueOf(8L * 1024 * 1024));
        assertThat(rowsOf("big.bin")).isEmpty();
    }

    @Test
    void theApiIsDescribedAtQOpenapiForTheOperator() throws Exception {
        Answer openapi = new UploadClient(base.toString(), bearer(FakeMayanResource.OPERATOR_TOKEN)).get("/q/openapi?format=json");
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(openapi.text()).contains("/api/sources/{source}/documents", "/api/sources/{source}/documents/{ingestId}",
                "Idempotency-Key", "multipart/form-data", "document_type", "invalid-upload", "Retry-After");
    }

    @Test
    void theStatusOfAnUnknownUploadIs404AndABadWaitIs400() throws Exception {
        assertThat(scanner().get("/api/sources/scans/documents/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(scanner().get("/api/sources/scans/documents/" + UUID.randomUUID() + "?wait=forever").status()).isEqualTo(400);
    }

    @Test
    void aRowWhoseRequestIsStillBeingDecidedIsLeftToThatRequestByTheResumeTimer() throws Exception {
        String label = "Deciding " + UUID.randomUUID();
        byte[] content = pdf(label);
        java.nio.file.Path spooled = java.nio.file.Files.createTempFile("deciding", ".pdf");
        java.nio.file.Files.write(spooled, content);
        java.nio.file.Path neighbour = java.nio.file.Files.createTempFile(spooled.getParent(), "neighbour", ".txt");
        io.mayaningest.core.IngestRequest item = new io.mayaningest.core.IngestRequest();
        item.setSourceName("scans");
        item.setSourceKind(HttpSourceRoutes.KIND);
        item.setSourceKey(HttpIntake.UPLOAD_PREFIX + UUID.randomUUID());
        item.setFileName("deciding.pdf");
        item.setPayload(spooled);
        item.setSize(content.length);
        item.setSha256(sha256(content));
        item.setDocumentType("Drawing");
        item.setLabel(label);
        String id = UUID.randomUUID().toString();
        // As UploadResource does: marked before the row exists; the row then has its mapping, so only the
        // mark keeps resume() from handing it over while its request has not yet done so itself.
        intake.accepting(id);
        ledger.beginAs(item, id);
        ledger.validated(item);
        intake.resume();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> ledger.find(id).orElseThrow().state() == io.mayaningest.core.LedgerState.VALIDATED);
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(label));

        intake.accepted(id);
        intake.resume();
        await().atMost(FINAL).until(() -> ledger.find(id).orElseThrow().state() == io.mayaningest.core.LedgerState.DONE);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(label))).hasSize(1);
        // Its payload was not in a spool folder of its own (named by a UUID): only the file goes, not its folder.
        await().atMost(Duration.ofSeconds(5)).until(() -> !java.nio.file.Files.exists(spooled));
        assertThat(neighbour).exists();
        java.nio.file.Files.delete(neighbour);
    }
}
