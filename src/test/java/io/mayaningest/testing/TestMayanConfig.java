package io.mayaningest.testing;

import java.time.Duration;
import java.util.Optional;

import io.mayaningest.config.MayanConfig;

/**
 * The {@code mayan.*} settings of a test that builds a {@code MayanClient} by hand (no Quarkus): short
 * timeouts and delays, a token, no trust store, no request limit. Each test changes what it is about
 * with the {@code with...} copies.
 */
public record TestMayanConfig(String url, Optional<String> token, Optional<String> username,
        Optional<String> password, Optional<String> trustStore, Optional<String> trustStorePassword,
        Duration readTimeout, Optional<String> uploadSource) implements MayanConfig {

    public static TestMayanConfig of(String url) {
        return new TestMayanConfig(url, Optional.of("t"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(10), Optional.empty());
    }

    public TestMayanConfig withToken(String token) {
        return new TestMayanConfig(url, Optional.ofNullable(token), username, password, trustStore,
                trustStorePassword, readTimeout, uploadSource);
    }

    public TestMayanConfig withLogin(String user, String secret) {
        return new TestMayanConfig(url, Optional.empty(), Optional.ofNullable(user), Optional.ofNullable(secret),
                trustStore, trustStorePassword, readTimeout, uploadSource);
    }

    public TestMayanConfig withTrustStore(Optional<String> store, String storePassword) {
        return new TestMayanConfig(url, token, username, password, store, Optional.ofNullable(storePassword),
                readTimeout, uploadSource);
    }

    public TestMayanConfig withReadTimeout(Duration timeout) {
        return new TestMayanConfig(url, token, username, password, trustStore, trustStorePassword, timeout,
                uploadSource);
    }

    public TestMayanConfig withUploadSource(String label) {
        return new TestMayanConfig(url, token, username, password, trustStore, trustStorePassword, readTimeout,
                Optional.ofNullable(label));
    }

    @Override
    public String trustStoreType() {
        return "PKCS12";
    }

    @Override
    public Duration connectTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    public Duration lookupCacheTtl() {
        return Duration.ofMinutes(1);
    }

    @Override
    public Duration pollInitialDelay() {
        return Duration.ofMillis(100);
    }

    @Override
    public Duration pollMaxDelay() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration fileTimeout() {
        return Duration.ofMinutes(1);
    }

    @Override
    public int maxRetries() {
        return 1;
    }

    @Override
    public Duration retryInitialDelay() {
        return Duration.ofMillis(100);
    }

    @Override
    public Duration retryMaxDelay() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration interruptedUploadGrace() {
        return Duration.ofSeconds(5);
    }

    @Override
    public int maxInFlight() {
        return 1;
    }

    @Override
    public Duration healthInterval() {
        return Duration.ofSeconds(5);
    }

    @Override
    public double maxRequestsPerSecond() {
        return 0;
    }

    @Override
    public Optional<String> userAgent() {
        return Optional.empty();
    }
}
