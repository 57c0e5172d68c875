package io.mayaningest.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.source.jms.ArtemisResource;
import io.mayaningest.testing.FakeMayan;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * The JMS benchmark: the packaged service, run as a process with {@code -Xmx128m}, ingests 100
 * messages (64 KiB each, {@code -Dingest.it.jms-messages=N}) from an embedded Artemis broker into the
 * Mayan test double. Completion is measured by the service's own "done" result events. Prints
 * messages per second and the service's peak RSS.
 */
class JmsThroughputIT {

    private static final String TOKEN = "it-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void hundredMessagesBecomeHundredDocuments() throws Exception {
        int count = Integer.getInteger("ingest.it.jms-messages", 100);
        Path work = Files.createDirectories(Path.of("target", "it", "jms-" + UUID.randomUUID()).toAbsolutePath());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        EmbeddedActiveMQ broker = ArtemisResource.startBroker(work.resolve("broker"), port);
        String url = "tcp://127.0.0.1:" + port;
        try (FakeMayan mayan = FakeMayan.start().withToken(TOKEN)) {
            mayan.setFileAppearDelay(Duration.ofMillis(20)).setChecksumDelay(Duration.ofMillis(20));
            ServiceProcess service = new ServiceProcess(work, Map.of(
                    "mayan.url", mayan.baseUrl(),
                    "mayan.poll-initial-delay", "20ms",
                    "mayan.poll-max-delay", "200ms",
                    "quarkus.artemis.url", url,
                    "ingest.events.destination", "bench.events",
                    "ingest.sources.bench.kind", "jms",
                    "ingest.sources.bench.destination", "bench.in",
                    "ingest.sources.bench.label", "bench {MayanSeq}"),
                    Map.of("MAYAN_TOKEN", TOKEN), List.of("-Xmx128m", "-XX:+UseSerialGC"));
            try (Connection connection = new ActiveMQConnectionFactory(url).createConnection()) {
                connection.start();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer events = session.createConsumer(session.createQueue("bench.events"));
                service.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> service.status("/q/health/ready") == 200);

                byte[] body = new byte[64 * 1024];
                Random random = new Random(7);
                MessageProducer producer = session.createProducer(session.createQueue("bench.in"));
                long start = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    // Distinct documents: the same bytes 100 times would be skipped as duplicates.
                    random.nextBytes(body);
                    BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    message.setStringProperty("MayanFileName", "bench-" + i + ".bin");
                    message.setStringProperty("MayanSeq", String.valueOf(i));
                    producer.send(message);
                }
                Set<String> done = new HashSet<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (done.size() < count && System.nanoTime() < deadline) {
                    TextMessage event = (TextMessage) events.receive(1000);
                    service.sampleRss();
                    if (event != null) {
                        JsonNode e = JSON.readTree(event.getText());
                        assertThat(e.path("status").asText()).isEqualTo("done");
                        done.add(e.path("ingestId").asText());
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(done).hasSize(count);
                assertThat(mayan.documents().stream().filter(d -> d.label().startsWith("bench "))).hasSize(count);
                System.out.printf("%nJMS BENCHMARK: %d messages of 64 KiB ingested in %.1f s = %.1f messages/s "
                        + "(transacted consumers: the default, mayan.max-in-flight = 4; test double with 20 ms processing delays), service -Xmx128m, "
                        + "peak RSS %d MiB%n%n", count, seconds, count / seconds, service.peakRssKb() / 1024);
            } finally {
                service.stop();
            }
        } finally {
            broker.stop();
        }
    }
}
