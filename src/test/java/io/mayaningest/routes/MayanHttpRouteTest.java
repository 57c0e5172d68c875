package io.mayaningest.routes;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.mayan.MayanHttpRoutes;
import io.mayaningest.source.MayanHeaders;
import io.mayaningest.source.route.IngestFailedException;
import io.mayaningest.source.route.RouteSourceRoutes;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.quarkus.test.CamelQuarkusTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Route-level tests of the pipeline behind {@code direct:mayan-ingest}: the Camel HTTP endpoint of
 * route {@code mayan-http} is replaced by {@code mock:mayan} (AdviceWith), whose scripted replies
 * (see {@link MayanMock}) drive the real routes through each branch. Calls no rule matches go on to
 * the Mayan test double behind the original endpoint.
 * <p>
 * A CamelQuarkusTestSupport class needs a test profile of its own (Quarkus starts once more for it:
 * the advice changes the application's routes), so every branch lives in this one class, and the
 * advice is applied once and kept for all its tests.
 */
@QuarkusTest
@TestProfile(MayanHttpRouteTest.Profile.class)
@WithTestResource(FakeMayanResource.class)
class MayanHttpRouteTest extends CamelQuarkusTestSupport {

    private static final String UPLOAD = "sources/1/actions/document_upload/execute/";
    private static final String FILES = "documents/\\d+/files/";
    private static final String DOUBLE = "direct:mayan-test-double";
    private static MayanMock mayanMock;
    private static Endpoint realEndpoint;

    /** Short enough that "the file never appears" ends within the test; FakeMayan confirms in ~0.4 s. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mayan.file-timeout", "1500ms");
        }
    }

    @BeforeEach
    void adviseOnce() throws Exception {
        if (mayanMock == null) {
            Endpoint real = context.getEndpoints().stream().filter(e -> e instanceof HttpEndpoint).findFirst()
                    .orElseThrow();
            // The real endpoint stays in use by a route of the test's own, so advising mayan-http (which
            // removes and re-adds it) does not stop the endpoint and close its connection pool.
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(DOUBLE).routeId("mayan-test-double").errorHandler(noErrorHandler()).to(real);
                }
            });
            AdviceWith.adviceWith(context, MayanHttpRoutes.MAYAN_HTTP_ROUTE,
                    a -> a.weaveByToUri("http*").replace().to("mock:mayan"));
            mayanMock = new MayanMock(context.createProducerTemplate(), DOUBLE);
            realEndpoint = real;
            getMockEndpoint("mock:mayan").whenAnyExchangeReceived(mayanMock);
        }
        mayanMock.reset();
        MockEndpoint mock = getMockEndpoint("mock:mayan");
        mock.reset();
        mock.whenAnyExchangeReceived(mayanMock);
    }

    private FakeMayan mayan() {
        return FakeMayanResource.mayan();
    }

    private Exchange ingest(byte[] content, Map<String, Object> headers) {
        return template.send(RouteSourceRoutes.ENTRY, e -> {
            e.getMessage().setHeaders(new HashMap<>(headers));
            e.getMessage().setBody(content);
        });
    }

    private static IngestFailedException failure(Exchange result) {
        for (Throwable t = result.getException(); t != null; t = t.getCause()) {
            if (t instanceof IngestFailedException f) {
                return f;
            }
        }
        throw new AssertionError("no IngestFailedException but " + result.getException());
    }

    private NotifyBuilder itemDone() {
        return new NotifyBuilder(context).fromRoute(RouteSourceRoutes.ITEM_ROUTE).whenDone(1).create();
    }

    @Test
    void created201IsConfirmedAndDone() {
        String label = "Created " + UUID.randomUUID();
        byte[] content = pdf(label);
        NotifyBuilder done = itemDone();

        Exchange result = ingest(content, Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label,
                MayanHeaders.DOCUMENT_TYPE, "Invoice", MayanHeaders.METADATA, "{\"invoice_number\": \"4711\"}",
                MayanHeaders.TAGS, "urgent"));

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(MayanHeaders.INGEST_STATUS)).isEqualTo("done");
        assertThat(mayanMock.calls("POST", UPLOAD)).extracting(MayanMock.Call::status).containsExactly(201);
        assertThat(mayanMock.calls("GET", FILES)).isNotEmpty();
        FakeDocument doc = mayan().documentByLabel(label).orElseThrow();
        assertThat(result.getMessage().getHeader(MayanHeaders.DOCUMENT_ID, Long.class)).isEqualTo(doc.id());
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(doc.tags()).containsExactly("urgent");
        assertThat(doc.metadata()).containsEntry("invoice_number", "4711");
        // The token is added by the HTTP client's interceptor: not in the endpoint's URI, not in a header.
        assertThat(realEndpoint.getEndpointUri()).startsWith(mayan().baseUrl())
                .doesNotContain(FakeMayanResource.TOKEN);
        // Only what the call needs reached Mayan: none of the item's Mayan* headers.
        getMockEndpoint("mock:mayan").getExchanges().forEach(e -> assertThat(e.getIn().getHeaders().keySet())
                .noneMatch(h -> h.startsWith("Mayan")).doesNotContain("Authorization")
                .allMatch(h -> h.startsWith("Camel") || h.equals("Accept") || h.equals("Content-Type")));
    }

    @Test
    void accepted202NewFileIsResolvedByPolling() {
        String label = "Versioned " + UUID.randomUUID();
        Exchange first = ingest(pdf(label), Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label));
        long documentId = first.getMessage().getHeader(MayanHeaders.DOCUMENT_ID, Long.class);
        mayanMock.reset();
        // Mayan still processing: the file list shows nothing new for the first two polls.
        mayanMock.when("GET", "documents/" + documentId + "/files/", 2,
                MayanMock.Reply.of(200, "{\"count\": 0, \"next\": null, \"previous\": null, \"results\": []}"));
        byte[] second = pdf(label + " second");
        NotifyBuilder done = itemDone();

        Exchange result = ingest(second, Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.DOCUMENT_ID,
                String.valueOf(documentId), MayanHeaders.ACTION, "replace"));

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(result.getException()).isNull();
        assertThat(mayanMock.calls("POST", "(documents/" + documentId + "/files/|sources/1/actions/document_file_upload/execute/)"))
                .extracting(MayanMock.Call::status).containsExactly(202);
        List<MayanMock.Call> polls = mayanMock.calls("GET", "documents/" + documentId + "/files/");
        assertThat(polls).hasSizeGreaterThanOrEqualTo(3);
        assertThat(polls.subList(0, 2)).allMatch(MayanMock.Call::scripted);
        FakeDocument doc = mayan().document(documentId).orElseThrow();
        assertThat(result.getMessage().getHeader(MayanHeaders.FILE_ID, Long.class))
                .isEqualTo(doc.latestFile().orElseThrow().id());
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(second));
    }

    @Test
    void aFileThatNeverAppearsEndsWithTheReason() {
        String label = "Never " + UUID.randomUUID();
        mayanMock.when("GET", FILES, -1,
                MayanMock.Reply.of(200, "{\"count\": 0, \"next\": null, \"previous\": null, \"results\": []}"));

        Exchange result = ingest(pdf(label), Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label));

        IngestFailedException e = failure(result);
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.getReason()).contains("Mayan has not finished processing").contains("after 1 s");
        assertThat(e.getFix()).contains("Celery").contains("never uploaded twice");
        assertThat(result.getMessage().getHeader(MayanHeaders.INGEST_STATUS)).isEqualTo("retry-later");
        assertThat(mayanMock.calls("POST", UPLOAD)).as("polled again on retry, never uploaded twice").hasSize(1);
    }

    @Test
    void aChecksumMismatchIsPermanentWithTheStoredChecksum() {
        String label = "Altered " + UUID.randomUUID();
        String wrong = "0".repeat(64);
        mayanMock.when("GET", FILES, -1, MayanMock.Reply.of(200, "{\"count\": 1, \"next\": null, \"previous\": null,"
                + " \"results\": [{\"id\": 777, \"comment\": \"\", \"checksum\": \"" + wrong + "\"}]}"));

        Exchange result = ingest(pdf(label), Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label));

        IngestFailedException e = failure(result);
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.getReason()).contains("Mayan stored file 777").contains("with checksum " + wrong);
        assertThat(result.getMessage().getHeader(MayanHeaders.INGEST_STATUS)).isEqualTo("failed");
    }

    @Test
    void theSameContentAgainIsSkippedWithoutAnUpload() {
        String label = "Twice " + UUID.randomUUID();
        byte[] content = pdf(label);
        Exchange first = ingest(content, Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label));
        assertThat(first.getException()).isNull();
        mayanMock.reset();

        Exchange second = ingest(content, Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label + " copy",
                MayanHeaders.FILE_NAME, "copy.pdf"));

        assertThat(second.getException()).isNull();
        assertThat(second.getMessage().getHeader(MayanHeaders.DOCUMENT_ID))
                .isEqualTo(first.getMessage().getHeader(MayanHeaders.DOCUMENT_ID));
        assertThat(mayanMock.calls("POST", ".*")).as("nothing uploaded or changed").isEmpty();
        assertThat(mayan().documentByLabel(label + " copy")).isEmpty();
    }

    @Test
    void a404OnTheUploadIsPermanentWithMayansWords() {
        String label = "Gone type " + UUID.randomUUID();
        mayanMock.when("POST", UPLOAD, 1,
                MayanMock.Reply.of(404, "{\"detail\": \"No DocumentType matches the given query.\"}"));

        Exchange result = ingest(pdf(label), Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label));

        IngestFailedException e = failure(result);
        assertThat(e.isPermanent()).isTrue();
        // The uploader names what a 404 of the upload means (the type gone or no longer permitted).
        assertThat(e.getReason()).contains("document type \"Default\"").contains("no longer exists")
                .contains("404 on the upload");
        assertThat(mayanMock.calls("POST", UPLOAD)).hasSize(1);
        assertThat(mayan().documentByLabel(label)).isEmpty();
    }

    @Test
    void a429IsRetriedAfterMayansRetryAfter() {
        String label = "Throttled " + UUID.randomUUID();
        mayanMock.when("POST", UPLOAD, 1, new MayanMock.Reply(429,
                "{\"detail\": \"Request was throttled. Expected available in 1 second.\"}", Map.of("Retry-After", "1")));
        NotifyBuilder done = itemDone();

        Exchange result = ingest(pdf(label), Map.of(MayanHeaders.SOURCE, "route-test", MayanHeaders.LABEL, label));

        // The caller hears at once that the item is retried later; the redelivery waits as Mayan asked.
        IngestFailedException e = failure(result);
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.getReason()).contains("429 on POST " + UPLOAD);
        assertThat(done.matches(15, TimeUnit.SECONDS)).isTrue();
        List<MayanMock.Call> uploads = mayanMock.calls("POST", UPLOAD);
        assertThat(uploads).extracting(MayanMock.Call::status).containsExactly(429, 201);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(uploads.get(1).nanos() - uploads.get(0).nanos());
        assertThat(waitedMillis).as("Retry-After: 1 beats the 100 ms back-off").isGreaterThanOrEqualTo(900);
        assertThat(mayan().documentByLabel(label)).isPresent();
    }
}
