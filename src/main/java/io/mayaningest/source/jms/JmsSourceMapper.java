package io.mayaningest.source.jms;

import io.mayaningest.source.SourceMapper;
import io.mayaningest.source.SourceRoutes;
import io.mayaningest.source.FileNames;
import io.mayaningest.core.Checksums;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.source.Mapping;
import io.mayaningest.source.MayanHeaders;
import io.mayaningest.core.SafeNames;
import io.mayaningest.source.Spool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * Turns a JMS message into an {@link IngestRequest}: the {@code BytesMessage} body is read in 64 KiB
 * chunks into the spool (SHA-256 on the way), the ledger key is the JMS message id (so a redelivery
 * resumes), and the {@code Mayan*} string properties override the source's mapping.
 */
@ApplicationScoped
public class JmsSourceMapper implements SourceMapper {

    /** The consuming (transacted) session and the original message, for the dead-letter copy. */
    public static final String SESSION_PROPERTY = "mayanIngestJmsSession";
    public static final String MESSAGE_PROPERTY = "mayanIngestJmsMessage";

    // The vocabulary is shared with direct:mayan-ingest (MayanHeaders); these names stay for existing callers.
    public static final String FILE_NAME = MayanHeaders.FILE_NAME;
    public static final String DOCUMENT_TYPE = MayanHeaders.DOCUMENT_TYPE;
    public static final String LABEL = MayanHeaders.LABEL;
    public static final String DESCRIPTION = MayanHeaders.DESCRIPTION;
    public static final String LANGUAGE = MayanHeaders.LANGUAGE;
    public static final String TAGS = MayanHeaders.TAGS;
    public static final String CABINETS = MayanHeaders.CABINETS;
    public static final String METADATA = MayanHeaders.METADATA;
    public static final String DOCUMENT_ID = MayanHeaders.DOCUMENT_ID;
    public static final String ACTION = MayanHeaders.ACTION;

    static final String ORIGINAL_ID = "MayanIngestOriginalMessageId";

    private final Mapping mapping;
    private final IngestConfig config;

    private final io.mayaningest.source.MappingCheck mappingCheck;
    private final ObjectMapper json;

    public JmsSourceMapper(Mapping mapping, IngestConfig config, io.mayaningest.source.MappingCheck mappingCheck,
            ObjectMapper json) {
        this.mappingCheck = mappingCheck;
        this.json = json;
        this.mapping = mapping;
        this.config = config;
    }

    /** Step 1: spool the body. The exchange body becomes the request before anything can fail. */
    @Override
    public void read(Exchange exchange) throws JMSException {
        String sourceName = exchange.getProperty(SourceRoutes.SOURCE_PROPERTY, String.class);
        JmsMessage jms = exchange.getIn(JmsMessage.class);
        Message message = jms.getJmsMessage();
        exchange.setProperty(SESSION_PROPERTY, jms.getJmsSession());
        exchange.setProperty(MESSAGE_PROPERTY, message);

        String messageId = message.getJMSMessageID();
        IngestRequest item = new IngestRequest();
        item.setSourceName(sourceName);
        item.setSourceKind(JmsSourceRoutes.KIND);
        // A dead-lettered copy sent back to the queue carries the original id: it resumes that ledger row.
        String original = message.propertyExists(ORIGINAL_ID) ? message.getStringProperty(ORIGINAL_ID) : null;
        item.setSourceKey(original != null && !original.isBlank() ? original : messageId);
        String fallback = SafeNames.segment(messageId == null ? "message" : messageId.replaceFirst("^ID:", "")) + ".bin";
        // SafeNames keeps it to 200 UTF-8 bytes: within Mayan's 255-character label and file name, and within
        // any file system's limit with room for the suffixes of done/ and error/ names.
        item.setFileName(SafeNames.fileName(text(message, FILE_NAME), fallback));
        exchange.getMessage().setBody(item);
        // MappingCheck suspends the consumer of a source whose mapping names what Mayan lacks; a message
        // taken just before that is rolled back onto the queue (transient), never dead-lettered.
        mappingCheck.admit(sourceName, true);

        if (!(message instanceof BytesMessage bytes)) {
            throw IngestException.permanent("the message is a " + kindOf(message) + ", not a BytesMessage",
                    "send the document as a BytesMessage whose body is the file");
        }
        SourceConfig source = mapping.source(sourceName);
        Path dir = JmsSourceRoutes.spoolPath(sourceName, source, config).resolve(SafeNames.segment(messageId));
        // A short name of its own: a long MayanFileName in a multi-byte script is more than the 255 bytes a
        // file system allows, and every redelivery would fail the same way.
        Path file = dir.resolve(Spool.spoolName(item.getFileName()));
        item.setPayload(file);
        long limit = source.maxFileSize();
        MessageDigest digest = Checksums.sha256();
        byte[] chunk = new byte[64 * 1024];
        long size = 0;
        try {
            bytes.reset();
            try (OutputStream out = Spool.open(file)) {
                for (int n; (n = bytes.readBytes(chunk)) > 0;) {
                    size += n;
                    if (limit > 0 && size > limit) {
                        throw IngestException.permanent("the message body has more than the limit of " + limit
                                + " bytes of source \"" + sourceName + "\"",
                                "raise ingest.sources." + sourceName + ".max-file-size or split the document");
                    }
                    digest.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        } catch (Spool.WriteFailed e) {
            throw Spool.failure(e, "the message body", "the message is in the dead-letter queue; send it back to the"
                    + " source's queue to ingest it");
        } catch (IOException e) {
            throw IngestException.transientFailure("the message body could not be spooled to " + file + ": " + e,
                    "the message is rolled back and redelivered by the broker", e);
        }
        item.setSize(size);
        item.setSha256(HexFormat.of().formatHex(digest.digest()));
    }

    /** Step 2: the source's mapping with the message's values, then the {@code Mayan*} properties on top. */
    @Override
    public void map(Exchange exchange) throws JMSException {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        Message message = exchange.getProperty(MESSAGE_PROPERTY, Message.class);
        SourceConfig source = mapping.source(item.getSourceName());
        Map<String, String> values = new LinkedHashMap<>(
                FileNames.fileNameValues(item.getFileName(), null, source, item.getSourceName()));
        values.remove("file.parent");
        values.put("jms.message-id", message.getJMSMessageID());
        if (message.getJMSCorrelationID() != null) {
            values.put("jms.correlation-id", message.getJMSCorrelationID());
        }
        for (Enumeration<?> names = message.getPropertyNames(); names.hasMoreElements();) {
            String name = (String) names.nextElement();
            if (name.startsWith("Mayan")) {
                values.put(name, text(message, name));
            }
        }
        mapping.apply(item, values);
        override(item, message);
    }

    private void override(IngestRequest item, Message message) throws JMSException {
        MayanHeaders.override(item, name -> text(message, name), "property", json);
    }

    /** A property as text (senders may set numbers), or null when absent or blank. */
    static String text(Message message, String name) throws JMSException {
        Object value = message.getObjectProperty(name);
        if (value == null) {
            return null;
        }
        String text = value.toString();
        return text.isBlank() ? null : text;
    }

    private static String kindOf(Message message) {
        for (Class<?> c : message.getClass().getInterfaces()) {
            if (c.getName().startsWith("jakarta.jms.")) {
                return c.getSimpleName();
            }
        }
        return message.getClass().getSimpleName();
    }
}
