package io.mayaningest.mayan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.testing.TestMayanConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to Mayan: a server with a certificate from a private CA is trusted through mayan.trust-store,
 * and refused without it (certificates are always verified, there is no switch to turn that off).
 */
class MayanTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    static HttpsServer server;

    @BeforeAll
    static void start() throws Exception {
        keytool("-genkeypair", "-alias", "mayan", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", dir.resolve("server.p12").toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "mayan", "-keystore", dir.resolve("server.p12").toString(), "-storepass",
                PASSWORD, "-rfc", "-file", dir.resolve("mayan.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "mayan", "-file", dir.resolve("mayan.pem").toString(),
                "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/api/v4/project/", exchange -> {
            byte[] body = "{\"__version__\": \"4.12.2\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void aPrivateCaIsTrustedThroughTheConfiguredTrustStore() {
        MayanClient client = new MayanClient(config(Optional.of(dir.resolve("trust.p12").toString())), new ObjectMapper());
        assertThat(client.get("project/", Map.of()).path("__version__").asText()).isEqualTo("4.12.2");
    }

    @Test
    void withoutTheTrustStoreTheCertificateIsRefused() {
        MayanClient client = new MayanClient(config(Optional.empty()), new ObjectMapper());
        assertThatThrownBy(() -> client.get("project/", Map.of()))
                .isInstanceOf(MayanException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static MayanConfig config(Optional<String> trustStore) {
        return TestMayanConfig.of("https://127.0.0.1:" + server.getAddress().getPort())
                .withTrustStore(trustStore, PASSWORD).withReadTimeout(Duration.ofSeconds(5));
    }
}
