package io.mayaningest.console;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The console's JSON API as a script uses it: items found by source, state and name or id; sources with today's counts. */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class ConsoleApiTest {

    private static final String AUTH = "Bearer " + FakeMayanResource.OPERATOR_TOKEN;

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path plain = FakeMayanResource.inbox("plain");

    @Inject
    Ledger ledger;

    @Test
    void withoutCredentialsTheConsoleApiAnswers401WhateverThePath() {
        for (String path : List.of("/api/items", "/api/sources", "/api;x=1/items", "/api/items;x=1", "//api/sources",
                "/api/./items", "/API/items", "/api/%69tems", "/api/items/")) {
            assertThat(given().urlEncodingEnabled(false).get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(given().urlEncodingEnabled(false).header("Authorization", "Bearer wrong").get(path).statusCode())
                    .as(path).isEqualTo(401);
        }
    }

    @Test
    void theLoginFormGivesAStrictHttpOnlySessionThatMayChangeThingsOnlyWithTheConsoleHeader() throws IOException {
        given().header("Accept", "text/html").get("/").then().statusCode(401)
                .body(containsString("<form method=\"post\" action=\"/login\""));
        given().contentType("application/x-www-form-urlencoded").header("Accept", "text/html")
                .formParam("username", "operator").formParam("password", "wrong").post("/login").then().statusCode(401)
                .body(containsString("Wrong operator user"));
        io.restassured.response.Response login = given().redirects().follow(false)
                .contentType("application/x-www-form-urlencoded").formParam("username", "operator")
                .formParam("password", FakeMayanResource.OPERATOR_PASSWORD).post("/login");
        assertThat(login.statusCode()).isEqualTo(303);
        String cookie = login.getHeader("Set-Cookie");
        assertThat(cookie).startsWith("mayan_ingest_session=").contains("HttpOnly").contains("SameSite=Strict");
        String session = login.getCookie("mayan_ingest_session");

        given().cookie("mayan_ingest_session", session).get("/").then().statusCode(200)
                .body(containsString("id=\"quarantine\""));
        given().cookie("mayan_ingest_session", session).get("/api/sources").then().statusCode(200);
        given().cookie("mayan_ingest_session", "forged").get("/api/sources").then().statusCode(401);

        String name = "csrf-" + UUID.randomUUID() + ".pdf";
        drop(plain, name, new byte[0]);
        awaitError(plain, name);
        String id = entry(name).id();
        // A form or image from another site carries the cookie at most, never the console's header.
        given().cookie("mayan_ingest_session", session).delete("/api/quarantine/" + id).then().statusCode(401);
        given().cookie("mayan_ingest_session", session).contentType("application/json").body("{}")
                .post("/api/quarantine/" + id + "/replay").then().statusCode(401);
        assertThat(entry(name).state()).isEqualTo(LedgerState.FAILED);
        given().cookie("mayan_ingest_session", session).header("X-Mayan-Ingest-Console", "1")
                .delete("/api/quarantine/" + id).then().statusCode(200);
        assertThat(entry(name).state()).isEqualTo(LedgerState.DISCARDED);

        given().redirects().follow(false).cookie("mayan_ingest_session", session).post("/logout").then().statusCode(303);
        given().cookie("mayan_ingest_session", session).get("/api/sources").then().statusCode(401);
    }

    @Test
    void aDryRunShowsWhatAFileWouldBecomeAndEveryProblemWithoutUploading() {
        int posts = mayan.count("POST", ".*");
        given().header("Authorization", AUTH).contentType("application/json")
                .body("{\"source\": \"plain\", \"fileName\": \"letter.pdf\"}").post("/api/preview").then()
                .statusCode(200).body("valid", equalTo(true)).body("wouldBecome.label", equalTo("letter.pdf"))
                .body("wouldBecome.mode", equalTo("new document"))
                .body("wouldBecome.documentType", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", AUTH).contentType("application/json")
                .body("{\"source\": \"plain\", \"fileName\": \"letter.pdf\", \"sidecar\": {\"document_type\":"
                        + " \"Nope\", \"tags\": [\"no-such-tag\"], \"label\": \"My letter\"}}")
                .post("/api/preview").then().statusCode(200).body("valid", equalTo(false))
                .body("wouldBecome.label", equalTo("My letter"))
                .body("problems", hasItem(containsString("document type \"Nope\" does not exist")))
                .body("problems", hasItem(containsString("tag \"no-such-tag\" does not exist")))
                .body("fix", containsString("create the document type"));
        given().header("Authorization", AUTH).contentType("application/json")
                .body("{\"source\": \"nope\", \"fileName\": \"x.pdf\"}").post("/api/preview").then().statusCode(400);
        given().contentType("application/json").body("{\"source\": \"plain\", \"fileName\": \"x.pdf\"}")
                .post("/api/preview").then().statusCode(401);
        assertThat(mayan.count("POST", ".*")).as("nothing sent to Mayan but reads").isEqualTo(posts);
    }

    @Test
    void itemsAreFoundBySourceStateAndFileNameOrIngestIdWithAMayanLink() throws IOException {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String good = "Console_" + marker + "_good.pdf";
        String bad = "console_" + marker + "_bad.pdf";
        drop(plain, good, pdf(good));
        drop(plain, bad, new byte[0]);
        awaitDone(plain, good);
        awaitError(plain, bad);
        Ledger.Entry done = await().atMost(Duration.ofSeconds(10)).until(() -> entry(good),
                e -> e != null && e.state() == LedgerState.DONE);
        Ledger.Entry failed = entry(bad);

        JsonPath both = given().header("Authorization", AUTH).queryParam("q", "console_" + marker)
                .get("/api/items").then().statusCode(200).extract().jsonPath();
        assertThat(both.getInt("total")).isEqualTo(2);
        assertThat(both.getList("items.file", String.class)).containsExactlyInAnyOrder(good, bad);

        given().header("Authorization", AUTH).queryParam("q", "console_" + marker).queryParam("state", "done")
                .queryParam("source", "plain").get("/api/items").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(done.id()))
                .body("items[0].documentId", equalTo(done.documentId().intValue()))
                .body("items[0].documentUrl", equalTo(mayan.baseUrl().replaceAll("/+$", "")
                        + "/#/documents/documents/" + done.documentId() + "/preview/"))
                .body("items[0].times.received", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", AUTH).queryParam("q", failed.id()).get("/api/items").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].state", equalTo("FAILED"))
                .body("items[0].reason", containsString("empty"))
                .body("items[0].fix", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", AUTH).queryParam("q", "console_" + marker).queryParam("source", "drawings")
                .get("/api/items").then().statusCode(200).body("total", equalTo(0));
        // LIKE wildcards are literal: "%" finds only names with a "%".
        given().header("Authorization", AUTH).queryParam("q", "%" + marker).get("/api/items").then().statusCode(200)
                .body("total", equalTo(0));
        given().header("Authorization", AUTH).queryParam("state", "nonsense").get("/api/items").then().statusCode(400)
                .body("error", containsString("unknown state"));
        given().header("Authorization", AUTH).queryParam("q", "console_" + marker).queryParam("limit", "1")
                .queryParam("offset", "1").get("/api/items").then().statusCode(200)
                .body("total", equalTo(2)).body("items.size()", equalTo(1));
    }

    @Test
    void sourcesShowKindStateAndTodaysCounts() throws IOException {
        String before = given().header("Authorization", AUTH).get("/api/sources").then().statusCode(200)
                .extract().asString();
        Map<String, Object> plainBefore = source(JsonPath.from(before), "plain");
        int ingested = ((Number) ((Map<?, ?>) plainBefore.get("today")).get("ingested")).intValue();
        int failed = ((Number) ((Map<?, ?>) plainBefore.get("today")).get("failed")).intValue();

        String name = "today-" + UUID.randomUUID() + ".pdf";
        String empty = "today-empty-" + UUID.randomUUID() + ".pdf";
        drop(plain, name, pdf(name));
        drop(plain, empty, new byte[0]);
        awaitDone(plain, name);
        awaitError(plain, empty);
        await().atMost(Duration.ofSeconds(10)).until(() -> entry(name).state() == LedgerState.DONE);

        JsonPath after = given().header("Authorization", AUTH).get("/api/sources").then().statusCode(200)
                .body("sources.name", hasItem("drawings")).body("mayan.reachable", equalTo(true))
                .extract().jsonPath();
        Map<String, Object> p = source(after, "plain");
        assertThat(p.get("kind")).isEqualTo("file");
        assertThat(p.get("state")).isEqualTo("running");
        Map<?, ?> today = (Map<?, ?>) p.get("today");
        assertThat(((Number) today.get("ingested")).intValue()).isEqualTo(ingested + 1);
        assertThat(((Number) today.get("failed")).intValue()).isGreaterThanOrEqualTo(failed + 1);
        assertThat(after.getLong("quarantined")).isEqualTo(ledger.count(LedgerState.FAILED));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(JsonPath body, String name) {
        return ((List<Map<String, Object>>) (List<?>) body.getList("sources")).stream().filter(s -> name.equals(s.get("name")))
                .findFirst().orElseThrow();
    }

    private Ledger.Entry entry(String fileName) {
        return ledger.all().stream().filter(e -> fileName.equals(e.fileName())).findFirst().orElse(null);
    }
}
