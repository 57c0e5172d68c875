package io.mayaningest.e2e;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.source.jms.ArtemisResource;
import io.mayaningest.source.mail.GreenMailResource;
import io.mayaningest.source.sftp.SftpServerResource;
import jakarta.activation.DataHandler;
import jakarta.jms.TextMessage;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One case per channel against the real Mayan, each channel's server real and started in this JVM:
 * an SFTP server (Apache MINA SSHD, host key checked through a known_hosts file), a mail server
 * (GreenMail, SMTP in, IMAP out) and an ActiveMQ Artemis broker. The packaged service runs as its own
 * process with one source per channel (the passwords only in its environment), configured only through
 * config/application.properties and the environment; results are checked through Mayan's REST API and
 * on the protocol servers.
 * <p>
 * One service process serves the three channels: a start costs seconds on this machine, and the e2e run
 * has to stay short. Mayan keeps its data between runs, so every label is unique to this run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChannelsIT {

    static final String SFTP = "sftpdrawings";
    static final String IMAP = "imapinvoices";
    static final String JMS = "orders";
    private static final Duration WAIT = Duration.ofSeconds(60);

    static RealMayan mayan;
    static ServiceProcess service;
    static SftpServerResource sftp;
    static GreenMailResource mail;
    static ArtemisResource artemis;
    /** Held so that the level sticks: the embedded broker's audit log writes a paragraph per message at INFO. */
    private static final java.util.logging.Logger ARTEMIS_AUDIT = java.util.logging.Logger.getLogger("org.apache.activemq.audit");

    @RegisterExtension
    static final TestWatcher LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            printLogTail(service, context.getDisplayName());
        }
    };

    @BeforeAll
    static void startServersAndService() throws Exception {
        long t0 = System.nanoTime();
        mayan = RealMayan.find();
        MayanFixtures.ensure(mayan);

        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MAYAN_URL", mayan.url());
        env.put("MAYAN_TOKEN", mayan.token());
        properties.put("mayan.poll-initial-delay", "200ms");
        properties.put("mayan.poll-max-delay", "2s");

        // SFTP: the resource's drawings source (pattern, metadata, tags, cabinet, known_hosts).
        sftp = new SftpServerResource();
        Map<String, String> sftpConfig = sftp.start();
        copySource(sftpConfig, SFTP, SFTP, properties, env);

        // IMAP: the resource's "mail-seen" mailbox (Invoice, label from subject and attachment, seen after success).
        mail = new GreenMailResource();
        Map<String, String> mailConfig = mail.start();
        copySource(mailConfig, GreenMailResource.IMAP_SEEN, IMAP, properties, env);

        ARTEMIS_AUDIT.setLevel(java.util.logging.Level.WARNING);
        // JMS: the resource's "orders" source on mayan.in, and the result events on mayan.events.
        artemis = new ArtemisResource();
        Map<String, String> jmsConfig = artemis.start();
        properties.put("quarkus.artemis.url", jmsConfig.get("quarkus.artemis.url"));
        properties.put("ingest.events.destination", jmsConfig.get("ingest.events.destination"));
        copySource(jmsConfig, JMS, JMS, properties, env);
        long servers = System.nanoTime();

        Path work = Files.createDirectories(RealMayan.projectDir()
                .resolve(Path.of("target", "e2e", "channels-" + UUID.randomUUID())));
        service = new ServiceProcess(work, properties, env, List.of("-Xmx256m", "-XX:+UseSerialGC"));
        service.start();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(service.status("/q/health/ready"))
                        .as("readiness of the service (%s)", readiness()).isEqualTo(200));
        System.out.printf("E2E: channels: SFTP, SMTP/IMAP/POP3 and Artemis servers up in %.1f s, service ready in %.1f s;"
                + " work dir %s%n", seconds(t0, servers), seconds(servers, System.nanoTime()), work);
    }

    /**
     * Copies one source's keys from a resource's configuration, under {@code to}; the password goes into
     * the service's environment only ({@code INGEST_SOURCES_<NAME>_PASSWORD}), as the README advises.
     */
    private static void copySource(Map<String, String> config, String from, String to, Map<String, String> properties,
            Map<String, String> env) {
        String prefix = "ingest.sources." + from + ".";
        config.forEach((key, value) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            String rest = key.substring(prefix.length());
            if (rest.equals("password")) {
                env.put("INGEST_SOURCES_" + to.toUpperCase(java.util.Locale.ROOT) + "_PASSWORD", value);
            } else {
                properties.put("ingest.sources." + to + "." + rest, value);
            }
        });
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (service != null) {
            service.stop();
            System.out.println("E2E: channels service log " + service.log());
        }
        if (artemis != null) {
            artemis.stop();
        }
        if (mail != null) {
            mail.stop();
        }
        if (sftp != null) {
            sftp.stop();
        }
    }

    // ---- tests ------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void sftpDrawingIsFiledFromItsFileNameAndMovedToTheRemoteDone() throws Exception {
        String no = mayan.unusedDrawingNumber();
        String name = no + "_rev3.pdf";
        String label = "SFTP drawing " + no + " rev 3";
        byte[] content = pdf("sftp drawing " + no + " " + UUID.randomUUID());

        long t0 = System.nanoTime();
        SftpServerResource.upload("drawings", name, content);
        Path done = SftpServerResource.remote("drawings").resolve(".done").resolve(name);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(done)
                || Files.exists(SftpServerResource.remote("drawings").resolve(".error").resolve(name + ".error.json")));
        long end = System.nanoTime();

        assertThat(SftpServerResource.remote("drawings").resolve(".error").resolve(name + ".error.json"))
                .as("error report on the SFTP server").doesNotExist();
        assertThat(done).as("the file in the remote done/").exists();
        assertThat(Files.readAllBytes(done)).isEqualTo(content);
        assertThat(SftpServerResource.remote("drawings").resolve(name)).as("the file left the remote folder")
                .doesNotExist();

        JsonNode doc = mayan.theDocument(label);
        long id = doc.path("id").asLong();
        assertThat(doc.path("document_type").path("label").asText()).isEqualTo(MayanFixtures.DRAWING);
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(content));
        assertThat(doc.path("file_latest").path("filename").asText()).isEqualTo(name);
        assertThat(mayan.metadata(id)).containsEntry("drawing_no", no).containsEntry("revision", "3");
        assertThat(mayan.tagLabels(id)).containsExactly("engineering", "scanned");
        assertThat(mayan.cabinetPaths(id)).containsExactly("Engineering / Drawings");
        System.out.printf("E2E: SFTP %s → document %d in %.1f s, remote file in done/%n", name, id, seconds(t0, end));
    }

    @Test
    @Order(2)
    void imapMailWithTwoPdfsAndMetadataYamlMakesTwoDocumentsAndIsMarkedSeen() throws Exception {
        String unique = UUID.randomUUID().toString();
        String subject = "E2E mail " + unique;
        String number = "INV-" + unique.substring(0, 8);
        byte[] one = pdf(subject + " one");
        byte[] two = pdf(subject + " two");
        byte[] yaml = ("currency: CHF\ninvoice_number: \"" + number + "\"\n").getBytes(StandardCharsets.UTF_8);

        long t0 = System.nanoTime();
        sendMail(subject, Map.of("one.pdf", one, "two.pdf", two, "metadata.yaml", yaml));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> imapFlags(subject).contains("seen") || imapFolder("Mayan-Failed").contains(subject));
        long end = System.nanoTime();

        assertThat(imapFolder("Mayan-Failed")).as("mails in Mayan-Failed").doesNotContain(subject);
        assertThat(imapFlags(subject)).as("the mail in INBOX").contains("seen");
        Map<String, byte[]> expected = Map.of("one.pdf", one, "two.pdf", two);
        List<Long> ids = new ArrayList<>();
        for (Map.Entry<String, byte[]> attachment : expected.entrySet()) {
            JsonNode doc = mayan.theDocument(subject + " - " + attachment.getKey());
            long id = doc.path("id").asLong();
            ids.add(id);
            assertThat(doc.path("document_type").path("label").asText()).isEqualTo(MayanFixtures.INVOICE);
            assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(attachment.getValue()));
            assertThat(doc.path("file_latest").path("filename").asText()).isEqualTo(attachment.getKey());
            assertThat(mayan.metadata(id)).as("metadata of %s (metadata.yaml over the source's mapping)",
                    attachment.getKey()).containsEntry("invoice_number", number).containsEntry("currency", "CHF");
        }
        assertThat(mayan.documentsLabelledLike(unique)).as("documents of the mail (metadata.yaml is not one)")
                .hasSize(2);
        System.out.printf("E2E: IMAP mail with 2 PDFs + metadata.yaml → documents %s in %.1f s, mail seen%n", ids,
                seconds(t0, end));
    }

    @Test
    @Order(3)
    void jmsBytesMessageBecomesADocumentAndADoneEventIsSent() throws Exception {
        String unique = UUID.randomUUID().toString();
        String fileName = "jms-" + unique + ".pdf";
        String label = "E2E JMS invoice " + unique;
        String number = "JMS-" + unique.substring(0, 8);
        byte[] content = pdf(label);

        long t0 = System.nanoTime();
        String messageId = ArtemisResource.send(content, Map.of(
                "MayanFileName", fileName,
                "MayanDocumentType", MayanFixtures.INVOICE,
                "MayanLabel", label,
                "MayanMetadata", "{\"invoice_number\": \"" + number + "\", \"currency\": \"EUR\"}",
                "MayanTags", "urgent, scanned"));
        String eventText = ArtemisResource.<String>receive(ArtemisResource.EVENTS, m -> {
            try {
                return fileName.equals(RealMayan.JSON.readTree(((TextMessage) m).getText()).path("fileName").asText());
            } catch (Exception e) {
                return false;
            }
        }, m -> ((TextMessage) m).getText());
        JsonNode event = RealMayan.JSON.readTree(eventText);
        long end = System.nanoTime();

        assertThat(event.path("status").asText()).as("event %s", event).isEqualTo("done");
        JsonNode doc = mayan.theDocument(label);
        long id = doc.path("id").asLong();
        assertThat(doc.path("document_type").path("label").asText()).isEqualTo(MayanFixtures.INVOICE);
        assertThat(doc.path("file_latest").path("checksum").asText()).isEqualTo(sha256(content));
        assertThat(doc.path("file_latest").path("filename").asText()).isEqualTo(fileName);
        assertThat(doc.path("description").asText()).isEqualTo("via JMS message " + messageId);
        assertThat(mayan.metadata(id)).containsEntry("invoice_number", number).containsEntry("currency", "EUR");
        assertThat(mayan.tagLabels(id)).containsExactly("scanned", "urgent");

        assertThat(event.path("documentId").asLong()).as("event %s", event).isEqualTo(id);
        assertThat(event.path("checksum").asText()).isEqualTo(sha256(content));
        assertThat(event.path("source").asText()).isEqualTo(JMS);
        assertThat(event.path("documentUrl").asText()).isEqualTo(mayan.url() + "/api/v4/documents/" + id + "/");
        assertThat(event.path("fileId").asLong()).as("event fileId")
                .isEqualTo(doc.path("file_latest").path("id").asLong());
        assertThat(event.path("error").isNull()).isTrue();
        System.out.printf("E2E: JMS message %s → document %d, done event read back in %.1f s%n", messageId, id,
                seconds(t0, end));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static void sendMail(String subject, Map<String, byte[]> attachments) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(GreenMailResource.greenMail().getSmtp().getPort()));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress("scanner@example.test", "Scanner"));
        message.setRecipient(Message.RecipientType.TO,
                new InternetAddress(GreenMailResource.address(GreenMailResource.IMAP_SEEN)));
        message.setSubject(subject, "UTF-8");
        MimeMultipart multipart = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Two invoices attached.", "UTF-8");
        multipart.addBodyPart(text);
        for (Map.Entry<String, byte[]> a : new java.util.TreeMap<>(attachments).entrySet()) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.getValue(), "application/octet-stream")));
            part.setDisposition(MimeBodyPart.ATTACHMENT);
            part.setFileName(a.getKey());
            // As mail clients do, so that SMTP leaves the bytes (and so the checksum) alone.
            part.setHeader("Content-Transfer-Encoding", "base64");
            multipart.addBodyPart(part);
        }
        message.setContent(multipart);
        Transport.send(message);
    }

    /** The flags ("seen", "deleted") of the mail with this subject in INBOX; empty if it is not there. */
    private static List<String> imapFlags(String subject) throws Exception {
        Store store = imapStore();
        try {
            Folder folder = store.getFolder("INBOX");
            folder.open(Folder.READ_ONLY);
            List<String> flags = new ArrayList<>();
            for (Message m : folder.getMessages()) {
                if (subject.equals(m.getSubject())) {
                    flags.add("present");
                    if (m.isSet(Flags.Flag.SEEN)) {
                        flags.add("seen");
                    }
                }
            }
            folder.close(false);
            return flags;
        } finally {
            store.close();
        }
    }

    /** The subjects in an IMAP folder of the source's mailbox (none if the folder does not exist). */
    private static List<String> imapFolder(String name) throws Exception {
        Store store = imapStore();
        try {
            Folder folder = store.getFolder(name);
            if (!folder.exists()) {
                return List.of();
            }
            folder.open(Folder.READ_ONLY);
            List<String> subjects = new ArrayList<>();
            for (Message m : folder.getMessages()) {
                subjects.add(m.getSubject());
            }
            folder.close(false);
            return subjects;
        } finally {
            store.close();
        }
    }

    private static Store imapStore() throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", GreenMailResource.greenMail().getImap().getPort(), GreenMailResource.IMAP_SEEN,
                GreenMailResource.PASSWORD);
        return store;
    }

    private static String readiness() {
        try {
            return service.get("/q/health/ready");
        } catch (Exception e) {
            return e.toString();
        }
    }

    static void printLogTail(ServiceProcess service, String test) {
        try {
            List<String> lines = service == null ? List.of() : service.logText().lines().toList();
            System.out.println("E2E: " + test + " failed; last lines of " + (service == null ? "-" : service.log()) + ":");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> System.out.println("  | " + l));
        } catch (IOException | RuntimeException e) {
            System.out.println("E2E: could not read the service log: " + e);
        }
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }
}
