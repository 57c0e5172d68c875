package io.mayaningest.replicas;

import io.mayaningest.testing.Postgres;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.source.jms.ArtemisResource;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * JMS as competing consumers across replicas: the packaged service as processes on one Artemis queue
 * and one PostgreSQL ledger (e2e/postgres-up.sh, a schema of its own per phase), against the Mayan test
 * double with a processing delay that dominates. Phase 1: one replica with one consumer; phase 2: two
 * replicas with {@code concurrent-consumers=4} each, in the same run. Each phase: 200 messages, 200
 * documents, none twice (counted per checksum in the double), nothing left on the queue or its DLQ.
 * The queue is empty only once every message was committed, and each commit comes after Mayan
 * confirmed the document: so when it is empty every document must already be processed in the double.
 */
class JmsReplicasIT {

    private static final String TOKEN = "it-token";
    private static final int MESSAGES = Integer.getInteger("ingest.it.jms-replicas-messages", 200);
    /** Mayan's processing per document (file appears, then its checksum): far above the service's own work. */
    private static final Duration PROCESSING = Duration.ofMillis(300);

    @Test
    void twoReplicasWithFourConsumersShareTheQueueWithoutDuplicates() throws Exception {
        Map<String, String> pg = postgres();
        Path work = Files.createDirectories(Path.of("target", "it", "jms-replicas-" + UUID.randomUUID()).toAbsolutePath());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        EmbeddedActiveMQ broker = ArtemisResource.startBroker(work.resolve("broker"), port);
        String url = "tcp://127.0.0.1:" + port;
        List<String> schemas = new ArrayList<>();
        try (FakeMayan mayan = FakeMayan.start().withToken(TOKEN)) {
            mayan.setFileAppearDelay(PROCESSING.multipliedBy(2).dividedBy(3)).setChecksumDelay(PROCESSING.dividedBy(3));

            Phase one = run(new Phase("p1", 1, 1), work, url, pg, broker, mayan, schemas);
            Phase two = run(new Phase("p2", 2, 4), work, url, pg, broker, mayan, schemas);

            System.out.printf("%nJMS: phase 1, 1 replica x 1 consumer: %d messages in %.1f s = %.1f messages/s%n",
                    MESSAGES, one.seconds, MESSAGES / one.seconds);
            System.out.printf("JMS: phase 2, 2 replicas x 4 consumers: %d messages in %.1f s = %.1f messages/s%n",
                    MESSAGES, two.seconds, MESSAGES / two.seconds);
            System.out.printf("JMS: ratio phase 2 / phase 1 = %.2fx (Mayan double processing delay %d ms per document,"
                    + " PostgreSQL ledger)%n", one.seconds / two.seconds, PROCESSING.toMillis());
            for (Phase p : List.of(one, two)) {
                for (int r = 0; r < p.shares.size(); r++) {
                    System.out.printf("JMS: %s replica %d took %d of %d messages (%.0f%%)%n", p.name, r + 1,
                            p.shares.get(r), MESSAGES, 100.0 * p.shares.get(r) / MESSAGES);
                }
            }
            System.out.println();
            // Eight consumers against one, with Mayan's delay dominating: clearly faster, and both replicas work.
            assertThat(one.seconds / two.seconds).as("throughput of 2 replicas x 4 consumers against 1 x 1")
                    .isGreaterThan(2.0);
            assertThat(two.shares).allSatisfy(share -> assertThat(share).isGreaterThan(MESSAGES / 10));
        } finally {
            broker.stop();
            dropSchemas(pg, schemas);
        }
    }

    /** One phase: its replicas on a fresh ledger schema, its messages, until the queue is empty. */
    private static Phase run(Phase phase, Path work, String url, Map<String, String> pg, EmbeddedActiveMQ broker,
            FakeMayan mayan, List<String> schemas) throws Exception {
        String schema = "it_jms_" + phase.name + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        schemas.add(schema);
        String queue = "replicas." + phase.name;
        String labelPrefix = "jms " + phase.name + " ";
        Map<String, String> env = new HashMap<>(pg);
        env.put("QUARKUS_PROFILE", "prod,pg");
        env.put("MAYAN_TOKEN", TOKEN);
        List<ServiceProcess> replicas = new ArrayList<>();
        try {
            for (int r = 0; r < phase.replicas; r++) {
                Map<String, String> props = new HashMap<>();
                props.put("mayan.url", mayan.baseUrl());
                props.put("mayan.poll-initial-delay", "50ms");
                props.put("mayan.poll-max-delay", "300ms");
                props.put("mayan.user-agent", "mayan-ingest-" + phase.name + "-" + (r + 1));
                // e.g. -Dingest.it.jms-url-options=?consumerWindowSize=0 (no prefetch: Artemis' advice for slow consumers)
                props.put("quarkus.artemis.url", url + System.getProperty("ingest.it.jms-url-options", ""));
                props.put("quarkus.datasource.pg.jdbc.url", pg.get("INGEST_LEDGER_URL") + "?currentSchema=" + schema);
                props.put("quarkus.flyway.pg.schemas", schema);
                props.put("ingest.sources.orders.kind", "jms");
                props.put("ingest.sources.orders.destination", queue);
                props.put("ingest.sources.orders.concurrent-consumers", String.valueOf(phase.consumers));
                props.put("ingest.sources.orders.label", labelPrefix + "{MayanSeq}");
                ServiceProcess replica = new ServiceProcess(work.resolve(phase.name + "-replica-" + (r + 1)), props, env,
                        List.of("-Xmx160m", "-XX:+UseSerialGC"));
                replicas.add(replica);
                // One after the other: the second finds the schema migrated (Flyway would lock anyway).
                replica.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> replica.status("/q/health/ready") == 200);
                assertThat(replica.logText()).contains("Ledger on PostgreSQL")
                        .contains("with " + phase.consumers + " transacted consumers");
            }

            Queue q = null;
            long start = System.nanoTime();
            try (Connection connection = new ActiveMQConnectionFactory(url).createConnection()) {
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer producer = session.createProducer(session.createQueue(queue));
                Random random = new Random(phase.name.hashCode());
                byte[] body = new byte[16 * 1024];
                for (int i = 0; i < MESSAGES; i++) {
                    random.nextBytes(body);
                    BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    message.setStringProperty("MayanFileName", phase.name + "-" + i + ".bin");
                    message.setStringProperty("MayanSeq", String.valueOf(i));
                    producer.send(message);
                }
            }
            Queue inQueue = broker.getActiveMQServer().locateQueue(SimpleString.of(queue));
            assertThat(inQueue).as("queue %s on the broker", queue).isNotNull();
            // getMessageCount counts delivered but uncommitted messages too: 0 means every message committed.
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(50))
                    .until(() -> inQueue.getMessageCount() == 0);
            phase.seconds = (System.nanoTime() - start) / 1e9;
            q = inQueue;

            List<FakeDocument> docs = mayan.documents().stream().filter(d -> d.label().startsWith(labelPrefix)).toList();
            Map<String, Long> perChecksum = docs.stream().collect(Collectors.groupingBy(
                    d -> d.latestFile().map(f -> f.sha256()).orElse("none"), Collectors.counting()));
            long duplicated = perChecksum.values().stream().mapToLong(c -> c - 1).sum();
            long processed = docs.stream().filter(d -> d.latestFile().map(f -> f.processed()).orElse(false)).count();
            Map<String, Long> perLabel = docs.stream().collect(Collectors.groupingBy(FakeDocument::label, Collectors.counting()));
            System.out.printf("JMS: %s: %d documents, %d distinct checksums, %d duplicated, %d processed when the"
                    + " queue was empty, %d left on the queue%n", phase.name, docs.size(), perChecksum.size(), duplicated,
                    processed, q.getMessageCount());
            assertThat(docs).hasSize(MESSAGES);
            assertThat(perChecksum).hasSize(MESSAGES).doesNotContainKey("none");
            assertThat(duplicated).isZero();
            assertThat(perLabel).hasSize(MESSAGES);
            assertThat(processed).as("documents Mayan had confirmed when the last message was committed")
                    .isEqualTo(MESSAGES);
            assertThat(q.getMessageCount()).isZero();
            Queue dlq = broker.getActiveMQServer().locateQueue(SimpleString.of(queue + ".DLQ"));
            assertThat(dlq == null ? 0 : dlq.getMessageCount()).as("messages dead-lettered").isZero();

            for (ServiceProcess replica : replicas) {
                phase.shares.add(count(replica.logText(), "Ingested "));
            }
            assertThat(phase.shares.stream().mapToInt(Integer::intValue).sum()).as("messages committed by the replicas")
                    .isEqualTo(MESSAGES);
            try (java.sql.Connection c = DriverManager.getConnection(pg.get("INGEST_LEDGER_URL"),
                    pg.get("INGEST_LEDGER_USERNAME"), pg.get("INGEST_LEDGER_PASSWORD"));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                            + ".ingest_item WHERE state = 'DONE' AND acknowledged_at IS NOT NULL")) {
                rs.next();
                assertThat(rs.getInt(1)).as("ledger rows DONE and acknowledged in %s", schema).isEqualTo(MESSAGES);
            }
            return phase;
        } finally {
            for (ServiceProcess replica : replicas) {
                replica.stop();
            }
        }
    }

    /** Lines of the service's own success log ("Ingested ... (JMS message ...) ... committed"). */
    private static int count(String log, String marker) {
        return (int) log.lines().filter(l -> l.contains(marker) && l.contains("(JMS message ")).count();
    }

    private static final class Phase {
        final String name;
        final int replicas;
        final int consumers;
        double seconds;
        final List<Integer> shares = new ArrayList<>();

        Phase(String name, int replicas, int consumers) {
            this.name = name;
            this.replicas = replicas;
            this.consumers = consumers;
        }
    }

    private static void dropSchemas(Map<String, String> pg, List<String> schemas) {
        try (java.sql.Connection c = DriverManager.getConnection(pg.get("INGEST_LEDGER_URL"),
                pg.get("INGEST_LEDGER_USERNAME"), pg.get("INGEST_LEDGER_PASSWORD")); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        } catch (java.sql.SQLException e) {
            System.out.println("JMS: could not drop the test schemas " + schemas + ": " + e.getMessage());
        }
    }

    static Map<String, String> postgres() throws IOException, InterruptedException {
        return io.mayaningest.testing.Postgres.connection();
    }
}
