package io.mayaningest.operator;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * No HTTP/2 upgrade ({@code Upgrade: h2c}) on the plain-HTTP port. A client that asks for it on a
 * request with a body (Java's HttpClient does so by default on every http:// POST) gets its body taken
 * by the upgrade: with a large upload the connection broke off ("Stream was closed") and the service
 * ran out of heap at -Xmx96m, before any handler of ours, authentication included, had run. Without
 * the upgrade such a client simply speaks HTTP/1.1, whose request body is streamed. HTTP/2 over TLS
 * (ALPN, {@code quarkus.http.http2}) is not affected.
 */
@ApplicationScoped
public class CleartextHttp2Off implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
