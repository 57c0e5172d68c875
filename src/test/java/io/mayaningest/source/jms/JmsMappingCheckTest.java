package io.mayaningest.source.jms;

import io.mayaningest.source.SourceRoutes;
import static io.mayaningest.Drops.pdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.source.SourceHealth;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

/**
 * A JMS source whose document type Mayan lacks: its consumer is suspended, so a message sent meanwhile
 * stays on the queue (not taken, not dead-lettered); the type created in Mayan resumes the consumer and
 * the message is ingested.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
@WithTestResource(ArtemisResource.class)
@WithTestResource(JmsMappingCheckTest.BillsSource.class)
class JmsMappingCheckTest {

    static final String QUEUE = "bills";

    /** Source "bills" on its own queue, for the document type "Bill" that the test double does not have. */
    public static class BillsSource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            String p = "ingest.sources.bills.";
            return Map.of("quarkus.http.test-port", "0", "mayan.health-interval", "500ms",
                    p + "kind", "jms", p + "destination", QUEUE, p + "document-type", "Bill",
                    p + "label", "{file.basename}");
        }

        @Override
        public void stop() {
        }
    }

    private final FakeMayan mayan = FakeMayanResource.mayan();

    @Inject
    CamelContext camel;

    @Inject
    SourceHealth health;

    @Inject
    Ledger ledger;

    @Test
    void theConsumerOfASourceNamingAMissingTypeIsSuspendedAndTheMessageWaitsOnTheQueue() throws Exception {
        String route = SourceRoutes.routeId("bills");
        await().atMost(Duration.ofSeconds(30)).until(() -> health.mappingDown("bills")
                && camel.getRouteController().getRouteStatus(route) == ServiceStatus.Suspended);
        assertThat(health.status("bills").reason()).isEqualTo("document type \"Bill\" does not exist in Mayan");
        assertThat(health.status("bills").fix()).contains("ingest.sources.bills.document-type");
        // The other JMS source keeps consuming.
        assertThat(camel.getRouteController().getRouteStatus(SourceRoutes.routeId("orders")))
                .isEqualTo(ServiceStatus.Started);

        String marker = "bill-" + UUID.randomUUID();
        send(pdf(marker), marker + ".pdf");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> onQueue(QUEUE) == 1
                && onQueue(QUEUE + ".DLQ") == 0 && ledger.all().stream().noneMatch(e -> "bills".equals(e.source())));

        mayan.createDocumentType("Bill");
        await().atMost(Duration.ofSeconds(30)).until(() -> mayan.documentByLabel(marker).isPresent());
        assertThat(mayan.documentByLabel(marker).orElseThrow().documentTypeLabel()).isEqualTo("Bill");
        await().atMost(Duration.ofSeconds(10)).until(() -> ledger.all().stream()
                .anyMatch(e -> "bills".equals(e.source()) && e.state() == LedgerState.DONE));
        assertThat(camel.getRouteController().getRouteStatus(route)).isEqualTo(ServiceStatus.Started);
        assertThat(health.status("bills").up()).isTrue();
        assertThat(onQueue(QUEUE + ".DLQ")).isZero();
    }

    private static void send(byte[] body, String fileName) throws Exception {
        try (Connection connection = ArtemisResource.connectionFactory().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(body);
            message.setStringProperty(JmsSourceMapper.FILE_NAME, fileName);
            session.createProducer(session.createQueue(QUEUE)).send(message);
        }
    }

    private static int onQueue(String queue) throws Exception {
        try (Connection connection = ArtemisResource.connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            return Collections.list(session.createBrowser(session.createQueue(queue)).getEnumeration()).size();
        }
    }
}
