package io.mayaningest.mayan;

import java.util.Optional;
import java.util.function.Supplier;

import io.mayaningest.config.MayanConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.builder.EndpointProducerBuilder;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * The one route that talks to Mayan: every call of {@link MayanClient} is an exchange sent to
 * {@link #MAYAN_HTTP}, whose producer is Camel HTTP on Mayan's base URL (mayan.url without user info).
 * <p>
 * Per message only the {@code CamelHttpMethod}, {@code CamelHttpPath} and {@code CamelHttpQuery}
 * headers change, never the endpoint URI (each distinct URI would be a new endpoint with its own pool,
 * cached forever). The caller sends a fresh exchange carrying only these headers and {@code Accept},
 * because Camel copies exchange headers onto the request. Failures are not thrown by the producer
 * ({@code throwExceptionOnFailure=false}): MayanClient classifies status, body and headers itself.
 * Authentication is added by a request interceptor, so the token is never an exchange header (where a
 * log, a tracer or a forwarded message could show it).
 */
@ApplicationScoped
public class MayanHttpRoutes extends EndpointRouteBuilder {

    public static final String MAYAN_HTTP = "direct:mayan-http";
    public static final String MAYAN_HTTP_ROUTE = "mayan-http";
    /** Mayan's token endpoint takes the user name and password in its body, never an Authorization header. */
    static final String TOKEN_PATH = "auth/token/obtain/";

    private final MayanConfig config;
    private final Supplier<String> authorization;
    private final String userAgent;

    @Inject
    public MayanHttpRoutes(MayanConfig config, MayanClient client) {
        this(config, client::currentAuthorization, client.userAgent());
    }

    MayanHttpRoutes(MayanConfig config, Supplier<String> authorization, String userAgent) {
        this.config = config;
        this.authorization = authorization;
        this.userAgent = userAgent;
    }

    @Override
    public void configure() {
        from(MAYAN_HTTP).routeId(MAYAN_HTTP_ROUTE)
                // No redelivery and no "Exhausted" ERROR with a stack trace per refused connection: the
                // caller classifies every failure (transient, permanent, service-level) and the pipeline
                // retries and reports it once.
                .errorHandler(noErrorHandler())
                // Before any route that may call Mayan as soon as it starts (the gate's timer).
                .startupOrder(1)
                .to(mayan());
    }

    private EndpointProducerBuilder mayan() {
        String base = MayanClient.baseOf(config.url());
        boolean tls = base.regionMatches(true, 0, "https:", 0, 6);
        String address = base.substring(base.indexOf("://") + 3);
        var endpoint = (tls ? https(address) : http(address))
                .throwExceptionOnFailure(false)
                .advanced()
                .userAgent(userAgent)
                // Mayan's API never redirects a request with the trailing slash the service sends: a 3xx
                // comes from a login proxy, and MayanClient reports it instead of following it.
                .followRedirects(false)
                .maxTotalConnections(32)
                .connectionsPerRoute(32)
                .httpClientConfigurer(configurer());
        // The Endpoint DSL has no typed setters for these, but HttpComponent reads them per endpoint (as
        // milliseconds): the connect timeout, and the socket and response timeouts of one request, within
        // which an upload streams.
        endpoint.doSetProperty("connectTimeout", config.connectTimeout().toMillis());
        endpoint.doSetProperty("soTimeout", config.readTimeout().toMillis());
        endpoint.doSetProperty("responseTimeout", config.readTimeout().toMillis());
        trustStore().ifPresent(ssl -> endpoint.basic().sslContextParameters(ssl));
        return endpoint;
    }

    private HttpClientConfigurer configurer() {
        return builder -> builder
                // Retries are the pipeline's job: it knows which calls are safe to repeat.
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .addRequestInterceptorFirst((request, entity, context) -> {
                    String auth = authorization.get();
                    String path = request.getPath();
                    if (auth != null && (path == null || !path.contains("/api/v4/" + TOKEN_PATH))) {
                        request.setHeader("Authorization", auth);
                    }
                });
    }

    private Optional<SSLContextParameters> trustStore() {
        return config.trustStore().filter(s -> !s.isBlank()).map(store -> {
            // Loaded once here as before, so a wrong store or password stops start-up with a clear message.
            MayanClient.checkTrustStore(config, store);
            KeyStoreParameters keyStore = new KeyStoreParameters();
            keyStore.setResource("file:" + store);
            keyStore.setType(config.trustStoreType());
            config.trustStorePassword().ifPresent(keyStore::setPassword);
            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setKeyStore(keyStore);
            SSLContextParameters ssl = new SSLContextParameters();
            ssl.setTrustManagers(trust);
            return ssl;
        });
    }
}
