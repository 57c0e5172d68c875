package io.mayaningest.operator;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * No HTTP/2 upgrade ({@code Upgrade: h2c}) on the plain-HTTP port. Java's HttpClient asks for it by
 * default on every http:// POST. The upgrade is granted before any handler of ours runs (a request
 * with a wrong token got its 101 too), and a 1 GiB upload sent that way broke off ("Stream was
 * closed") and ran the service out of heap at -Xmx96m, while the same upload over HTTP/1.1 streams
 * in a few MB. Without the upgrade such a client simply speaks HTTP/1.1. HTTP/2 over TLS (ALPN,
 * {@code quarkus.http.http2}) is not affected.
 */
@ApplicationScoped
public class CleartextHttp2Off implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
