package io.mayaningest.source.mail;

import io.mayaningest.source.FileNames;
import io.mayaningest.core.Checksums;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.source.NameFilter;
import io.mayaningest.source.Mapping;
import io.mayaningest.source.Sidecar;
import io.mayaningest.source.Spool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Address;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.mail.MailMessage;
import org.jboss.logging.Logger;

/**
 * Turns one mail into its documents: checks the ledger for the mail, streams each attachment to the
 * spool (SHA-256 computed on the way, never the whole attachment in memory), reads
 * {@code metadata.yaml} and sidecar attachments, and maps each document like a file of a folder.
 */
@ApplicationScoped
public class MailReader {

    public static final String SOURCE_PROPERTY = "mayanIngestSource";
    public static final String BATCH_PROPERTY = "mayanIngestMailBatch";
    static final String MAIL_KEY_PREFIX = "mail:";
    private static final Logger LOG = Logger.getLogger(MailReader.class);
    private static final long MAX_METADATA_YAML = 1024 * 1024;

    private final MailSources sources;
    private final Mapping mapping;
    private final Ledger ledger;

    public MailReader(MailSources sources, Mapping mapping, Ledger ledger) {
        this.sources = sources;
        this.mapping = mapping;
        this.ledger = ledger;
    }

    /** Step 1: the mail becomes a {@link MailBatch}; a mail the ledger knows is not read again. */
    public MailBatch read(Exchange exchange) throws MessagingException, IOException {
        MailSettings settings = sources.get(exchange.getProperty(SOURCE_PROPERTY, String.class));
        Message message = exchange.getIn(MailMessage.class).getOriginalMessage();
        String messageId = messageId(message);
        String mailKey = mailKey(settings, message, messageId, exchange);
        // Attachments are keyed by Message-ID where there is one, so a failed mail moved back to the inbox
        // (a new IMAP UID) completes only what is missing.
        String identity = messageId.isEmpty() ? mailKey : "msgid:" + messageId;
        Map<String, String> values = headerValues(message, messageId);

        IngestRequest record = new IngestRequest();
        record.setSourceName(settings.name());
        record.setSourceKind(settings.kind());
        record.setSourceKey(MAIL_KEY_PREFIX + mailKey);
        record.setFileName(cut("mail \"" + values.get("mail.subject") + "\" " + messageId, 900));
        Path spoolDir = AttachmentNames.inside(settings.spool(), Checksums.sha256Hex(mailKey).substring(0, 24));
        MailBatch batch = new MailBatch(settings, mailKey, identity, values, record, spoolDir);
        exchange.setProperty(BATCH_PROPERTY, batch);

        Optional<Ledger.Entry> known = ledger.findBySourceKey(settings.name(), record.getSourceKey());
        if (known.isPresent() && (known.get().state() == LedgerState.DONE || known.get().state() == LedgerState.FAILED)) {
            batch.previous(known.get().state());
            record.setIngestId(known.get().id());
            return batch;
        }
        ledger.begin(record);
        deleteTree(spoolDir);
        try {
            try {
                Files.createDirectories(spoolDir);
            } catch (IOException e) {
                throw Spool.failure(new Spool.WriteFailed(spoolDir.resolve("."), e), batch.describe(), replay(settings));
            }
            spool(batch, message);
        } catch (IngestException e) {
            if (!e.isPermanent()) {
                // The spool is full: the mail stays unread on the server until there is space.
                deleteTree(spoolDir);
                throw e;
            }
            batch.mailFailure(e);
        } catch (ParseException e) {
            batch.mailFailure(IngestException.permanent("the mail cannot be parsed: " + e.getMessage(),
                    "ask the sender to send it again; the mail is kept in the failed folder", e));
        } catch (MessagingException | IOException | RuntimeException e) {
            deleteTree(spoolDir);
            throw e;
        }
        return batch;
    }

    /** Step 2 (per document, inside the error policy): the source's mapping, metadata.yaml, then the sidecar. */
    public void map(IngestRequest item, @ExchangeProperty(BATCH_PROPERTY) MailBatch batch) {
        mapping.apply(item, batch.itemValues().get(item));
        item.getMetadata().putAll(batch.mailMetadata());
        Path sidecar = batch.sidecars().get(item);
        if (sidecar != null) {
            Sidecar.apply(sidecar, item);
        }
    }

    private void spool(MailBatch batch, Message message) throws MessagingException, IOException {
        MailSettings settings = batch.settings();
        List<PathMatcher> globs = mapping.source(settings.name()).attachments().orElse(List.of()).stream()
                .filter(g -> !g.isBlank())
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g.strip().toLowerCase(Locale.ROOT)))
                .toList();
        List<Part> parts = new ArrayList<>();
        collect(message, message, parts);
        Map<String, IngestRequest> byName = new LinkedHashMap<>();
        Map<String, Path> sidecarFiles = new LinkedHashMap<>();
        int index = 0;
        for (Part part : parts) {
            index++;
            String raw = fileName(part);
            String name = AttachmentNames.sanitise(raw, index)
                    + (raw == null && part.isMimeType("message/rfc822") ? ".eml" : "");
            boolean metadataYaml = AttachmentNames.isMetadataAttachment(name);
            boolean sidecar = !metadataYaml && Sidecar.isSidecarName(name);
            if (!metadataYaml && !sidecar && !globs.isEmpty()
                    && globs.stream().noneMatch(g -> g.matches(Path.of(name.toLowerCase(Locale.ROOT))))) {
                LOG.debugf("Attachment \"%s\" of %s does not match the attachments filter; skipped", name, batch.describe());
                continue;
            }
            // Spooled under a short name (the full name goes to Mayan): a long name in a multi-byte script
            // is longer than the 255 bytes a file system allows, and would otherwise fail every poll.
            Path target = AttachmentNames.inside(batch.spoolDir(), index + "-" + Spool.spoolName(name));
            Spooled spooled;
            try (InputStream in = part.getInputStream()) {
                spooled = write(in, target);
            } catch (Spool.WriteFailed e) {
                throw Spool.failure(e, "attachment \"" + name + "\" of " + batch.describe(), replay(settings));
            }
            if (spooled.size() == 0) {
                Files.delete(target);
                LOG.infof("Attachment \"%s\" of %s is empty; skipped", name, batch.describe());
                continue;
            }
            if (metadataYaml) {
                batch.mailMetadata().putAll(readMetadataYaml(target, spooled.size()));
            } else if (sidecar) {
                sidecarFiles.put(name, target);
            } else {
                IngestRequest item = item(batch, target, name, batch.identity() + "#" + index + ":" + name, spooled);
                Map<String, String> values = new LinkedHashMap<>(batch.values());
                values.put("attachment.name", name);
                values.putAll(FileNames.fileNameValues(name, null, mapping.source(settings.name()), settings.name()));
                batch.itemValues().put(item, values);
                byName.putIfAbsent(name, item);
            }
        }
        sidecarFiles.forEach((name, path) -> {
            String documentName = name.substring(0, name.lastIndexOf('.'));
            IngestRequest item = byName.get(documentName);
            if (item == null) {
                LOG.infof("Attachment \"%s\" of %s is a sidecar without an attachment \"%s\"; ignored", name,
                        batch.describe(), documentName);
            } else {
                batch.sidecars().put(item, path);
            }
        });
        if (mapping.source(settings.name()).storeEmail()) {
            String subject = batch.values().get("mail.subject");
            String base = !subject.isBlank() ? subject : batch.values().get("mail.message-id");
            String name = Spool.shorten(AttachmentNames.sanitise(base, 0).replaceFirst("^attachment-0$", "mail"),
                    Spool.MAX_NAME_BYTES - ".eml".length()) + ".eml";
            Path target = AttachmentNames.inside(batch.spoolDir(), "0-" + Spool.spoolName(name));
            Spooled spooled;
            try (OutputStream out = Spool.open(target)) {
                MessageDigest digest = Checksums.sha256();
                CountingDigestStream counting = new CountingDigestStream(out, digest);
                message.writeTo(counting);
                counting.flush();
                spooled = new Spooled(counting.count, HexFormat.of().formatHex(digest.digest()));
            } catch (Spool.WriteFailed e) {
                throw Spool.failure(e, "the mail as " + name + " (store-email) of " + batch.describe(), replay(settings));
            }
            IngestRequest item = item(batch, target, name, batch.identity() + "#eml", spooled);
            Map<String, String> values = new LinkedHashMap<>(batch.values());
            values.put("attachment.name", name);
            // The file-name pattern describes attachments; the .eml only has the file.* values.
            values.put("file.name", name);
            values.put("file.basename", name.substring(0, name.length() - 4));
            values.put("file.parent", "");
            batch.itemValues().put(item, values);
        }
        if (batch.items().isEmpty()) {
            throw IngestException.permanent("the mail has no attachment to ingest"
                    + (globs.isEmpty() ? "" : " (none matches the attachments filter)"),
                    "send the document as an attachment, or set store-email=true to ingest whole mails");
        }
    }

    private static IngestRequest item(MailBatch batch, Path target, String name, String key, Spooled spooled) {
        IngestRequest item = new IngestRequest();
        item.setSourceName(batch.settings().name());
        item.setSourceKind(batch.settings().kind());
        item.setSourceKey(cut(key, 1900));
        item.setPayload(target);
        item.setFileName(name);
        item.setSize(spooled.size());
        item.setSha256(spooled.sha256());
        batch.items().add(item);
        return item;
    }

    /** Multiparts are walked; a leaf with a file name or an attachment disposition is a document (inline ones too, as in Mayan). */
    private static void collect(Message message, Part part, List<Part> out) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                collect(message, multipart.getBodyPart(i), out);
            }
            return;
        }
        if (part != message && (part.getFileName() != null || Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()))) {
            out.add(part);
        } else if (part == message && part.getFileName() != null) {
            out.add(part);
        }
    }

    private static String fileName(Part part) throws MessagingException {
        String name = part.getFileName();
        if (name != null && name.contains("=?")) {
            try {
                name = MimeUtility.decodeText(name);
            } catch (IOException e) {
                // keep it as it came
            }
        }
        return name;
    }

    private static Map<String, String> readMetadataYaml(Path file, long size) {
        if (size > MAX_METADATA_YAML) {
            throw IngestException.permanent("metadata.yaml has " + size + " bytes; more than 1 MiB is not metadata",
                    "send a metadata.yaml of metadata type name: value lines");
        }
        // Read like a sidecar: values as written (012345 stays 012345, 1.10 stays 1.10, not re-typed by YAML),
        // syntax errors by line and column without quoting the content.
        JsonNode root = Sidecar.readAsWritten(file);
        if (root == null || !root.isObject()) {
            throw IngestException.permanent("metadata.yaml is not a map of metadata type name to value",
                    "write it as lines of \"metadata_type_name: value\"");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                throw IngestException.permanent("metadata.yaml: the value of \"" + e.getKey() + "\" is not a single value",
                        "give each metadata type one text value");
            }
            values.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        }
        return values;
    }

    static String mailKey(MailSettings settings, Message message, String messageId, Exchange exchange)
            throws MessagingException {
        Folder folder = message.getFolder();
        if (settings.isImap() && folder instanceof UIDFolder uids) {
            return "imap:" + folder.getFullName() + ":" + uids.getUIDValidity() + ":" + uids.getUID(message);
        }
        if (!messageId.isEmpty()) {
            return settings.kind() + ":" + messageId;
        }
        // No Message-ID: the server's UIDL, which Camel has already read for its own bookkeeping.
        return settings.kind() + "-uid:" + exchange.getProperty("CamelMailMessageId", String.class);
    }

    static String messageId(Message message) throws MessagingException {
        String[] ids = message.getHeader("Message-ID");
        return ids == null || ids.length == 0 || ids[0] == null ? "" : ids[0].strip();
    }

    static Map<String, String> headerValues(Message message, String messageId) throws MessagingException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("mail.from", addresses(message.getFrom(), true));
        values.put("mail.to", addresses(message.getRecipients(Message.RecipientType.TO), false));
        String subject = message.getSubject();
        values.put("mail.subject", subject == null ? "" : subject.strip());
        Date date = message.getSentDate() != null ? message.getSentDate() : message.getReceivedDate();
        values.put("mail.date", date == null ? "" : date.toInstant().toString());
        values.put("mail.message-id", messageId);
        return values;
    }

    private static String addresses(Address[] addresses, boolean firstOnly) {
        if (addresses == null || addresses.length == 0) {
            return "";
        }
        List<String> list = new ArrayList<>();
        for (Address a : addresses) {
            list.add(a instanceof InternetAddress ia ? ia.getAddress() : a.toString());
            if (firstOnly) {
                break;
            }
        }
        return list.stream().collect(Collectors.joining(", "));
    }

    private record Spooled(long size, String sha256) {
    }

    private static Spooled write(InputStream in, Path target) throws IOException {
        Spool.Spooled spooled = Spool.copy(in, target, 0);
        return new Spooled(spooled.size(), spooled.sha256());
    }

    /** What happens to a mail that failed for good, and how to replay it (for the fix). */
    private static String replay(MailSettings settings) {
        return settings.isImap() ? "the mail is moved to the folder " + settings.failedFolder()
                + "; move it back to " + settings.folder() + " (unread) to ingest it again"
                : "the mail stays on the POP3 server; send it again to ingest it";
    }

    /** Counts and digests what {@link Message#writeTo} writes. */
    private static final class CountingDigestStream extends DigestOutputStream {
        long count;

        CountingDigestStream(OutputStream out, MessageDigest digest) {
            super(out, digest);
        }

        @Override
        public void write(int b) throws IOException {
            super.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            super.write(b, off, len);
            count += len;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
