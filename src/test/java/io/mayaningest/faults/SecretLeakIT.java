package io.mayaningest.faults;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import io.mayaningest.Fixtures;
import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeMayan;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;
import io.mayaningest.testing.SftpTestServer;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with a secret of every kind, each a distinctive value: the Mayan token, a
 * password in mayan.url's user info, an SFTP password with {@code )} and {@code &} (Camel's URI
 * masking used to stop at {@code )}), the mail password, the Artemis password, the operator's token
 * and password. Sources of every kind (folder, SFTP on MINA SSHD, IMAP and POP3 on GreenMail, JMS on
 * an embedded Artemis that checks the password) each take a good and a bad item. Then every line the
 * process wrote, every {@code .error.json}, every result event, the health answers, the metrics and
 * the operator API's answers are searched for each secret, whole, URL-encoded and in pieces.
 */
class SecretLeakIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENTS = "leak.events";
    private static final String QUEUE = "leak.in";

    private final List<String> pieces = new ArrayList<>();
    private final String mayanToken = secret("mtok", "");
    private final String urlPassword = secret("urlpw", "");
    private final String sftpPassword = secret("sftp", ")") + secret("", "&") + secret("", "");
    private final String mailPassword = secret("mail", "&") + secret("", ")") + secret("", "");
    private final String artemisPassword = secret("amq", ")") + secret("", "");
    private final String operatorToken = secret("otok", "");
    private final String operatorPassword = secret("opw", ")") + secret("", "");

    private FakeMayan mayan;
    private SshServer sftp;
    private GreenMail mail;
    private EmbeddedActiveMQ broker;
    private ServiceProcess service;
    private Path work;
    private Path sftpRoot;
    private int brokerPort;

    /** A distinctive random piece, remembered so that a partial leak (a tail after ')') is found too. */
    private String secret(String prefix, String separator) {
        String piece = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pieces.add(piece);
        return piece + separator;
    }

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(Path.of("target", "it", "leak-" + UUID.randomUUID()).toAbsolutePath());
        mayan = FakeMayan.start().withToken(mayanToken);
        Fixtures.create(mayan);
        sftpRoot = Files.createDirectories(work.resolve("sftp-server").resolve("outgoing")).getParent();
        sftp = sftpServer(sftpRoot);
        mail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP));
        mail.start();
        mail.setUser("imapbox@example.test", "imapbox", mailPassword);
        mail.setUser("popbox@example.test", "popbox", mailPassword);
        brokerPort = freePort();
        broker = broker(work.resolve("artemis"), brokerPort);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.stop();
        }
        broker.stop();
        mail.stop();
        sftp.stop(true);
        mayan.close();
    }

    @Test
    void noSecretReachesLogsErrorReportsEventsHealthMetricsOrTheOperatorApi() throws Exception {
        Path inbox = Files.createDirectories(work.resolve("inbox"));
        URI base = URI.create(mayan.baseUrl());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("mayan.poll-initial-delay", "100ms");
        config.put("mayan.poll-max-delay", "500ms");
        config.put("mayan.retry-initial-delay", "200ms");
        config.put("mayan.health-interval", "1s");
        config.put("quarkus.artemis.url", "tcp://127.0.0.1:" + brokerPort);
        config.put("ingest.events.destination", EVENTS);
        // In the file, not ARTEMIS_PASSWORD: Quarkus' build-time warning quotes it when given this way.
        config.put("quarkus.artemis.username", "ingest");
        config.put("quarkus.artemis.password", artemisPassword);

        config.put("ingest.sources.files.kind", "file");
        config.put("ingest.sources.files.path", inbox.toString());
        config.put("ingest.sources.files.poll-interval", "200ms");
        config.put("ingest.sources.files.stable-for", "300ms");

        config.put("ingest.sources.partner.kind", "sftp");
        config.put("ingest.sources.partner.host", "127.0.0.1");
        config.put("ingest.sources.partner.port", String.valueOf(sftp.getPort()));
        config.put("ingest.sources.partner.username", "partner");
        config.put("ingest.sources.partner.known-hosts-file", work.resolve("known_hosts").toString());
        config.put("ingest.sources.partner.path", "outgoing");
        config.put("ingest.sources.partner.poll-interval", "200ms");
        config.put("ingest.sources.partner.stable-for", "300ms");

        // Subjects become drawing numbers: "123456" is good, anything else fails Mayan's ^\d{6}$.
        mailSource(config, "imapbox", "imap", mail.getImap().getPort());
        config.put("ingest.sources.imapbox.document-type", "Drawing");
        config.put("ingest.sources.imapbox.metadata.drawing_no", "{mail.subject}");
        mailSource(config, "popbox", "pop3", mail.getPop3().getPort());

        // Sources that cannot log in or connect: their failures are logged and shown in readiness.
        int closed = freePort();
        for (String name : List.of("refused", "unreachable")) {
            String prefix = "ingest.sources." + name + ".";
            config.put(prefix + "kind", "sftp");
            config.put(prefix + "host", "127.0.0.1");
            config.put(prefix + "port", String.valueOf(name.equals("refused") ? sftp.getPort() : closed));
            config.put(prefix + "username", "partner");
            config.put(prefix + "known-hosts-file", work.resolve("known_hosts").toString());
            config.put(prefix + "path", "outgoing");
            config.put(prefix + "poll-interval", "300ms");
        }
        mailSource(config, "deadmail", "imap", closed);

        config.put("ingest.sources.orders.kind", "jms");
        config.put("ingest.sources.orders.destination", QUEUE);

        Map<String, String> env = new LinkedHashMap<>();
        // Secrets from the environment, as README says; the Mayan URL carries user info as some users write it.
        env.put("MAYAN_URL", base.getScheme() + "://leakuser:" + urlPassword + "@" + base.getAuthority());
        env.put("MAYAN_TOKEN", mayanToken);
        env.put("INGEST_SOURCES_PARTNER_PASSWORD", sftpPassword);
        env.put("INGEST_SOURCES_IMAPBOX_PASSWORD", mailPassword);
        env.put("INGEST_SOURCES_POPBOX_PASSWORD", mailPassword);
        env.put("INGEST_SOURCES_REFUSED_PASSWORD", sftpPassword + "-wrong");
        env.put("INGEST_SOURCES_UNREACHABLE_PASSWORD", sftpPassword);
        env.put("INGEST_SOURCES_DEADMAIL_PASSWORD", mailPassword);
        env.put("INGEST_OPERATOR_TOKEN", operatorToken);
        env.put("INGEST_OPERATOR_PASSWORD", operatorPassword);
        // Assigned before start: a start that times out still leaves a process for tearDown to stop.
        service = new ServiceProcess(work, config, env, List.of("-Xmx160m", "-XX:+UseSerialGC"));
        service.start();

        // A good and a bad item from every source.
        drop(inbox, "good-file.pdf", pdf("good file"));
        drop(inbox, "bad-file.pdf", new byte[0]);
        upload("good-sftp.pdf", pdf("good sftp"));
        upload("bad-sftp.pdf", new byte[0]);
        sendMail("imapbox", "123456", "good-imap.pdf");
        sendMail("imapbox", "not-a-number", "bad-imap.pdf");
        sendMail("popbox", "pop", "good-pop.pdf");
        sendJms(Map.of("MayanFileName", "good-jms.pdf", "MayanLabel", "good-jms"));
        sendJms(Map.of("MayanFileName", "bad-jms.pdf", "MayanDocumentType", "Nope"));

        // Should an item not get through, the secrets are still searched first: a leak is the worse news.
        AssertionError stalled = null;
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(mayan.documents()).extracting(d -> d.label())
                    .contains("good-file.pdf", "good-sftp.pdf", "good-imap.pdf", "good-pop.pdf", "good-jms");
            assertThat(quarantinedSources()).contains("files", "partner", "imapbox", "orders");
            assertThat(http("GET", "/q/health/ready", null).body()).contains("\"source.refused\": \"DOWN\"",
                    "\"source.unreachable\": \"DOWN\"");
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            stalled = new AssertionError("not every item went through in time", e);
        }

        Map<String, String> outputs = new LinkedHashMap<>();
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/health/started")) {
            outputs.put("GET " + path, http("GET", path, null).body());
        }
        outputs.put("GET /q/metrics", http("GET", "/q/metrics", "Bearer " + operatorToken).body());
        String basic = "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("operator:" + operatorPassword).getBytes(StandardCharsets.UTF_8));
        String list = http("GET", "/api/quarantine", basic).body();
        outputs.put("GET /api/quarantine", list);
        for (JsonNode item : JSON.readTree(list).path("items")) {
            String path = "/api/quarantine/" + item.path("id").asText();
            outputs.put("GET " + path, http("GET", path, "Bearer " + operatorToken).body());
        }
        for (Path report : errorReports()) {
            outputs.put(report.toString(), Files.readString(report));
        }
        List<String> events = events();
        for (int i = 0; i < events.size(); i++) {
            outputs.put("event " + i, events.get(i));
        }
        service.stop();
        outputs.put("the service's output", service.logText());

        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            for (String needle : needles()) {
                int at = output.getValue().indexOf(needle);
                if (at >= 0) {
                    String text = output.getValue();
                    leaks.add(output.getKey() + " contains \"" + needle + "\": ..."
                            + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + needle.length() + 40))
                                    .replace('\n', ' ')
                            + "...");
                }
            }
        }
        assertThat(leaks).as("secrets in what the service shows").isEmpty();
        if (stalled != null) {
            throw stalled;
        }
        // What was searched is really there.
        assertThat(events).as("result events").hasSizeGreaterThanOrEqualTo(5);
        assertThat(outputs.keySet()).as("error reports of the file and SFTP sources")
                .anyMatch(k -> k.contains("inbox") && k.endsWith("bad-file.pdf.error.json"))
                .anyMatch(k -> k.contains("sftp-server") && k.endsWith(".error.json"));
    }

    /** Every secret whole and URL-encoded, and each random piece of it on its own. */
    private Set<String> needles() {
        Set<String> needles = new LinkedHashSet<>(pieces);
        for (String s : List.of(mayanToken, urlPassword, sftpPassword, mailPassword, artemisPassword, operatorToken,
                operatorPassword)) {
            needles.add(s);
            needles.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        return needles;
    }

    private List<String> quarantinedSources() throws Exception {
        HttpResponse<String> response = http("GET", "/api/quarantine", "Bearer " + operatorToken);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> sources = new ArrayList<>();
        JSON.readTree(response.body()).path("items").forEach(i -> sources.add(i.path("source").asText()));
        return sources;
    }

    private HttpResponse<String> http(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path)))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Path> errorReports() throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".error.json")).toList();
        }
    }

    private static void mailSource(Map<String, String> config, String name, String kind, int port) {
        String prefix = "ingest.sources." + name + ".";
        config.put(prefix + "kind", kind);
        config.put(prefix + "host", "127.0.0.1");
        config.put(prefix + "port", String.valueOf(port));
        config.put(prefix + "security", "none");
        config.put(prefix + "username", name);
        config.put(prefix + "poll-interval", "300ms");
    }

    private void sendMail(String box, String subject, String attachment) {
        GreenMailUtil.sendAttachmentEmail(box + "@example.test", "sender@example.test", subject, "attached",
                pdf(attachment), "application/pdf", attachment, attachment, mail.getSmtp().getServerSetup());
    }

    private void upload(String name, byte[] content) throws IOException {
        Path temp = sftpRoot.resolve("outgoing").resolve(".upload-" + System.nanoTime());
        Files.write(temp, content);
        Files.move(temp, sftpRoot.resolve("outgoing").resolve(name));
    }

    private ActiveMQConnectionFactory jms() {
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort, "ingest", artemisPassword);
    }

    private void sendJms(Map<String, String> properties) throws Exception {
        try (Connection connection = jms().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(pdf(properties.get("MayanFileName")));
            for (Map.Entry<String, String> p : properties.entrySet()) {
                message.setStringProperty(p.getKey(), p.getValue());
            }
            session.createProducer(session.createQueue(QUEUE)).send(message);
        }
    }

    /** Every result event on the queue, until it stays empty for two seconds. */
    private List<String> events() throws Exception {
        List<String> events = new ArrayList<>();
        try (Connection connection = jms().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(EVENTS));
            for (Message m = consumer.receive(2000); m != null; m = consumer.receive(2000)) {
                events.add(((TextMessage) m).getText());
            }
        }
        return events;
    }

    private SshServer sftpServer(Path root) throws Exception {
        return SftpTestServer.start(root, "partner", sftpPassword, work.resolve("known_hosts"));
    }

    /** An embedded broker that checks the service's user name and password. */
    private EmbeddedActiveMQ broker(Path data, int port) throws Exception {
        Configuration config = new ConfigurationImpl();
        config.setPersistenceEnabled(false);
        config.setSecurityEnabled(true);
        config.setBindingsDirectory(data.resolve("bindings").toString());
        config.setJournalDirectory(data.resolve("journal").toString());
        config.setPagingDirectory(data.resolve("paging").toString());
        config.setLargeMessagesDirectory(data.resolve("large-messages").toString());
        config.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        config.addAddressSetting("#", new AddressSettings().setRedeliveryDelay(300L).setMaxDeliveryAttempts(5)
                .setDeadLetterAddress(SimpleString.of("DLA")));
        EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
        embedded.setConfiguration(config);
        embedded.setSecurityManager(new ActiveMQSecurityManager() {
            @Override
            public boolean validateUser(String user, String password) {
                return "ingest".equals(user) && artemisPassword.equals(password);
            }

            @Override
            public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
                return validateUser(user, password);
            }
        });
        embedded.start();
        return embedded;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
