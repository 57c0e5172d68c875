package io.mayaningest.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks that {@link FakeMayan} answers like mayan-api.md says Mayan does, over real HTTP.
 */
class FakeMayanTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef01234567";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private FakeMayan mayan;

    @BeforeEach
    void start() {
        mayan = FakeMayan.start().withToken(TOKEN).withUser("admin", "s3cret")
                .setFileAppearDelay(Duration.ofMillis(50)).setChecksumDelay(Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        mayan.close();
    }

    // --- §1 authentication -----------------------------------------------------------------------

    @Test
    void failedAuthenticationIs403WithDrfMessages() throws Exception {
        Response badToken = send(request("/document_types/").header("Authorization", "Token nope").GET());
        assertEquals(403, badToken.status);
        assertEquals("Invalid token.", badToken.json().get("detail").asText());

        String basic = Base64.getEncoder().encodeToString("admin:wrong".getBytes(StandardCharsets.UTF_8));
        Response badPassword = send(request("/document_types/").header("Authorization", "Basic " + basic).GET());
        assertEquals(403, badPassword.status);
        assertEquals("Invalid username/password.", badPassword.json().get("detail").asText());

        String good = Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, send(request("/document_types/").header("Authorization", "Basic " + good).GET()).status);
    }

    @Test
    void anonymousSeesEmptyListsAndNotFoundAndCannotWrite() throws Exception {
        long doc = mayan.createDocument(1, "a", "x".getBytes(StandardCharsets.UTF_8), "a.txt");

        Response list = send(request("/documents/").GET());
        assertEquals(200, list.status);
        assertEquals(0, list.json().get("count").asInt());
        assertEquals(0, list.json().get("results").size());

        Response detail = send(request("/documents/" + doc + "/").GET());
        assertEquals(404, detail.status);
        assertEquals("No Document matches the given query.", detail.json().get("detail").asText());

        Response post = send(request("/tags/").header("Content-Type", "application/json")
                .POST(json(Map.of("label", "x", "color", "#000000"))));
        assertEquals(403, post.status);
        assertEquals("Authentication credentials were not provided.", post.json().get("detail").asText());
    }

    @Test
    void tokenCanBeObtainedAsJson() throws Exception {
        Response token = send(request("/auth/token/obtain/?format=json").header("Content-Type", "application/json")
                .POST(json(Map.of("username", "admin", "password", "s3cret"))));
        assertEquals(200, token.status);
        String key = token.json().get("token").asText();
        assertEquals(200, send(request("/project/").header("Authorization", "Token " + key).GET()).status);
    }

    // --- §2 pagination, filtering, routing -------------------------------------------------------

    @Test
    void listsArePagedByTenWithAbsoluteLinks() throws Exception {
        for (int i = 1; i <= 11; i++) {
            mayan.createDocumentType(String.format("Type %02d", i));
        }
        Response first = get("/document_types/?_ordering=id");
        JsonNode body = first.json();
        assertEquals(12, body.get("count").asInt());
        assertEquals(10, body.get("results").size());
        assertEquals(mayan.apiUrl() + "/document_types/?_ordering=id&page=2", body.get("next").asText());
        assertTrue(body.get("previous").isNull());
        assertEquals("Default", body.get("results").get(0).get("label").asText());

        JsonNode second = get("/document_types/?_ordering=id&page=2").json();
        assertEquals(2, second.get("results").size());
        assertTrue(second.get("next").isNull());
        assertEquals(mayan.apiUrl() + "/document_types/?_ordering=id", second.get("previous").asText());

        Response invalid = get("/document_types/?page=3");
        assertEquals(404, invalid.status);
        assertEquals("Invalid page.", invalid.json().get("detail").asText());

        JsonNode capped = get("/document_types/?page_size=1000").json();
        assertEquals(12, capped.get("results").size());
        assertEquals("Type 11", get("/document_types/?_ordering=-label").json().get("results").get(0).get("label").asText());
    }

    @Test
    void filtersAreCaseInsensitiveSearchesNotEquality() throws Exception {
        mayan.createDocumentType("Invoice");
        mayan.createDocumentType("Invoice Archive");
        JsonNode found = get("/document_types/?filter_label=invoice&page_size=100").json();
        assertEquals(2, found.get("count").asInt());
    }

    @Test
    void unknownPathsAndMethodsAndMissingSlash() throws Exception {
        Response unknown = get("/nothing/here/");
        assertEquals(404, unknown.status);
        assertEquals("Not found.", unknown.json().get("detail").asText());
        assertEquals(405, send(authorized("/project/").DELETE()).status);
        Response noSlash = get("/document_types");
        assertEquals(301, noSlash.status);
        assertEquals("/api/v4/document_types/", noSlash.headers.firstValue("Location").orElseThrow());
        assertEquals("4.12.2", get("/project/").json().get("__version__").asText());
    }

    // --- §5, §7 upload and processing ------------------------------------------------------------

    @Test
    void uploadAnswers201ThenFileAppearsThenChecksum() throws Exception {
        mayan.setFileAppearDelay(Duration.ofMillis(100)).setChecksumDelay(Duration.ofMillis(1500));
        byte[] content = "%PDF-1.4 hello".getBytes(StandardCharsets.UTF_8);
        MultipartBody form = new MultipartBody().field("document_type_id", "1").file("file", "scan.pdf", content);

        Response created = send(form.post(authorized("/documents/upload/")));
        assertEquals(201, created.status);
        JsonNode doc = created.json();
        long id = doc.get("id").asLong();
        assertEquals("scan.pdf", doc.get("label").asText());
        assertEquals("eng", doc.get("language").asText());
        assertEquals(id, doc.get("pk").asLong());
        assertTrue(doc.get("file_latest").isNull());
        assertTrue(doc.get("version_active").isNull());
        assertEquals(mayan.apiUrl() + "/documents/" + id + "/", created.headers.firstValue("Location").orElseThrow());
        assertEquals("true", created.headers.firstValue("Deprecation").orElseThrow());

        JsonNode appeared = await().atMost(5, SECONDS).until(() -> get("/documents/" + id + "/").json(),
                d -> !d.get("file_latest").isNull());
        assertTrue(appeared.get("file_latest").get("checksum").isNull());
        assertTrue(appeared.get("file_latest").get("size").isNull());

        JsonNode processed = await().atMost(5, SECONDS).until(() -> get("/documents/" + id + "/").json(),
                d -> !d.get("file_latest").get("checksum").isNull());
        assertEquals(sha256(content), processed.get("file_latest").get("checksum").asText());
        assertEquals(content.length, processed.get("file_latest").get("size").asLong());
        assertFalse(processed.get("version_active").isNull());
        assertEquals(sha256(content), mayan.document(id).orElseThrow().files().get(0).checksum());
    }

    @Test
    void uploadErrors() throws Exception {
        Response unknownType = send(new MultipartBody().field("document_type_id", "99").file("file", "a.txt", new byte[] {1})
                .post(authorized("/documents/upload/")));
        assertEquals(404, unknownType.status);
        assertEquals("No DocumentType matches the given query.", unknownType.json().get("detail").asText());

        Response missing = send(new MultipartBody().field("label", "x").post(authorized("/documents/upload/")));
        assertEquals(400, missing.status);
        assertEquals("This field is required.", missing.json().get("document_type_id").get(0).asText());
        assertEquals("No file was submitted.", missing.json().get("file").get(0).asText());
        assertTrue(mayan.documents().isEmpty());
    }

    @Test
    void newFileAnswers202WithEmptyBodyAndAppearsLater() throws Exception {
        long id = mayan.createDocument(1, "contract", "v1".getBytes(StandardCharsets.UTF_8), "contract.txt");
        byte[] v2 = "v2".getBytes(StandardCharsets.UTF_8);
        Response accepted = send(new MultipartBody().field("action_name", "replace").field("comment", "corr-42")
                .file("file_new", "contract-v2.txt", v2).post(authorized("/documents/" + id + "/files/")));
        assertEquals(202, accepted.status);
        assertEquals("", accepted.body);
        assertTrue(accepted.headers.firstValue("Content-Type").isEmpty());
        assertTrue(accepted.headers.firstValue("Location").isEmpty());

        JsonNode newest = await().atMost(5, SECONDS).until(
                () -> get("/documents/" + id + "/files/?_ordering=-id&page_size=100").json().get("results").get(0),
                f -> "corr-42".equals(f.get("comment").asText()) && !f.get("checksum").isNull());
        assertEquals(sha256(v2), newest.get("checksum").asText());
        assertEquals("contract-v2.txt", newest.get("filename").asText());
        assertEquals(2, get("/documents/" + id + "/files/").json().get("count").asInt());

        Response noAction = send(new MultipartBody().file("file_new", "x.txt", v2).post(authorized("/documents/" + id + "/files/")));
        assertEquals(400, noAction.status);
        assertEquals("This field is required.", noAction.json().get("action_name").get(0).asText());
        Response noDoc = send(new MultipartBody().field("action_name", "keep").file("file_new", "x.txt", v2)
                .post(authorized("/documents/999/files/")));
        assertEquals(404, noDoc.status);
        assertEquals("No Document matches the given query.", noDoc.json().get("detail").asText());
    }

    // --- the sources action API (e2e/MAYAN-FINDINGS.md "Sources API", probed on 4.12.2) ------------

    @Test
    void aFreshMayanOffersTheWebFormSourceDefaultWithBothUploadActions() throws Exception {
        JsonNode sources = get("/sources/").json();
        assertEquals(1, sources.get("count").asInt());
        JsonNode source = sources.get("results").get(0);
        assertEquals(1, source.get("id").asLong());
        assertEquals("Default", source.get("label").asText());
        assertTrue(source.get("enabled").asBoolean());
        assertEquals("mayan.apps.source_web_forms.source_backends.SourceBackendWebForm", source.get("backend_path").asText());
        assertEquals(mayan.apiUrl() + "/sources/1/actions/", source.get("actions_url").asText());

        JsonNode actions = get("/sources/1/actions/").json().get("results");
        assertEquals("document_upload", actions.get(0).get("name").asText());
        assertTrue(actions.get(0).get("accept_files").asBoolean());
        assertEquals(mayan.apiUrl() + FakeMayan.DOCUMENT_UPLOAD.substring("/api/v4".length()),
                actions.get(0).get("execute_url").asText());
        List<String> uploadArgs = new ArrayList<>();
        actions.get(0).get("interfaces").get(0).get("arguments").forEach(a -> uploadArgs.add(a.get("name").asText()));
        assertEquals(List.of("description", "label", "language", "expand", "expand_mode", "immediate_mode",
                "document_type_id", "file"), uploadArgs);
        assertEquals("document_file_upload", actions.get(1).get("name").asText());
        List<String> fileArgs = new ArrayList<>();
        actions.get(1).get("interfaces").get(0).get("arguments").forEach(a -> fileArgs.add(a.get("name").asText()));
        assertEquals(List.of("document_file_action_name", "comment", "filename", "document_id", "file"), fileArgs);

        assertEquals(0, send(request("/sources/").GET()).json().get("count").asInt(), "anonymous sees no sources");
    }

    @Test
    void documentUploadInImmediateModeAnswers201WithTheDocumentAndNoDeprecation() throws Exception {
        byte[] content = "%PDF-1.4 via source".getBytes(StandardCharsets.UTF_8);
        Response created = send(new MultipartBody()
                .field("arguments", "{\"document_type_id\": 1, \"label\": \"Prüfbericht\", \"description\": \"d\","
                        + " \"language\": \"deu\", \"immediate_mode\": true}")
                .file("file", "scan-Ä.pdf", content).post(authorized("/sources/1/actions/document_upload/execute/")));
        assertEquals(201, created.status, created.body);
        JsonNode doc = created.json();
        long id = doc.get("id").asLong();
        assertEquals("Prüfbericht", doc.get("label").asText());
        assertEquals("d", doc.get("description").asText());
        assertEquals("deu", doc.get("language").asText());
        assertTrue(doc.get("file_latest").isNull());
        assertFalse(doc.has("pk"), "DocumentSerializer, not DocumentUploadSerializer");
        assertTrue(created.headers.firstValue("Location").isEmpty());
        assertTrue(created.headers.firstValue("Deprecation").isEmpty());

        JsonNode processed = await().atMost(5, SECONDS).until(() -> get("/documents/" + id + "/").json(),
                d -> !d.get("file_latest").isNull() && !d.get("file_latest").get("checksum").isNull());
        assertEquals(sha256(content), processed.get("file_latest").get("checksum").asText());
        assertEquals("scan-Ä.pdf", processed.get("file_latest").get("filename").asText());
    }

    @Test
    void documentUploadWithoutImmediateModeAnswers202AndWithoutALabelTakesTheFileNameLater() throws Exception {
        Response accepted = send(new MultipartBody().field("arguments", "{\"document_type_id\": 1}")
                .file("file", "later.txt", new byte[] {1, 2}).post(authorized("/sources/1/actions/document_upload/execute/")));
        assertEquals(202, accepted.status);
        assertEquals("", accepted.body);

        Response immediate = send(new MultipartBody().field("arguments", "{\"document_type_id\": 1, \"immediate_mode\": true}")
                .file("file", "unlabelled.txt", new byte[] {3}).post(authorized("/sources/1/actions/document_upload/execute/")));
        assertEquals(201, immediate.status);
        assertEquals("", immediate.json().get("label").asText(), "Document.save() makes a missing label \"\"");
        long id = immediate.json().get("id").asLong();
        await().atMost(5, SECONDS).until(() -> get("/documents/" + id + "/").json().get("label").asText(),
                "unlabelled.txt"::equals);
    }

    @Test
    void sourceActionErrorsComeInMayansShapes() throws Exception {
        String execute = "/sources/1/actions/document_upload/execute/";
        // Flat fields are not read: the arguments must be in the JSON field.
        Response flat = send(new MultipartBody().field("document_type_id", "1").file("file", "a.txt", new byte[] {1})
                .post(authorized(execute)));
        assertEquals(400, flat.status);
        assertEquals("\"Unable to execute action `document_upload`; Argument `document_type_id` missing for interface"
                + " `RESTAPI`.\"", flat.body);
        Response noFile = send(new MultipartBody().field("arguments", "{\"document_type_id\": 1}").post(authorized(execute)));
        assertError(noFile, "{\"file\": [\"No file was submitted.\"]}");
        Response badJson = send(new MultipartBody().field("arguments", "{bad").file("file", "a.txt", new byte[] {1})
                .post(authorized(execute)));
        assertError(badJson, "{\"arguments\": [\"Value must be valid JSON.\"]}");
        Response unknownType = send(new MultipartBody().field("arguments", "{\"document_type_id\": 99999, \"immediate_mode\": true}")
                .file("file", "a.txt", new byte[] {1}).post(authorized(execute)));
        assertEquals(404, unknownType.status);
        assertEquals("No DocumentType matches the given query.", unknownType.json().get("detail").asText());
        Response textType = send(new MultipartBody().field("arguments", "{\"document_type_id\": \"abc\"}")
                .file("file", "a.txt", new byte[] {1}).post(authorized(execute)));
        assertEquals(404, textType.status);
        assertEquals("Not found.", textType.json().get("detail").asText());
        Response noSource = send(new MultipartBody().field("arguments", "{\"document_type_id\": 1}")
                .file("file", "a.txt", new byte[] {1}).post(authorized("/sources/999/actions/document_upload/execute/")));
        assertEquals(404, noSource.status);
        assertEquals("No Source matches the given query.", noSource.json().get("detail").asText());
        Response unknownAction = send(new MultipartBody().field("arguments", "{}").file("file", "a.txt", new byte[] {1})
                .post(authorized("/sources/1/actions/upload/execute/")));
        assertEquals(500, unknownAction.status);
        assertTrue(unknownAction.headers.firstValue("Content-Type").orElseThrow().startsWith("text/html"));

        mayan.setSourceEnabled(1, false);
        Response disabled = send(new MultipartBody().field("arguments", "{\"document_type_id\": 1}")
                .file("file", "a.txt", new byte[] {1}).post(authorized(execute)));
        assertEquals(404, disabled.status);
        assertEquals("No Source matches the given query.", disabled.json().get("detail").asText());
        assertTrue(mayan.documents().isEmpty(), "no document from a refused request");
    }

    @Test
    void documentFileUploadKeepsTheCommentAndAnswers202() throws Exception {
        long id = mayan.createDocument(1, "contract", "v1".getBytes(StandardCharsets.UTF_8), "contract.txt");
        byte[] v2 = "v2".getBytes(StandardCharsets.UTF_8);
        Response accepted = send(new MultipartBody()
                .field("arguments", "{\"document_id\": " + id + ", \"comment\": \"ingest-7\", \"filename\": \"v2-Ü.txt\","
                        + " \"document_file_action_name\": \"append\"}")
                .file("file", "x.txt", v2).post(authorized("/sources/1/actions/document_file_upload/execute/")));
        assertEquals(202, accepted.status);
        assertEquals("", accepted.body);
        await().atMost(5, SECONDS).until(() -> mayan.document(id).orElseThrow().files().size() == 2
                && mayan.document(id).orElseThrow().latestFile().orElseThrow().checksum() != null);
        FakeFile added = mayan.document(id).orElseThrow().latestFile().orElseThrow();
        assertEquals("ingest-7", added.comment());
        assertEquals("v2-Ü.txt", added.filename());
        assertEquals("append", added.action());
        assertEquals(sha256(v2), added.checksum());

        Response noDoc = send(new MultipartBody().field("arguments", "{\"document_id\": 999999}")
                .file("file", "x.txt", v2).post(authorized("/sources/1/actions/document_file_upload/execute/")));
        assertEquals(404, noDoc.status);
        assertEquals("No Document matches the given query.", noDoc.json().get("detail").asText());
        Response noId = send(new MultipartBody().field("arguments", "{\"comment\": \"c\"}")
                .file("file", "x.txt", v2).post(authorized("/sources/1/actions/document_file_upload/execute/")));
        assertEquals(400, noId.status);
        assertEquals("\"Unable to execute action `document_file_upload`; Argument `document_id` missing for interface"
                + " `RESTAPI`.\"", noId.body);
    }

    @Test
    void mayan44TakesNewFilesAsActionIdsAndSays404NotFoundOnly() throws Exception {
        long id = mayan.createDocument(1, "contract", "v1".getBytes(StandardCharsets.UTF_8), "contract.txt");
        mayan.setVersion("4.4.16");
        byte[] v2 = "v2".getBytes(StandardCharsets.UTF_8);
        String files = "/documents/" + id + "/files/";
        Response byName = send(new MultipartBody().field("action_name", "append").field("comment", "c")
                .file("file_new", "v2.txt", v2).post(authorized(files)));
        assertError(byName, "{\"action\": [\"This field is required.\"]}");
        Response unknown = send(new MultipartBody().field("action", "9").file("file_new", "v2.txt", v2)
                .post(authorized(files)));
        assertError(unknown, "{\"action\": [\"\\\"9\\\" is not a valid choice.\"]}");
        Response accepted = send(new MultipartBody().field("action", "2").field("comment", "ingest-8")
                .file("file_new", "v2.txt", v2).post(authorized(files)));
        assertEquals(202, accepted.status);
        assertEquals("", accepted.body);
        await().atMost(5, SECONDS).until(() -> mayan.document(id).orElseThrow().files().size() == 2);
        FakeFile added = mayan.document(id).orElseThrow().latestFile().orElseThrow();
        assertEquals("append", added.action());
        assertEquals("ingest-8", added.comment());

        // DRF 3.14 (before 4.10) drops Django's message from a 404.
        Response noDoc = get("/documents/999999/");
        assertEquals(404, noDoc.status);
        assertEquals("Not found.", noDoc.json().get("detail").asText());
        Response noType = send(new MultipartBody().field("document_type_id", "99999").file("file", "a.txt", new byte[] {1})
                .post(authorized("/documents/upload/")));
        assertEquals(404, noType.status);
        assertEquals("Not found.", noType.json().get("detail").asText());
        mayan.setVersion("4.10.6");
        assertEquals("No Document matches the given query.", get("/documents/999999/").json().get("detail").asText());
        mayan.setVersion("4.12.2");
    }

    @Test
    void theVersionDecidesWhatExistsAndWhatIsDeprecated() throws Exception {
        MultipartBody legacy = new MultipartBody().field("document_type_id", "1").file("file", "a.txt", new byte[] {1});
        Response on412 = send(legacy.post(authorized("/documents/upload/")));
        assertEquals("true", on412.headers.firstValue("Deprecation").orElseThrow());
        assertEquals("Thu, 01 Jul 2027 00:00:00 GMT", on412.headers.firstValue("Sunset").orElseThrow());

        mayan.setVersion("4.10.6");
        assertEquals("4.10.6", get("/project/").json().get("__version__").asText());
        Response on410 = send(new MultipartBody().field("document_type_id", "1").file("file", "b.txt", new byte[] {1})
                .post(authorized("/documents/upload/")));
        assertEquals(201, on410.status);
        assertTrue(on410.headers.firstValue("Deprecation").isEmpty());
        List<String> args = new ArrayList<>();
        get("/sources/1/actions/").json().get("results").get(0).get("interfaces").get(0).get("arguments")
                .forEach(a -> args.add(a.get("name").asText()));
        assertFalse(args.contains("expand_mode"), "expand_mode came with 4.12");

        mayan.setVersion("4.4.16");
        assertEquals(1, get("/sources/").json().get("count").asInt());
        Response noActions = get("/sources/1/actions/");
        assertEquals(404, noActions.status);
        assertTrue(noActions.headers.firstValue("Content-Type").orElseThrow().startsWith("text/html"));

        mayan.removeSources();
        mayan.setVersion("4.12.2");
        assertEquals(0, get("/sources/").json().get("count").asInt());
        mayan.reset();
        assertEquals("Default", get("/sources/").json().get("results").get(0).get("label").asText());
    }

    @Test
    void pausedProcessingHoldsFilesUntilResumed() throws Exception {
        mayan.setProcessingPaused(true);
        long id = send(new MultipartBody().field("document_type_id", "1").file("file", "held.txt", new byte[] {7})
                .post(authorized("/documents/upload/"))).json().get("id").asLong();
        await().during(300, java.util.concurrent.TimeUnit.MILLISECONDS).atMost(2, SECONDS)
                .until(() -> mayan.document(id).orElseThrow().files().isEmpty());
        mayan.setProcessingPaused(false);
        await().atMost(5, SECONDS).until(() -> mayan.document(id).orElseThrow().latestFile()
                .map(FakeFile::processed).orElse(false));
    }

    @Test
    void twentyMegabyteStreamedUploadWithNonAsciiFileNames() throws Exception {
        long size = 20L * 1024 * 1024;
        String name = "Ärger über 日本 résumé.pdf";
        MultipartBody form = new MultipartBody().field("document_type_id", "1").field("description", "groß", true)
                .file("file", name, () -> new PatternStream(size), false);
        Response created = send(form.post(authorized("/documents/upload/")));
        assertEquals(201, created.status, created.body);
        long id = created.json().get("id").asLong();
        assertEquals(name, created.json().get("label").asText());
        assertEquals("groß", created.json().get("description").asText());

        FakeFile file = await().atMost(10, SECONDS).until(() -> mayan.document(id).orElseThrow().latestFile(),
                f -> f.isPresent() && f.get().processed()).orElseThrow();
        assertEquals(name, file.filename());
        assertEquals(size, file.size());
        assertEquals(PatternStream.sha256(size), file.checksum());

        // The RFC 5987 form of the name wins over the plain one, as in Django.
        MultipartBody extended = new MultipartBody().field("document_type_id", "1")
                .file("file", name, () -> new ByteArrayInputStream(new byte[] {1, 2, 3}), true);
        assertEquals(name, send(extended.post(authorized("/documents/upload/"))).json().get("label").asText());
    }

    @Test
    void multipartParserSurvivesAnyChunkingAndBoundaryLookalikes() throws Exception {
        String boundary = "XyZ";
        // Content full of near-delimiters: CRLF, "--", the boundary without CRLF, a truncated delimiter.
        byte[] content = ("a\r\n--XY\r\n-XyZ--XyZ\r\n--X" + "z".repeat(70_000) + "\r\n--Xy").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi; \"there\"\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\\\tmp\\\\ü.bin\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\r\n--XyZ--".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("multipart-test");
        for (int chunk : new int[] {1, 2, 3, 7, 64, 4096, 65_536, body.length}) {
            Multipart.Form form = Multipart.parse(
                    new ChunkedStream(body, chunk), boundary, dir);
            assertEquals("hi; \"there\"", form.fields.get("note"), "chunk " + chunk);
            Multipart.UploadedFile file = form.files.get("f");
            assertEquals("ü.bin", file.filename(), "path segments are stripped, like Django");
            assertEquals(content.length, file.size(), "chunk " + chunk);
            assertEquals(sha256(content), file.sha256(), "chunk " + chunk);
            java.nio.file.Files.delete(file.path());
        }
        java.nio.file.Files.delete(dir);
    }

    @Test
    void contentLengthMultipartWorksToo() throws Exception {
        MultipartBody form = new MultipartBody().field("document_type_id", "1").field("label", "by length")
                .file("file", "n.txt", new byte[] {1, 2, 3});
        HttpRequest.Builder builder = form.post(authorized("/documents/upload/"));
        java.io.ByteArrayOutputStream buffered = new java.io.ByteArrayOutputStream();
        form.stream().transferTo(buffered);
        Response created = send(builder.POST(HttpRequest.BodyPublishers.ofByteArray(buffered.toByteArray())));
        assertEquals(201, created.status, created.body);
        assertEquals("by length", created.json().get("label").asText());
    }

    @Test
    void concurrentUploadsGetDistinctDocumentsAndAllProcess() throws Exception {
        int uploads = 24;
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < uploads; i++) {
            MultipartBody form = new MultipartBody().field("document_type_id", "1").file("file", "c" + i + ".txt",
                    ("content " + i).getBytes(StandardCharsets.UTF_8));
            futures.add(http.sendAsync(form.post(authorized("/documents/upload/")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (var future : futures) {
            HttpResponse<String> response = future.get(30, SECONDS);
            assertEquals(201, response.statusCode());
            ids.add(JSON.readTree(response.body()).get("id").asLong());
        }
        assertEquals(uploads, ids.size());
        await().atMost(10, SECONDS).until(() -> mayan.documents().stream()
                .allMatch(d -> d.latestFile().map(FakeFile::processed).orElse(false)));
        assertEquals(uploads, get("/documents/?page_size=100").json().get("count").asInt());
        assertEquals(uploads, mayan.count("POST", "/api/v4/documents/upload/"));
    }

    // --- §4, §8 metadata -------------------------------------------------------------------------

    @Test
    void metadataErrorsComeInMayansShapes() throws Exception {
        long type = mayan.createDocumentType("Invoice");
        long number = mayan.createMetadataType("invoice_number", "Invoice number", null, "INV-\\d{4}");
        long currency = mayan.createMetadataType("currency", "Currency", "EUR,USD", null);
        long required = mayan.createMetadataType("customer", "Customer");
        long foreign = mayan.createMetadataType("unrelated", "Unrelated");
        mayan.attachMetadataType(type, number, false);
        mayan.attachMetadataType(type, currency, false);
        mayan.attachMetadataType(type, required, true);
        long doc = mayan.createDocument(type, "inv-1", new byte[] {1}, "inv-1.pdf");
        String path = "/documents/" + doc + "/metadata/";

        JsonNode numberType = get("/metadata_types/" + number + "/").json();
        assertEquals(MayanStore.REGEX_VALIDATOR, numberType.get("validation").asText());
        assertEquals("pattern: 'INV-\\d{4}'", numberType.get("validation_arguments").asText());

        assertError(postJson(path, Map.of("metadata_type_id", 999, "value", "x")),
                "{\"metadata_type_id\":[\"Invalid pk \\\"999\\\" - object does not exist.\"]}");
        assertError(postJson(path, Map.of("metadata_type_id", required, "value", "")),
                "{\"non_field_errors\":[\"{'__all__': ['\\\"Customer\\\" is required for this document type.']}\"]}");
        assertError(postJson(path, Map.of("metadata_type_id", currency, "value", "GBP")),
                "{\"non_field_errors\":[\"{'__all__': ['Value is not one of the provided options.']}\"]}");
        assertError(postJson(path, Map.of("metadata_type_id", number, "value", "INV-12")),
                "{\"non_field_errors\":[\"{'__all__': ['Metadata type validation error; The input string does not match the pattern.']}\"]}");
        assertError(postJson(path, Map.of("metadata_type_id", foreign, "value", "x")),
                "[\"Metadata type is not valid for this document type.\"]");

        Response created = postJson(path, Map.of("metadata_type_id", number, "value", "INV-1234"));
        assertEquals(201, created.status);
        long row = created.json().get("id").asLong();
        assertEquals(number, created.json().get("metadata_type").get("id").asLong());
        assertEquals(doc, created.json().get("document").get("id").asLong());
        assertError(postJson(path, Map.of("metadata_type_id", number, "value", "INV-9999")),
                "{\"non_field_errors\":[\"{'__all__': ['Document metadata with this Document and Type already exists.']}\"]}");

        assertEquals(500, send(authorized(path + row + "/").header("Content-Type", "application/json")
                .method("PATCH", json(Map.of()))).status);
        Response patched = send(authorized(path + row + "/").header("Content-Type", "application/json")
                .method("PATCH", json(Map.of("value", "INV-4321"))));
        assertEquals(200, patched.status);
        assertEquals("INV-4321", mayan.document(doc).orElseThrow().metadata().get("invoice_number"));

        Response relation = postJson("/document_types/" + type + "/metadata_types/", Map.of("metadata_type_id", number));
        assertError(relation, "{\"non_field_errors\":[\"{'__all__': ['Document type metadata type options with this Document type and Metadata type already exists.']}\"]}");
    }

    // --- §9 tags and cabinets --------------------------------------------------------------------

    @Test
    void tagAttachAnswers200WithEmptyBody() throws Exception {
        long doc = mayan.createDocument(1, "d", new byte[] {1}, "d.bin");
        Response tag = postJson("/tags/", Map.of("label", "urgent", "color", "#ff0000"));
        assertEquals(201, tag.status);
        assertError(postJson("/tags/", Map.of("label", "no-color")), "{\"color\":[\"This field is required.\"]}");

        Response attached = postJson("/documents/" + doc + "/tags/attach/", Map.of("tag", tag.json().get("id").asLong()));
        assertEquals(200, attached.status);
        assertEquals("", attached.body);
        assertTrue(attached.headers.firstValue("Content-Type").isEmpty());
        assertError(postJson("/documents/" + doc + "/tags/attach/", Map.of("tag", 77)),
                "{\"tag\":[\"Invalid pk \\\"77\\\" - object does not exist.\"]}");
        assertEquals(List.of("urgent"), mayan.document(doc).orElseThrow().tags());
        assertEquals("urgent", get("/documents/" + doc + "/tags/").json().get("results").get(0).get("label").asText());
    }

    @Test
    void aTrashedDocumentIsHiddenEverywhereButInTheTrashAndCanBeRestored() throws Exception {
        long doc = mayan.createDocument(1, "t", new byte[] {1}, "t.bin");

        Response trashed = send(authorized("/documents/" + doc + "/").DELETE());
        assertEquals(202, trashed.status);
        assertEquals("", trashed.body);
        assertTrue(mayan.isTrashed(doc));
        Response hidden = get("/documents/" + doc + "/");
        assertEquals(404, hidden.status);
        assertEquals("No Document matches the given query.", hidden.json().get("detail").asText());
        assertEquals(404, get("/documents/" + doc + "/files/").status);
        assertEquals(0, get("/documents/?filter_label=t").json().get("count").asInt());
        JsonNode inTrash = get("/trashed_documents/" + doc + "/").json();
        assertEquals("t", inTrash.get("label").asText());
        assertTrue(inTrash.get("restore_url").asText().endsWith("/api/v4/trashed_documents/" + doc + "/restore/"));

        Response restored = send(authorized("/trashed_documents/" + doc + "/restore/").POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, restored.status);
        assertEquals("", restored.body);
        assertEquals(200, get("/documents/" + doc + "/").status);
        assertEquals(404, get("/trashed_documents/" + doc + "/").status);
    }

    @Test
    void behindALoginProxyEveryRequestIsRedirectedAndNothingReachesMayan() throws Exception {
        mayan.setLoginRedirect(mayan.baseUrl() + FakeMayan.LOGIN_PATH + "?client_id=x");
        Response upload = send(authorized("/documents/").header("Content-Type", "application/json")
                .POST(json(Map.of("document_type_id", 1))));
        assertEquals(302, upload.status);
        String location = upload.headers.firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(mayan.baseUrl() + FakeMayan.LOGIN_PATH + "?client_id=x&rd="), location);
        assertTrue(location.endsWith(URLEncoder.encode(mayan.apiUrl() + "/documents/", StandardCharsets.UTF_8)), location);
        Response page = send(HttpRequest.newBuilder(URI.create(location)).GET());
        assertEquals(200, page.status);
        assertTrue(page.headers.firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(mayan.documents().isEmpty());

        mayan.setLoginRedirect(null);
        assertEquals(200, get("/documents/").status);
    }

    @Test
    void cabinetsHaveFullPathsAndTakeDocuments() throws Exception {
        long doc = mayan.createDocument(1, "d", new byte[] {1}, "d.bin");
        long root = mayan.createCabinet("Finance", null);
        assertError(postJson("/cabinets/", Map.of("label", "2026", "parent_id", root)),
                "{\"parent\":[\"This field is required.\"]}");
        Response child = postJson("/cabinets/", Map.of("label", "2026", "parent", root));
        assertEquals(201, child.status);
        assertEquals("Finance" + FakeMayan.CABINET_PATH_SEPARATOR + "2026", child.json().get("full_path").asText());
        assertEquals("Finance / 2026", child.json().get("full_path").asText());
        assertEquals(root, child.json().get("parent_id").asLong());
        assertError(postJson("/cabinets/", Map.of("label", "2026", "parent", root)),
                "{\"non_field_errors\":[\"The fields parent, label must make a unique set.\"]}");

        long childId = child.json().get("id").asLong();
        Response added = postJson("/cabinets/" + childId + "/documents/add/", Map.of("document", doc));
        assertEquals(200, added.status);
        assertEquals("", added.body);
        assertEquals(List.of("Finance / 2026"), mayan.document(doc).orElseThrow().cabinets());
        assertEquals("Finance / 2026",
                get("/documents/" + doc + "/cabinets/").json().get("results").get(0).get("full_path").asText());
    }

    // --- control knobs ---------------------------------------------------------------------------

    @Test
    void throttleAnswers429WithRetryAfter() throws Exception {
        mayan.setThrottle(3);
        List<Integer> statuses = new ArrayList<>();
        Response last = null;
        for (int i = 0; i < 5; i++) {
            last = get("/project/");
            statuses.add(last.status);
        }
        assertEquals(List.of(200, 200, 200, 429, 429), statuses);
        assertEquals("1", last.headers.firstValue("Retry-After").orElseThrow());
        assertEquals("Request was throttled. Expected available in 1 second.", last.json().get("detail").asText());
        mayan.setThrottle(0);
        assertEquals(200, get("/project/").status);
    }

    @Test
    void failNextInjectsErrorsWithoutSideEffects() throws Exception {
        mayan.failNext("POST", "/api/v4/documents/upload/", 503, 1);
        mayan.failNext("GET", "/api/v4/documents/.*", 429, 2);
        MultipartBody form = new MultipartBody().field("document_type_id", "1").file("file", "a.txt", new byte[] {1});
        Response failed = send(form.post(authorized("/documents/upload/")));
        assertEquals(503, failed.status);
        assertEquals("injected", failed.json().get("detail").asText());
        assertTrue(mayan.documents().isEmpty());
        assertEquals(201, send(form.post(authorized("/documents/upload/"))).status);

        Response throttled = get("/documents/?page_size=5");
        assertEquals(429, throttled.status);
        assertEquals("1", throttled.headers.firstValue("Retry-After").orElseThrow());
        assertEquals(429, get("/documents/").status);
        assertEquals(200, get("/documents/").status);
        assertEquals(2, mayan.count("POST", "/api/v4/documents/upload/"));
        assertEquals(3, mayan.count("GET", "/api/v4/documents/"));
    }

    @Test
    void stallNextDelaysButStillAnswers() throws Exception {
        mayan.stallNext("GET", "/api/v4/project/", Duration.ofMillis(400), 1);
        long started = System.nanoTime();
        assertEquals(200, get("/project/").status);
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(400).toNanos());
    }

    @Test
    void randomFaultsHitTheirShareOfRequestsWithoutSideEffects() throws Exception {
        mayan.setRandomFaults(0.5, 42, Duration.ofMillis(50));
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < 200; i++) {
            Response r = send(new MultipartBody().field("document_type_id", "1").field("label", "r" + i)
                    .file("file", "r" + i + ".txt", new byte[] {(byte) i}).post(authorized("/documents/upload/")));
            statuses.merge(r.status, 1, Integer::sum);
            if (r.status == 429) {
                assertEquals("1", r.headers.firstValue("Retry-After").orElseThrow());
            }
            if (r.status == 500) {
                assertTrue(r.body.contains("Server Error (500)"), "Django's HTML page");
            }
        }
        mayan.clearRandomFaults();
        Map<String, Integer> injected = mayan.randomFaultCounts();
        int errors = injected.getOrDefault("500", 0) + injected.getOrDefault("503", 0) + injected.getOrDefault("429", 0);
        int faults = errors + injected.getOrDefault("stall", 0);
        assertTrue(faults > 70 && faults < 130, "about half of 200 requests: " + injected);
        assertTrue(injected.keySet().containsAll(List.of("500", "503", "429", "stall")), injected.toString());
        // A stalled upload still takes effect; a failed one changes nothing.
        assertEquals(200 - errors, statuses.get(201));
        assertEquals(200 - errors, mayan.documents().size());
        assertEquals(201, send(new MultipartBody().field("document_type_id", "1")
                .file("file", "after.txt", new byte[] {1}).post(authorized("/documents/upload/"))).status);

        // The same seed gives the same decisions for the same sequence of requests.
        mayan.setRandomFaults(0.5, 42, Duration.ofMillis(1));
        for (int i = 0; i < 200; i++) {
            get("/project/");
        }
        assertEquals(injected, mayan.randomFaultCounts());
    }

    @Test
    void anAlteredUploadIsStoredWithAnotherChecksum() throws Exception {
        mayan.alterNextUploads(1);
        byte[] content = "what the client sent".getBytes(StandardCharsets.UTF_8);
        MultipartBody form = new MultipartBody().field("document_type_id", "1").file("file", "a.txt", content);
        long altered = send(form.post(authorized("/documents/upload/"))).json().get("id").asLong();
        long intact = send(form.post(authorized("/documents/upload/"))).json().get("id").asLong();
        await().atMost(5, SECONDS).until(() -> checksum(intact) != null && checksum(altered) != null);
        assertEquals(sha256(content), checksum(intact));
        assertFalse(sha256(content).equals(checksum(altered)));
    }

    private String checksum(long documentId) {
        return mayan.document(documentId).orElseThrow().latestFile().map(FakeFile::checksum).orElse(null);
    }

    @Test
    void resetGoesBackToAFreshMayan() throws Exception {
        mayan.createDocumentType("Invoice");
        mayan.createDocument(1, "d", new byte[] {1}, "d.bin");
        mayan.reset();
        assertTrue(mayan.documents().isEmpty());
        JsonNode types = get("/document_types/").json();
        assertEquals(1, types.get("count").asInt());
        assertEquals(1, types.get("results").get(0).get("id").asLong());
        assertEquals("Default", types.get("results").get(0).get("label").asText());
    }

    // --- helpers ---------------------------------------------------------------------------------

    private record Response(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(mayan.apiUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
    }

    private HttpRequest.Builder authorized(String path) {
        return request(path).header("Authorization", "Token " + TOKEN);
    }

    private Response send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response.headers());
    }

    private Response get(String path) throws IOException, InterruptedException {
        return send(authorized(path).GET());
    }

    private Response postJson(String path, Map<String, ?> body) throws IOException, InterruptedException {
        return send(authorized(path).header("Content-Type", "application/json").POST(json(body)));
    }

    private static HttpRequest.BodyPublisher json(Map<String, ?> body) throws IOException {
        return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
    }

    private static void assertError(Response response, String expectedJson) throws IOException {
        assertEquals(400, response.status, response.body);
        assertEquals(JSON.readTree(expectedJson), response.json());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A streamed multipart/form-data body: sent chunked, never built in memory. */
    private static final class MultipartBody {
        private final String boundary = "----FakeMayanTest" + UUID.randomUUID();
        private final List<Supplier<InputStream>> pieces = new ArrayList<>();

        MultipartBody field(String name, String value) {
            return field(name, value, false);
        }

        /** With {@code typed}, the part says {@code Content-Type: text/plain; charset=UTF-8}. */
        MultipartBody field(String name, String value, boolean typed) {
            text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n"
                    + (typed ? "Content-Type: text/plain; charset=UTF-8\r\n" : "") + "\r\n" + value + "\r\n");
            return this;
        }

        MultipartBody file(String name, String filename, byte[] content) {
            return file(name, filename, () -> new ByteArrayInputStream(content), false);
        }

        /** With {@code rfc5987}, the name is sent as {@code filename*=UTF-8''...} next to an ASCII fallback. */
        MultipartBody file(String name, String filename, Supplier<InputStream> content, boolean rfc5987) {
            String disposition = rfc5987
                    ? "filename=\"fallback.bin\"; filename*=UTF-8''"
                            + URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20")
                    : "filename=\"" + filename + "\""; // raw UTF-8 bytes, as browsers send
            text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; " + disposition
                    + "\r\nContent-Type: application/octet-stream\r\n\r\n");
            pieces.add(content);
            text("\r\n");
            return this;
        }

        private void text(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            pieces.add(() -> new ByteArrayInputStream(bytes));
        }

        /** A request sending this form chunked (no Content-Length), streamed from {@link #stream()}. */
        HttpRequest.Builder post(HttpRequest.Builder builder) {
            return builder.header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(this::stream));
        }

        InputStream stream() {
            List<InputStream> opened = new ArrayList<>();
            pieces.forEach(piece -> opened.add(piece.get()));
            opened.add(new ByteArrayInputStream(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8)));
            return new SequenceInputStream(Collections.enumeration(opened));
        }
    }

    /** Hands out at most {@code chunk} bytes per read, to split delimiters at every possible offset. */
    private static final class ChunkedStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int position;

        ChunkedStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return position < data.length ? data[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }

    /** {@code size} deterministic pseudo-random bytes, generated on the fly. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private long position;
        private long state = 0x9E3779B97F4A7C15L;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            position++;
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return (int) (state & 0xFF);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) read();
            }
            return n;
        }

        static String sha256(long size) throws Exception {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new PatternStream(size)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
