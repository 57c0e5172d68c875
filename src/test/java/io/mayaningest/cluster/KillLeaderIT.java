package io.mayaningest.cluster;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.mayaningest.Fixtures;
import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.RecordedRequest;
import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;

/**
 * Kill the leader: two replicas of the packaged service (two processes) read one IMAP mailbox
 * (GreenMail) as a leader-only source on a file-lock cluster (ingest.cluster.kind=file, a lock
 * directory both share) and one PostgreSQL ledger (e2e/postgres-up.sh, a schema of its own). The
 * leader is SIGKILLed while it ingests; the other replica takes the lock and finishes the mailbox;
 * every attachment is in Mayan (the test double, with a processing delay) exactly once.
 */
class KillLeaderIT {

    private static final String TOKEN = "leader-token";
    private static final String SOURCE = "mailbox";
    private static final String OPERATOR_TOKEN = "it-operator-" + java.util.UUID.randomUUID();
    private static final String USER = "intake";
    private static final String PASSWORD = "secret";
    private static final int MAILS = 30;
    private static final int ATTACHMENTS_PER_MAIL = 2;
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern BECAME_LEADER = Pattern.compile(
            "^(\\S+ \\S+) .*Source " + SOURCE + ": this replica \\((\\S+)\\) became leader", Pattern.MULTILINE);

    @Test
    void theOtherReplicaTakesOverAndEveryAttachmentArrivesOnce() throws Exception {
        Map<String, String> pg = postgres();
        String schema = "leader_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        // Made here, empty: the two replicas start at once and Flyway then only migrates it (under its lock).
        sql(pg, "CREATE SCHEMA " + schema);
        Path work = Files.createDirectories(Path.of("target", "it", "kill-leader-" + UUID.randomUUID()).toAbsolutePath());
        Path lockRoot = Files.createDirectories(work.resolve("cluster"));
        GreenMail mail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        mail.start();
        GreenMailUser user = mail.setUser(USER + "@example.test", USER, PASSWORD);
        FakeMayan mayan = FakeMayan.start().withToken(TOKEN);
        Fixtures.create(mayan);
        // Mayan's processing (file, then checksum) dominates, so the kill lands in the middle of the run.
        mayan.setFileAppearDelay(Duration.ofMillis(200)).setChecksumDelay(Duration.ofMillis(100));
        List<ServiceProcess> replicas = new ArrayList<>();
        try {
            Map<String, String> env = new HashMap<>(pg);
            env.put("QUARKUS_PROFILE", "prod,pg");
            env.put("MAYAN_TOKEN", TOKEN);
            Map<String, String> config = config(mayan, mail.getImap().getPort(), lockRoot, pg, schema);
            for (String name : List.of("a", "b")) {
                replicas.add(new ServiceProcess(work.resolve(name), config, env, List.of("-Xmx160m", "-XX:+UseSerialGC")));
            }
            // Both at once, as a Deployment starts its pods; Flyway on one schema is safe (it locks).
            CompletableFuture<?>[] starts = replicas.stream().map(r -> CompletableFuture.runAsync(() -> {
                try {
                    r.start();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            })).toArray(CompletableFuture[]::new);
            CompletableFuture.allOf(starts).get(4, TimeUnit.MINUTES);

            await().atMost(Duration.ofSeconds(30)).until(() -> leaders(replicas) == 1);
            ServiceProcess leader = replicas.stream().filter(r -> becameLeader(r).isPresent()).findFirst().orElseThrow();
            ServiceProcess other = replicas.get(replicas.indexOf(leader) == 0 ? 1 : 0);
            assertThat(other.logText()).contains("Source " + SOURCE + ": standby (not leader");
            // A standby replica is ready (it serves HTTP and would take the role at once) and says it is standby.
            assertThat(other.status("/q/health/ready")).isEqualTo(200);
            assertThat(other.get("/q/health/ready")).contains("\"source." + SOURCE + "\": \"standby (not leader)\"");
            assertThat(leader.get("/q/health/ready")).contains("\"source." + SOURCE + "\": \"leader\"");
            // The console's sources view says the same.
            assertThat(sourceState(other)).isEqualTo("standby");
            assertThat(sourceState(leader)).isEqualTo("running");

            Map<String, String> expected = new LinkedHashMap<>();
            for (int i = 0; i < MAILS; i++) {
                deliver(user, "Invoice " + i, expected);
            }
            int total = MAILS * ATTACHMENTS_PER_MAIL;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> mayan.documents().size() >= total / 4);
            int before = mayan.documents().size();
            Instant killed = Instant.now();
            leader.kill();

            await().atMost(Duration.ofSeconds(60)).until(() -> becameLeader(other).isPresent());
            Instant otherLeads = becameLeader(other).orElseThrow();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> seen(mail) == MAILS);
            Optional<Instant> firstUploadAfter = mayan.requests().stream().filter(KillLeaderIT::isUpload)
                    .map(RecordedRequest::time).filter(t -> t.isAfter(killed)).min(Instant::compareTo);

            Map<String, Integer> perChecksum = new HashMap<>();
            for (FakeDocument d : mayan.documents()) {
                d.latestFile().ifPresent(f -> perChecksum.merge(f.sha256(), 1, Integer::sum));
            }
            long once = expected.values().stream().filter(c -> perChecksum.getOrDefault(c, 0) == 1).count();
            long twice = perChecksum.values().stream().filter(n -> n > 1).count();
            long missing = expected.values().stream().filter(c -> !perChecksum.containsKey(c)).count();
            long uploadsByOther = countUploads(other);
            System.out.printf("LEADER: %d mails, %d attachments, two replicas on a file lock (acquire-lock-interval 1s)"
                    + " and a PostgreSQL ledger; leader SIGKILLed after %d documents%n", MAILS, total, before);
            System.out.printf("LEADER: hand-over: kill -> other replica's 'became leader' %d ms; kill -> first upload"
                    + " after the kill %s%n", Duration.between(killed, otherLeads).toMillis(),
                    firstUploadAfter.map(t -> Duration.between(killed, t).toMillis() + " ms").orElse("none"));
            System.out.printf("LEADER: documents %d: %d attachments once, %d twice or more, %d missing;"
                    + " the survivor uploaded %d%n", mayan.documents().size(), once, twice, missing, uploadsByOther);

            assertThat(missing).isZero();
            assertThat(twice).isZero();
            assertThat(once).isEqualTo(total);
            assertThat(mayan.documents()).hasSize(total);
            assertThat(uploadsByOther).as("the survivor took over the mailbox").isPositive();
            // The survivor's lock came within the acquire interval (1 s) plus start of its consumer, not minutes.
            assertThat(Duration.between(killed, otherLeads)).isLessThan(Duration.ofSeconds(15));
        } finally {
            for (ServiceProcess r : replicas) {
                r.stop();
            }
            mayan.close();
            mail.stop();
            dropSchema(pg, schema);
        }
    }

    /** The state the operator console's API gives the mailbox source on this replica. */
    private static String sourceState(ServiceProcess replica) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(replica.baseUrl() + "/api/sources"))
                        .header("Authorization", "Bearer " + OPERATOR_TOKEN).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /api/sources: %s", r.body()).isEqualTo(200);
        for (com.fasterxml.jackson.databind.JsonNode source : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.body()).path("sources")) {
            if (SOURCE.equals(source.path("name").asText())) {
                return source.path("state").asText();
            }
        }
        throw new AssertionError("no source " + SOURCE + " in " + r.body());
    }

    private static Map<String, String> config(FakeMayan mayan, int imapPort, Path lockRoot, Map<String, String> pg,
            String schema) {
        Map<String, String> c = new HashMap<>();
        c.put("mayan.url", mayan.baseUrl());
        c.put("mayan.poll-initial-delay", "100ms");
        c.put("mayan.poll-max-delay", "500ms");
        c.put("mayan.retry-initial-delay", "200ms");
        c.put("mayan.retry-max-delay", "2s");
        c.put("mayan.health-interval", "1s");
        c.put("mayan.interrupted-upload-grace", "5s");
        c.put("quarkus.datasource.pg.jdbc.url", pg.get("INGEST_LEDGER_URL") + "?currentSchema=" + schema);
        c.put("quarkus.flyway.pg.schemas", schema);
        c.put("ingest.operator.token", OPERATOR_TOKEN);
        c.put("ingest.cluster.kind", "file");
        c.put("ingest.cluster.file.root", lockRoot.toString());
        c.put("ingest.cluster.file.acquire-lock-delay", "200ms");
        c.put("ingest.cluster.file.acquire-lock-interval", "1s");
        String p = "ingest.sources." + SOURCE + ".";
        c.put(p + "kind", "imap");
        c.put(p + "host", "127.0.0.1");
        c.put(p + "port", String.valueOf(imapPort));
        c.put(p + "security", "none");
        c.put(p + "username", USER);
        c.put(p + "password", PASSWORD);
        c.put(p + "poll-interval", "300ms");
        c.put(p + "document-type", "Invoice");
        c.put(p + "label", "{mail.subject} - {attachment.name}");
        c.put(p + "metadata.invoice_number", "{mail.subject}");
        return c;
    }

    /** A mail with two PDF attachments straight into the mailbox; their checksums by label. */
    private static void deliver(GreenMailUser user, String subject, Map<String, String> expected) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress("sender@example.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(user.getEmail()));
        message.setSubject(subject, "UTF-8");
        MimeMultipart multipart = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Please find attached.", "UTF-8");
        multipart.addBodyPart(text);
        for (int i = 1; i <= ATTACHMENTS_PER_MAIL; i++) {
            byte[] content = pdf(subject + " part " + i + " " + UUID.randomUUID());
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, "application/pdf")));
            part.setDisposition(MimeBodyPart.ATTACHMENT);
            part.setFileName("part" + i + ".pdf");
            part.setHeader("Content-Transfer-Encoding", "base64");
            multipart.addBodyPart(part);
            expected.put(subject + " - part" + i + ".pdf", sha256(content));
        }
        message.setContent(multipart);
        message.saveChanges();
        user.deliver(message);
    }

    /** Mails in the INBOX marked \Seen, which the service does only after all their documents are in Mayan. */
    private static int seen(GreenMail mail) throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", mail.getImap().getPort(), USER, PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            int n = 0;
            for (Message m : inbox.getMessages()) {
                if (m.isSet(Flags.Flag.SEEN)) {
                    n++;
                }
            }
            inbox.close(false);
            return n;
        } finally {
            store.close();
        }
    }

    private static long leaders(List<ServiceProcess> replicas) {
        return replicas.stream().filter(r -> becameLeader(r).isPresent()).count();
    }

    /** When this replica's log says it became the source's leader (the log's clock is this machine's). */
    private static Optional<Instant> becameLeader(ServiceProcess replica) {
        try {
            Matcher m = BECAME_LEADER.matcher(replica.logText());
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(LocalDateTime.parse(m.group(1), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long countUploads(ServiceProcess replica) throws IOException {
        return replica.logText().lines().filter(l -> l.contains("Uploaded \"") && l.contains("from source \"" + SOURCE))
                .count();
    }

    private static boolean isUpload(RecordedRequest r) {
        return r.method().equals("POST") && (r.path().contains("documents/upload") || r.path().contains("document_upload"));
    }

    private static Map<String, String> postgres() throws IOException, InterruptedException {
        return io.mayaningest.testing.Postgres.connection();
    }

    private static void sql(Map<String, String> pg, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.get("INGEST_LEDGER_URL"), pg.get("INGEST_LEDGER_USERNAME"),
                pg.get("INGEST_LEDGER_PASSWORD")); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static void dropSchema(Map<String, String> pg, String schema) {
        try {
            sql(pg, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (Exception e) {
            System.out.println("LEADER: could not drop schema " + schema + ": " + e.getMessage());
        }
    }
}
