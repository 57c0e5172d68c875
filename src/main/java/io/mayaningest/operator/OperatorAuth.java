package io.mayaningest.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

import io.mayaningest.config.IngestConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Authentication of the operator API ({@code /api/*}) and of the metrics ({@code /q/metrics}): a
 * bearer token ({@code ingest.operator.token}) or Basic with {@code ingest.operator.username} and
 * {@code ingest.operator.password}. With neither configured both answer 401, so nothing is open by
 * accident. Health stays open for orchestrators' probes and tells nothing secret.
 */
@ApplicationScoped
public class OperatorAuth {

    private static final Logger LOG = Logger.getLogger(OperatorAuth.class);

    private final Optional<byte[]> token;
    private final Optional<byte[]> basic;

    public OperatorAuth(IngestConfig config) {
        IngestConfig.Operator operator = config.operator();
        this.token = operator.token().filter(t -> !t.isBlank()).map(t -> t.strip().getBytes(StandardCharsets.UTF_8));
        this.basic = operator.password().filter(p -> !p.isEmpty())
                .map(p -> (operator.username() + ":" + p).getBytes(StandardCharsets.UTF_8));
        if (token.isEmpty() && basic.isEmpty()) {
            LOG.info("Operator API and /q/metrics are closed: set ingest.operator.token (INGEST_OPERATOR_TOKEN)"
                    + " or ingest.operator.password (INGEST_OPERATOR_PASSWORD) to use them");
        }
    }

    void register(@Observes Router router) {
        router.route("/api/*").order(-100).handler(this::check);
        router.route("/q/metrics*").order(-100).handler(this::check);
    }

    private void check(RoutingContext context) {
        if (authorized(context.request().getHeader("Authorization"))) {
            context.next();
            return;
        }
        context.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", "Basic realm=\"mayan-ingest\"")
                .putHeader("Content-Type", "application/json")
                .end("{\"error\":\"authentication required: a bearer token (ingest.operator.token) or Basic"
                        + " ingest.operator.username/password\"}");
    }

    boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7) && token.isPresent()) {
            return MessageDigest.isEqual(token.get(), header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6) && basic.isPresent()) {
            try {
                byte[] given = Base64.getDecoder().decode(header.substring(6).strip());
                return MessageDigest.isEqual(basic.get(), given);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }
}
