package io.mayaningest.mayan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.testing.FakeMayan;
import io.mayaningest.testing.TestMayanConfig;
import io.mayaningest.testing.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the route mayan-http takes from MayanConfig reaches the wire: the read timeout (the Endpoint
 * DSL has no typed option for it), the token added by the request interceptor, no user info in the
 * address, and a redirect answered, not followed.
 */
class MayanHttpRouteOptionsTest {

    private FakeMayan mayan;
    private MayanClient client;

    @BeforeEach
    void start() {
        mayan = FakeMayan.start().withToken("t0k3n");
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        mayan.close();
    }

    @Test
    void aStalledAnswerEndsAfterTheReadTimeout() {
        client = new MayanClient(config("http://someone:secret@" + mayan.baseUrl().substring("http://".length()),
                Duration.ofMillis(700)), new ObjectMapper());
        mayan.stallNext("GET", ".*/project/.*", Duration.ofSeconds(5), 1);
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.get("project/", Map.of()))
                .isInstanceOfSatisfying(MayanException.class, e -> {
                    assertThat(e.status()).isZero();
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.reason()).contains("did not answer GET project/");
                })
                .hasCauseInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void theTokenGoesOnTheWireAndTheAddressHasNoUserInfo() {
        client = new MayanClient(config("http://someone:secret@" + mayan.baseUrl().substring("http://".length()),
                Duration.ofSeconds(5)), new ObjectMapper());

        // document_types/ is answered 401 without the token: the interceptor added it.
        assertThat(client.get("document_types/", Map.of()).path("results").isArray()).isTrue();

        assertThat(client.baseUrl()).isEqualTo(mayan.baseUrl()).doesNotContain("secret");
        assertThat(mayan.requests()).extracting(RecordedRequest::status).containsExactly(200);
    }

    @Test
    void aRedirectIsReportedAndNotFollowed() {
        client = new MayanClient(config(mayan.baseUrl(), Duration.ofSeconds(5)), new ObjectMapper());
        mayan.setLoginRedirect(mayan.baseUrl() + FakeMayan.LOGIN_PATH + "?rd=secret-state");

        assertThatThrownBy(() -> client.get("document_types/", Map.of()))
                .isInstanceOfSatisfying(MayanException.class, e -> {
                    assertThat(e.isServiceLevel()).isTrue();
                    assertThat(e.status()).isEqualTo(302);
                    assertThat(e.reason()).contains("with a redirect (302) to " + mayan.baseUrl())
                            .doesNotContain("secret-state");
                });
        assertThat(mayan.requests()).as("the redirect is not followed")
                .noneMatch(r -> r.path().startsWith(FakeMayan.LOGIN_PATH));
    }

    @Test
    void aUserNameAndPasswordAreExchangedOnceForAToken() {
        mayan.withUser("svc", "pw-" + getClass().getSimpleName());
        client = new MayanClient(config(mayan.baseUrl(), Duration.ofSeconds(5), null, "svc",
                "pw-" + getClass().getSimpleName()), new ObjectMapper());

        client.get("document_types/", Map.of());
        client.get("document_types/", Map.of());

        assertThat(mayan.requests()).extracting(r -> r.method() + " " + r.pathWithoutQuery() + " " + r.status())
                .containsExactly("POST /api/v4/auth/token/obtain/ 200", "GET /api/v4/document_types/ 200",
                        "GET /api/v4/document_types/ 200");
        assertThat(client.currentAuthorization()).startsWith("Token ");
    }

    @Test
    void aWrongPasswordIsNamedAsSuch() {
        mayan.withUser("svc", "right");
        client = new MayanClient(config(mayan.baseUrl(), Duration.ofSeconds(5), null, "svc", "wrong"),
                new ObjectMapper());

        assertThatThrownBy(() -> client.get("document_types/", Map.of()))
                .isInstanceOfSatisfying(MayanException.class, e -> {
                    assertThat(e.isAuthFailure()).isTrue();
                    assertThat(e.reason()).startsWith("Mayan refused mayan.username/mayan.password");
                    assertThat(e.reason()).doesNotContain("wrong");
                });
    }

    private static MayanConfig config(String url, Duration readTimeout) {
        return config(url, readTimeout, "t0k3n", null, null);
    }

    private static MayanConfig config(String url, Duration readTimeout, String token, String user, String password) {
        TestMayanConfig config = TestMayanConfig.of(url).withReadTimeout(readTimeout);
        return token != null ? config.withToken(token) : config.withLogin(user, password);
    }
}
