package io.mayaningest.health;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.UploadClient;
import io.mayaningest.testing.UploadClient.Answer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The start-up check of each source's fixed mapping against Mayan: a source whose properties name a
 * document type and a tag Mayan does not have is down in readiness, in the console's API and in its
 * metric, with every missing name and the property to correct; its file waits unread while another
 * source ingests; the names created in Mayan (and the metadata type attached) bring it up without a
 * restart, and the waiting file is ingested, nothing quarantined.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
@WithTestResource(MissingNamesResource.class)
class MappingCheckTest {

    private static final String AUTH = "Bearer " + FakeMayanResource.OPERATOR_TOKEN;

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path plain = FakeMayanResource.inbox("plain");

    @Inject
    Ledger ledger;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aSourceNamingWhatMayanLacksWaitsDownUntilMayanHasItThenIngestsItsFile() throws Exception {
        Map<String, Object> down = await().atMost(Duration.ofSeconds(30)).until(() -> sourcesCheck(),
                data -> "DOWN".equals(data.get("source.ledgers")));
        String reason = (String) down.get("source.ledgers.reason");
        String fix = (String) down.get("source.ledgers.fix");
        assertThat(reason).contains("document type \"Ledger\" does not exist in Mayan")
                .contains("tag \"paid\" does not exist in Mayan")
                // What exists is not listed, and "currency" is only checked once its document type exists.
                .doesNotContain("scanned").doesNotContain("Finance").doesNotContain("currency");
        assertThat(fix).contains("create the document type \"Ledger\" in Mayan or correct ingest.sources.ledgers.document-type")
                .contains("create the tag \"paid\" in Mayan or correct ingest.sources.ledgers.tags");
        assertThat(down.get("source.plain")).isEqualTo("UP");
        assertThat(down.get("source.ledger-api")).isEqualTo("DOWN");
        assertThat(given().get("/q/health/ready").statusCode()).isEqualTo(503);

        Map<String, Object> source = source("ledgers");
        assertThat(source.get("state")).isEqualTo("down");
        assertThat(source.get("reason")).isEqualTo(reason);
        assertThat(source.get("fix")).isEqualTo(fix);
        assertThat(source.get("since")).isNotNull();
        assertThat(source("plain").get("state")).isEqualTo("running");
        // Only the new source's gauge: "plain"'s was missing from /q/metrics when this class ran after other
        // Quarkus apps in the same JVM (it was there when run alone).
        assertThat(metric("ledgers")).isEqualTo("0.0");

        // An upload to the http source with the same missing names: 503, nothing stored, the client keeps it.
        String refused = "refused-" + UUID.randomUUID() + ".pdf";
        Answer answer = new UploadClient(base.toString(), null).upload("ledger-api", refused, pdf(refused), List.of(), null);
        assertThat(answer.status()).as(answer.text()).isEqualTo(503);
        assertThat(answer.body().path("type").asText()).isEqualTo("urn:mayan-ingest:problem:source-down");
        assertThat(answer.body().path("detail").asText()).contains("document type \"Ledger\" does not exist in Mayan")
                .contains("tag \"paid\" does not exist in Mayan");
        assertThat(answer.body().path("fix").asText()).contains("ingest.sources.ledger-api.document-type");
        assertThat(answer.header("Retry-After")).isPresent();
        assertThat(ledger.all()).noneMatch(e -> e.fileName().equals(refused));

        String waiting = "ledger-" + UUID.randomUUID() + ".pdf";
        String other = "other-" + UUID.randomUUID() + ".pdf";
        drop(MissingNamesResource.ledgers, waiting, pdf(waiting));
        drop(plain, other, pdf(other));
        // The other source runs meanwhile.
        awaitDone(plain, other);
        // The file is not even read: no ledger row, nothing in error/, still in its folder.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                Files.exists(MissingNamesResource.ledgers.resolve(waiting))
                        && !Files.exists(MissingNamesResource.ledgers.resolve(".error").resolve(waiting + ".error.json"))
                        && ledger.all().stream().noneMatch(e -> e.fileName().equals(waiting)));

        long type = mayan.createDocumentType("Ledger");
        mayan.createTag("paid");
        // What was missing exists now; the constant metadata value's type is checked next: not attached.
        Map<String, Object> notAttached = await().atMost(Duration.ofSeconds(30)).until(() -> sourcesCheck(),
                data -> String.valueOf(data.get("source.ledgers.reason")).contains("currency"));
        assertThat(notAttached.get("source.ledgers")).isEqualTo("DOWN");
        assertThat((String) notAttached.get("source.ledgers.reason"))
                .isEqualTo("metadata type \"currency\" is not attached to document type \"Ledger\"");
        assertThat((String) notAttached.get("source.ledgers.fix")).contains("remove ingest.sources.ledgers.metadata.currency");
        assertThat(Files.exists(MissingNamesResource.ledgers.resolve(waiting))).isTrue();

        long currency = mayan.metadataTypeId("currency");
        mayan.attachMetadataType(type, currency, false);
        awaitDone(MissingNamesResource.ledgers, waiting);
        FakeDocument document = mayan.documentByLabel(waiting).orElseThrow();
        assertThat(document.documentTypeLabel()).isEqualTo("Ledger");
        assertThat(document.tags()).containsExactly("scanned", "paid");
        assertThat(document.metadata()).containsEntry("currency", "CHF");
        assertThat(document.cabinets()).containsExactly("Finance");
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(sourcesCheck().get("source.ledgers")));
        assertThat(source("ledgers").get("state")).isEqualTo("running");
        assertThat(metric("ledgers")).isEqualTo("1.0");
        assertThat(ledger.all()).noneMatch(e -> e.state() == LedgerState.FAILED);
        // The upload source is up again too (its mapping has no metadata): its upload is accepted.
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(sourcesCheck().get("source.ledger-api")));
        assertThat(new UploadClient(base.toString(), null).upload("ledger-api", refused, pdf(refused), List.of(), null)
                .status()).isEqualTo(202);
        assertThat(MissingNamesResource.ledgers.resolve(".error").resolve(waiting)).doesNotExist();
    }

    private static Map<String, Object> sourcesCheck() {
        JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
        return ready.getMap("checks.find { it.name == 'ingest-sources' }.data");
    }

    private static Map<String, Object> source(String name) {
        List<Map<String, Object>> sources = given().header("Authorization", AUTH).get("/api/sources").then()
                .statusCode(200).extract().jsonPath().getList("sources");
        return sources.stream().filter(s -> name.equals(s.get("name"))).findFirst().orElseThrow();
    }

    private static String metric(String source) {
        String text = given().header("Authorization", AUTH).get("/q/metrics").then().statusCode(200).extract().asString();
        String prefix = "mayan_ingest_source_up{source=\"" + source + "\"} ";
        return text.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "in /q/metrics"));
    }
}
