package io.mayaningest.source.jms;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.source.Mapping;
import io.mayaningest.core.SafeNames;
import io.mayaningest.pipeline.SourceAcknowledger;
import io.mayaningest.source.Spool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Acknowledges a JMS item. Success needs nothing here: the route ends and the transacted session
 * commits. A permanent failure copies the message (body and properties) to the dead-letter queue with
 * {@code MayanIngestError}, {@code MayanIngestFix} and {@code MayanIngestId}, on the consuming session,
 * so the copy and the commit of the original are one transaction. A transient failure that outlived
 * the in-process retries marks the exchange rollback-only, which rolls the session back: the broker redelivers later.
 */
@ApplicationScoped
public class JmsAcknowledger implements SourceAcknowledger {

    private static final Logger LOG = Logger.getLogger(JmsAcknowledger.class);
    public static final String ERROR = "MayanIngestError";
    public static final String FIX = "MayanIngestFix";
    public static final String INGEST_ID = "MayanIngestId";
    /** Artemis streams a body from this property instead of holding it in memory (large messages). */
    private static final String ARTEMIS_INPUT_STREAM = "JMS_AMQ_InputStream";

    private final IngestConfig config;
    private final Mapping mapping;

    public JmsAcknowledger(IngestConfig config, Mapping mapping) {
        this.config = config;
        this.mapping = mapping;
    }

    @Override
    public String kind() {
        return JmsSourceRoutes.KIND;
    }

    @Override
    public void success(IngestRequest item) throws Exception {
        LOG.infof("Ingested %s (JMS message %s) as Mayan document %d; the message is committed", item.describe(),
                item.getSourceKey(), item.getDocumentId());
        cleanSpool(item);
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) {
        throw new IllegalStateException("a JMS item is dead-lettered with its exchange");
    }

    @Override
    public void failure(IngestRequest item, IngestException failure, Exchange exchange) throws Exception {
        Session session = exchange.getProperty(JmsSourceMapper.SESSION_PROPERTY, Session.class);
        Message original = exchange.getProperty(JmsSourceMapper.MESSAGE_PROPERTY, Message.class);
        String dlq = JmsSourceRoutes.deadLetterDestination(item.getSourceName(), mapping.source(item.getSourceName()));
        InputStream body = null;
        try {
            Message copy;
            Path payload = item.getPayload();
            if (payload != null && Files.isRegularFile(payload) && original instanceof BytesMessage) {
                BytesMessage bytes = session.createBytesMessage();
                body = Files.newInputStream(payload);
                streamBody(bytes, body, payload);
                copy = bytes;
            } else if (original instanceof TextMessage text) {
                copy = session.createTextMessage(text.getText());
            } else {
                copy = session.createBytesMessage();
            }
            copyProperties(original, copy);
            copy.setStringProperty(ERROR, failure.reason());
            copy.setStringProperty(FIX, failure.fix());
            copy.setStringProperty(INGEST_ID, item.getIngestId());
            try (MessageProducer producer = session.createProducer(session.createQueue(dlq))) {
                producer.send(copy, DeliveryMode.PERSISTENT, original.getJMSPriority(), 0);
            }
        } finally {
            if (body != null) {
                body.close();
            }
        }
        LOG.warnf("Could not ingest %s (JMS message %s): %s. Fix: %s. Sent to the queue %s", item.describe(),
                SafeNames.visible(item.getSourceKey()), SafeNames.visible(failure.reason()),
                SafeNames.visible(failure.fix()), dlq);
        cleanSpool(item);
    }

    @Override
    public void retryLater(IngestRequest item, IngestException failure, Exchange exchange) throws Exception {
        cleanSpool(item);
        // Rolls the transacted session back (Camel's JMS listener honours rollback-only without an error
        // of its own): the broker redelivers after its redelivery delay.
        exchange.setRollbackOnly(true);
        LOG.infof("JMS message %s is rolled back; the broker redelivers it later", item.getSourceKey());
    }

    /** The spooled body, streamed: Artemis reads it as a large message; other brokers get 64 KiB chunks. */
    private static void streamBody(BytesMessage message, InputStream in, Path payload) throws Exception {
        try {
            message.setObjectProperty(ARTEMIS_INPUT_STREAM, in);
            return;
        } catch (JMSException | RuntimeException notArtemis) {
            LOG.debugf("broker cannot stream a body (%s); writing it in chunks", notArtemis.getMessage());
        }
        byte[] chunk = new byte[64 * 1024];
        for (int n; (n = in.read(chunk)) != -1;) {
            message.writeBytes(chunk, 0, n);
        }
    }

    private static void copyProperties(Message from, Message to) throws JMSException {
        for (Enumeration<?> names = from.getPropertyNames(); names.hasMoreElements();) {
            String name = (String) names.nextElement();
            // JMSX* and provider (JMS_*) properties are set by the broker, not by senders.
            if (!name.startsWith("JMSX") && !name.startsWith("JMS_") && !name.startsWith("_AMQ")) {
                to.setObjectProperty(name, from.getObjectProperty(name));
            }
        }
        to.setJMSCorrelationID(from.getJMSCorrelationID());
        to.setJMSType(from.getJMSType());
        to.setStringProperty("MayanIngestOriginalMessageId", from.getJMSMessageID());
    }

    private void cleanSpool(IngestRequest item) throws java.io.IOException {
        if (item.getPayload() == null) {
            return;
        }
        Path root = JmsSourceRoutes.spoolPath(item.getSourceName(), mapping.source(item.getSourceName()), config);
        Path dir = item.getPayload().getParent();
        if (dir != null && dir.startsWith(root) && !dir.equals(root)) {
            Spool.deleteTree(dir);
        }
    }
}
