package io.mayaningest.source.jms;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.jms.BytesMessage;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;

/**
 * The JMS source against an embedded Artemis broker and the Mayan test double: documents from
 * messages, the dead-letter queue, broker redelivery after a rollback, and the result events.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
@WithTestResource(ArtemisResource.class)
class JmsIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeMayan mayan = FakeMayanResource.mayan();

    @Inject
    Ledger ledger;

    @Test
    void messageBecomesADocumentWithThePropertiesMappingAndADoneEvent() throws Exception {
        String number = UUID.randomUUID().toString().substring(0, 8);
        byte[] content = pdf("jms invoice " + number);
        String messageId = ArtemisResource.send(content, Map.of(
                JmsSourceMapper.FILE_NAME, "../../etc/invoice-" + number + ".pdf",
                JmsSourceMapper.DOCUMENT_TYPE, "Invoice",
                JmsSourceMapper.LABEL, "JMS invoice " + number,
                JmsSourceMapper.METADATA, "{\"invoice_number\": \"" + number + "\", \"currency\": \"CHF\"}",
                JmsSourceMapper.TAGS, "urgent, scanned",
                JmsSourceMapper.CABINETS, "Finance"));

        // The document exists before its metadata is set: wait for the ledger to say done.
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.findBySourceKey("orders", messageId)
                .map(e -> e.state() == LedgerState.DONE).orElse(false));
        FakeDocument doc = mayan.documentByLabel("JMS invoice " + number).orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(doc.description()).isEqualTo("via JMS message " + messageId);
        assertThat(doc.metadata()).containsEntry("invoice_number", number).containsEntry("currency", "CHF");
        assertThat(doc.tags()).containsExactlyInAnyOrder("urgent", "scanned");
        assertThat(doc.cabinets()).containsExactly("Finance");
        // The file name lost its directories; the content arrived whole.
        assertThat(doc.latestFile().orElseThrow().filename()).isEqualTo("invoice-" + number + ".pdf");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));

        JsonNode event = event("done", messageId);
        assertThat(event.path("documentId").asLong()).isEqualTo(doc.id());
        assertThat(event.path("checksum").asText()).isEqualTo(sha256(content));
        assertThat(event.path("source").asText()).isEqualTo("orders");
        assertThat(event.path("documentUrl").asText()).endsWith("/api/v4/documents/" + doc.id() + "/");
        assertThat(event.path("fileId").isNumber()).isTrue();
        assertThat(event.path("error").isNull()).isTrue();
    }

    @Test
    void messagesOfOneQueueAreIngestedSideBySideUpToTheCap() throws Exception {
        // concurrency defaults to mayan.max-in-flight (4 here): as many transacted consumers.
        String stem = "jms-parallel-" + UUID.randomUUID().toString().substring(0, 8);
        int messages = 6;
        mayan.watchConcurrency("POST", FakeMayan.DOCUMENT_UPLOAD);
        mayan.stallNext("POST", FakeMayan.DOCUMENT_UPLOAD, Duration.ofMillis(800), messages);
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < messages; i++) {
            ids.add(ArtemisResource.send(pdf(stem + i), Map.of(JmsSourceMapper.FILE_NAME, stem + "-" + i + ".pdf",
                    JmsSourceMapper.LABEL, stem + "-" + i)));
        }
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.findBySourceKey("orders", id)
                    .map(e -> e.state() == LedgerState.DONE).orElse(false));
        }
        assertThat(mayan.documents()).filteredOn(d -> d.label().startsWith(stem)).hasSize(messages);
        assertThat(mayan.peakConcurrency()).isBetween(2, 4);
    }

    @Test
    void aFileNameLongerThanTheFileSystemAllowsIsIngestedUnderItsNameShortenedByBytes() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        // 150 characters, 454 bytes in UTF-8: the file system refuses a spool file of that name.
        String longName = marker + "-" + "ü文".repeat(75) + ".pdf";
        byte[] content = pdf("long " + marker);
        String messageId = ArtemisResource.send(content, Map.of(JmsSourceMapper.FILE_NAME, longName));

        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.findBySourceKey("orders", messageId)
                .map(e -> e.state() == LedgerState.DONE).orElse(false));
        FakeDocument doc = mayan.documents().stream().filter(d -> d.label().startsWith(marker + "-")).findFirst()
                .orElseThrow();
        String name = doc.latestFile().orElseThrow().filename();
        assertThat(name).startsWith(marker + "-ü文ü文").endsWith(".pdf");
        // SafeNames keeps a remote item's name to 200 UTF-8 bytes (cut at a character boundary, extension
        // kept), which leaves room for the suffixes of done/ and error/ names within the 255-byte limit.
        assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isBetween(195, 200);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(doc.label()).isEqualTo(name.substring(0, name.length() - ".pdf".length()));
    }

    @Test
    void unknownDocumentTypeGoesToTheDeadLetterQueueWithItsReason() throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] content = pdf(marker);
        String messageId = ArtemisResource.send(content, Map.of(
                JmsSourceMapper.DOCUMENT_TYPE, "Nope",
                JmsSourceMapper.FILE_NAME, marker + ".pdf",
                "MayanOrderNo", "A-17"));

        ArtemisResource.receive(ArtemisResource.DLQ, m -> marker.equals(prop(m, "MayanFileName").replace(".pdf", "")),
                dead -> {
                    assertThat(dead).isInstanceOf(BytesMessage.class);
                    assertThat(dead.getStringProperty(JmsAcknowledger.ERROR))
                            .contains("document type \"Nope\" does not exist in Mayan");
                    assertThat(dead.getStringProperty(JmsAcknowledger.FIX)).isNotBlank();
                    assertThat(dead.getStringProperty(JmsAcknowledger.INGEST_ID)).matches("[0-9a-f-]{36}");
                    assertThat(dead.getStringProperty("MayanOrderNo")).isEqualTo("A-17");
                    // The body is read while the session is open: Artemis streams large messages.
                    BytesMessage body = (BytesMessage) dead;
                    byte[] copy = new byte[(int) body.getBodyLength()];
                    body.readBytes(copy);
                    assertThat(copy).isEqualTo(content);
                    return null;
                });
        assertThat(mayan.documents()).noneMatch(d -> d.label().startsWith(marker));

        JsonNode event = event("failed", messageId);
        assertThat(event.path("error").asText()).contains("Nope");
        assertThat(event.path("documentId").isNull()).isTrue();
    }

    @Test
    void mayanUnavailableRollsBackAndTheRedeliveredMessageIsIngestedOnce() throws Exception {
        String label = "retry-" + UUID.randomUUID();
        // 1 attempt + 3 in-process retries fail, the session rolls back; the redelivery fails once more,
        // then succeeds.
        mayan.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 503, 5);
        String messageId = ArtemisResource.send(pdf(label), Map.of(JmsSourceMapper.LABEL, label));

        await().atMost(Duration.ofSeconds(60)).until(() -> mayan.documentByLabel(label).isPresent());
        event("done", messageId);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(label))).hasSize(1);
        Ledger.Entry entry = ledger.findBySourceKey("orders", messageId).orElseThrow();
        assertThat(entry.state()).isEqualTo(LedgerState.DONE);
        assertThat(entry.attempts()).as("rolled back at least once").isGreaterThanOrEqualTo(1);
    }

    private JsonNode event(String status, String messageId) throws Exception {
        String ingestId = ledger.findBySourceKey("orders", messageId).map(Ledger.Entry::id).orElse(null);
        String text = ArtemisResource.receive(ArtemisResource.EVENTS, msg -> {
            try {
                JsonNode e = JSON.readTree(((TextMessage) msg).getText());
                String id = ingestId != null ? ingestId
                        : ledger.findBySourceKey("orders", messageId).map(Ledger.Entry::id).orElse("?");
                return id.equals(e.path("ingestId").asText()) && status.equals(e.path("status").asText());
            } catch (Exception ex) {
                return false;
            }
        }, msg -> ((TextMessage) msg).getText());
        return JSON.readTree(text);
    }

    private static String prop(Message m, String name) {
        try {
            String v = m.getStringProperty(name);
            return v == null ? "" : v;
        } catch (Exception e) {
            return "";
        }
    }
}
