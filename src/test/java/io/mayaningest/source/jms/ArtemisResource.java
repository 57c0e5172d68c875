package io.mayaningest.source.jms;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * An embedded ActiveMQ Artemis broker on a free TCP port (data under target/), redelivering a rolled
 * back message after 300 ms, and a JMS source {@code orders} on the queue {@code mayan.in} with result
 * events on {@code mayan.events}.
 */
public class ArtemisResource implements QuarkusTestResourceLifecycleManager {

    public static final String QUEUE = "mayan.in";
    public static final String DLQ = QUEUE + ".DLQ";
    public static final String EVENTS = "mayan.events";
    static String url;
    private EmbeddedActiveMQ broker;

    /** A broker the way operators should set it up: redelivery delay, a cap on deliveries, a DLA. */
    public static EmbeddedActiveMQ startBroker(Path dataDir, int port) throws Exception {
        Configuration config = new ConfigurationImpl();
        config.setPersistenceEnabled(false);
        config.setSecurityEnabled(false);
        // Even without persistence Artemis creates these directories: keep them under target/.
        config.setBindingsDirectory(dataDir.resolve("bindings").toString());
        config.setJournalDirectory(dataDir.resolve("journal").toString());
        config.setPagingDirectory(dataDir.resolve("paging").toString());
        config.setLargeMessagesDirectory(dataDir.resolve("large-messages").toString());
        config.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        config.addAddressSetting("#", new AddressSettings()
                .setRedeliveryDelay(300L)
                .setRedeliveryMultiplier(2.0)
                .setMaxRedeliveryDelay(5000L)
                .setMaxDeliveryAttempts(20)
                .setDeadLetterAddress(SimpleString.of("DLA")));
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.start();
        return broker;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path data = Files.createDirectories(Path.of("target", "test-artemis", UUID.randomUUID().toString()))
                    .toAbsolutePath();
            int port = freePort();
            broker = startBroker(data, port);
            url = "tcp://127.0.0.1:" + port;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Artemis broker", e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.test-port", "0");
        config.put("quarkus.artemis.url", url);
        config.put("ingest.events.destination", EVENTS);
        String orders = "ingest.sources.orders.";
        config.put(orders + "kind", "jms");
        config.put(orders + "destination", QUEUE);
        config.put(orders + "document-type", "Default");
        config.put(orders + "label", "{file.basename}");
        config.put(orders + "description", "via JMS message {jms.message-id}");
        config.put(orders + "tags", "scanned");
        return config;
    }

    public static ConnectionFactory connectionFactory() {
        return new ActiveMQConnectionFactory(url);
    }

    /** Sends a BytesMessage with these string properties to the source's queue; returns its message id. */
    public static String send(byte[] body, Map<String, String> properties) throws Exception {
        try (Connection connection = connectionFactory().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(body);
            for (Map.Entry<String, String> p : properties.entrySet()) {
                message.setStringProperty(p.getKey(), p.getValue());
            }
            session.createProducer(session.createQueue(QUEUE)).send(message);
            return message.getJMSMessageID();
        }
    }

    @FunctionalInterface
    public interface Reader<T> {
        T read(Message message) throws Exception;
    }

    /**
     * Reads the first message of a queue that matches, waiting up to 30 s, while its session is open;
     * other messages are consumed and skipped.
     */
    public static <T> T receive(String queue, java.util.function.Predicate<Message> matching, Reader<T> reader)
            throws Exception {
        try (Connection connection = connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            long end = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < end) {
                Message m = consumer.receive(500);
                if (m != null && matching.test(m)) {
                    return reader.read(m);
                }
            }
            throw new AssertionError("no matching message on " + queue + " within 30 s");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (broker != null) {
            try {
                broker.stop();
            } catch (Exception e) {
                // the JVM is ending anyway
            }
        }
    }
}
