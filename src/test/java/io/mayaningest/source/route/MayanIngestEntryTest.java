package io.mayaningest.source.route;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.source.MayanHeaders;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * The public entry {@code direct:mayan-ingest} in process, as a user's route calls it: what comes back
 * (headers or the exception) and what is in Mayan by then.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class MayanIngestEntryTest {

    private final FakeMayan mayan = FakeMayanResource.mayan();

    @Inject
    ProducerTemplate producer;

    @Inject
    CamelContext context;

    private Exchange send(Object body, Map<String, Object> headers) {
        Exchange result = producer.send(RouteSourceRoutes.ENTRY, e -> {
            e.getMessage().setHeaders(new HashMap<>(headers));
            e.getMessage().setBody(body);
        });
        if (result.getException() != null) {
            throw new CamelExecutionException("failed", result, result.getException());
        }
        return result;
    }

    @Test
    void aDocumentWithHeadersIsCompleteInMayanWhenTheCallReturns() {
        String label = "Letter " + UUID.randomUUID();
        byte[] content = pdf(label);
        NotifyBuilder item = new NotifyBuilder(context).fromRoute(RouteSourceRoutes.ITEM_ROUTE).whenCompleted(1).create();

        Exchange result = send(content, Map.of(
                MayanHeaders.SOURCE, "api-test",
                MayanHeaders.FILE_NAME, "letter.pdf",
                MayanHeaders.DOCUMENT_TYPE, "Invoice",
                MayanHeaders.LABEL, label,
                MayanHeaders.METADATA, "{\"invoice_number\": \"4711\", \"currency\": \"CHF\"}",
                MayanHeaders.TAGS, "urgent, scanned",
                MayanHeaders.CABINETS, "Finance"));

        // Returned means done: no waiting for Mayan here.
        FakeDocument doc = mayan.documentByLabel(label).orElseThrow();
        assertThat(result.getMessage().getHeader(MayanHeaders.INGEST_STATUS)).isEqualTo("done");
        assertThat(result.getMessage().getHeader(MayanHeaders.DOCUMENT_ID, Long.class)).isEqualTo(doc.id());
        assertThat(result.getMessage().getHeader(MayanHeaders.FILE_ID, Long.class))
                .isEqualTo(doc.latestFile().orElseThrow().id());
        assertThat(result.getMessage().getHeader(MayanHeaders.INGEST_ID, String.class)).matches("[0-9a-f-]{36}");
        assertThat(result.getMessage().getBody()).isSameAs(content);
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.metadata()).containsEntry("invoice_number", "4711").containsEntry("currency", "CHF");
        assertThat(doc.tags()).containsExactlyInAnyOrder("urgent", "scanned");
        assertThat(doc.cabinets()).containsExactly("Finance");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(doc.latestFile().orElseThrow().filename()).isEqualTo("letter.pdf");
        assertThat(item.matches(5, TimeUnit.SECONDS)).isTrue();
        String id = result.getMessage().getHeader(MayanHeaders.INGEST_ID, String.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> EventTapRoutes.EVENTS.stream()
                .anyMatch(e -> e.startsWith("done ") && e.contains(id) && e.contains("\"source\":\"api-test\"")));
    }

    @Test
    void theSameSourceKeyAgainResumesAndNeverUploadsTwice() {
        String label = "Resumed " + UUID.randomUUID();
        byte[] content = pdf(label);
        Map<String, Object> headers = Map.of(MayanHeaders.SOURCE, "api-test", MayanHeaders.LABEL, label,
                MayanHeaders.SOURCE_KEY, "order-" + label);
        int uploads = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);

        Exchange first = send(new ByteArrayInputStream(content), headers);
        Exchange second = send(new ByteArrayInputStream(content), headers);

        assertThat(second.getMessage().getHeader(MayanHeaders.DOCUMENT_ID))
                .isEqualTo(first.getMessage().getHeader(MayanHeaders.DOCUMENT_ID));
        assertThat(second.getMessage().getHeader(MayanHeaders.INGEST_ID))
                .isEqualTo(first.getMessage().getHeader(MayanHeaders.INGEST_ID));
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD)).isEqualTo(uploads + 1);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(label))).hasSize(1);
    }

    @Test
    void aPermanentFailureThrowsTheReasonAndTheFixToTheCaller() {
        String label = "Unknown type " + UUID.randomUUID();
        assertThatThrownBy(() -> send(pdf(label), Map.of(MayanHeaders.SOURCE, "api-test",
                MayanHeaders.LABEL, label, MayanHeaders.DOCUMENT_TYPE, "Nope")))
                .cause()
                .isInstanceOfSatisfying(IngestFailedException.class, e -> {
                    assertThat(e.isPermanent()).isTrue();
                    assertThat(e.getIngestId()).isNotNull();
                    assertThat(e.getMessage()).contains("document type \"Nope\" does not exist in Mayan")
                            .contains("Fix: create the document type in Mayan");
                });
        assertThat(mayan.documentByLabel(label)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> EventTapRoutes.EVENTS.stream()
                .anyMatch(e -> e.startsWith("failed ") && e.contains("Nope")));
    }

    @Test
    void aSourceOfKindRouteGivesItsMappingAndItsLimits() {
        String no = String.valueOf(System.nanoTime());
        Exchange result = send(pdf(no), Map.of(MayanHeaders.SOURCE, "partner-route", MayanHeaders.FILE_NAME, no + ".pdf"));

        FakeDocument doc = mayan.documentByLabel("Partner invoice " + no).orElseThrow();
        assertThat(result.getMessage().getHeader(MayanHeaders.DOCUMENT_ID, Long.class)).isEqualTo(doc.id());
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.metadata()).containsEntry("invoice_number", no);

        assertThatThrownBy(() -> send(new byte[70_000], Map.of(MayanHeaders.SOURCE, "partner-route",
                MayanHeaders.FILE_NAME, "1.pdf")))
                .cause().isInstanceOf(IngestFailedException.class)
                .hasMessageContaining("more than the limit of 65536 bytes of source \"partner-route\"")
                .hasMessageContaining("Fix: raise ingest.sources.partner-route.max-file-size");
        // Without headers describing it, a name the source's pattern does not match is refused with the pattern.
        assertThatThrownBy(() -> send(pdf("x"), Map.of(MayanHeaders.SOURCE, "partner-route",
                MayanHeaders.FILE_NAME, "not-a-number.pdf")))
                .cause().isInstanceOf(IngestFailedException.class)
                .hasMessageContaining("does not match the filename-pattern");
    }

    @Test
    void aSourceNameOfAnotherKindIsRefused() {
        assertThatThrownBy(() -> send(pdf("x"), Map.of(MayanHeaders.SOURCE, "plain")))
                .cause().isInstanceOf(IngestFailedException.class)
                .hasMessageContaining("names a source of kind file")
                .hasMessageContaining("ingest.sources.plain.kind=route");
    }
}
