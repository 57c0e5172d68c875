package io.mayaningest.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.source.http.UploadAuth;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Authentication of every HTTP path the service answers: the operator API, {@code /q/metrics}, any
 * route a user later mounts (platform-http, console pages), on the main port and on the management
 * interface when it is built in. Credentials: a bearer token ({@code ingest.operator.token}) or Basic
 * with {@code ingest.operator.username} and {@code ingest.operator.password}. With neither configured
 * everything but the health probes answers 401, so nothing is open by accident.
 * <p>
 * Deny by default, at the head of the Vert.x router, where every request is dispatched: the only
 * open requests are GET/HEAD of the health probes in {@link #OPEN}, compared with the request's raw
 * path, which must also equal its normalised form. A variant of a probe's path (matrix parameters,
 * percent-encoding, dot segments, double or trailing slashes, other case) needs credentials like any
 * other path. The earlier guard matched {@code /api/*} on Vert.x's path while RESTEasy strips matrix
 * parameters before routing, so {@code /api;x=1/quarantine} reached the resource unauthenticated; no
 * list of protected paths can keep up with every dispatcher's normalisation, an allow-list of four
 * exact paths can. {@link JaxRsGuard} checks the credentials again inside RESTEasy, after its own
 * normalisation, so a JAX-RS resource is never reachable without them whatever its path.
 * <p>
 * Why not quarkus-security's HTTP permissions ({@code quarkus.http.auth.permission.*}): the extension
 * is served here, but it would still need a custom authentication mechanism and identity provider for
 * the token and the Basic password, its path matcher has its own rules (prefixes, trailing slashes)
 * that differ again from RESTEasy's and Vert.x's, and the management interface has a separate set of
 * permissions. One handler that runs before every route on both routers is less to get wrong.
 */
@ApplicationScoped
public class OperatorAuth {

    private static final Logger LOG = Logger.getLogger(OperatorAuth.class);

    static final String CHALLENGE = "Basic realm=\"mayan-ingest\"";
    static final String REFUSAL = "{\"error\":\"authentication required: a bearer token (ingest.operator.token) or"
            + " Basic ingest.operator.username/password\"}";

    /** The health probes orchestrators call without credentials; exact paths, nothing below them. */
    static final Set<String> OPEN = Set.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started");

    private final Optional<byte[]> token;
    private final Optional<byte[]> basic;
    private final OperatorSessions sessions;
    private final UploadAuth uploads;

    public OperatorAuth(IngestConfig config, OperatorSessions sessions, UploadAuth uploads) {
        this.sessions = sessions;
        this.uploads = uploads;
        IngestConfig.Operator operator = config.operator();
        this.token = operator.token().filter(t -> !t.isBlank()).map(t -> t.strip().getBytes(StandardCharsets.UTF_8));
        this.basic = operator.password().filter(p -> !p.isEmpty())
                .map(p -> (operator.username() + ":" + p).getBytes(StandardCharsets.UTF_8));
        if (token.isEmpty() && basic.isEmpty()) {
            LOG.info("Operator API and /q/metrics are closed (every path but the health probes answers 401): set"
                    + " ingest.operator.token (INGEST_OPERATOR_TOKEN) or ingest.operator.password"
                    + " (INGEST_OPERATOR_PASSWORD) to use them");
        }
    }

    /**
     * On every path, before any other route: Quarkus' own first handlers (access log, headers) only
     * pass the request on, and the body handler comes after this one, so an unauthenticated request
     * is answered before its body is read.
     */
    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    /** The management interface (quarkus.management.enabled=true at build time) has its own router. */
    void register(@Observes ManagementInterface management) {
        management.router().route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext context) {
        io.vertx.core.http.HttpServerRequest request = context.request();
        if (open(context)) {
            context.next();
            return;
        }
        // The upload API of http sources has clients of its own (exact paths only; see UploadAuth).
        if (uploads.handle(context)) {
            return;
        }
        String raw = request.path();
        boolean exact = raw != null && raw.equals(context.normalizedPath());
        if (HttpMethod.POST.equals(request.method()) && exact && "/login".equals(raw)) {
            login(context);
            return;
        }
        if (HttpMethod.POST.equals(request.method()) && exact && "/logout".equals(raw)) {
            io.vertx.core.http.Cookie cookie = request.getCookie(OperatorSessions.COOKIE);
            sessions.close(cookie == null ? null : cookie.getValue());
            context.response().setStatusCode(303).putHeader("Location", "/")
                    .putHeader("Set-Cookie", OperatorSessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
                    .end();
            return;
        }
        io.vertx.core.http.Cookie cookie = request.getCookie(OperatorSessions.COOKIE);
        if (authorized(request.getHeader("Authorization"), cookie == null ? null : cookie.getValue(),
                request.method().name(), request.getHeader(OperatorSessions.CSRF_HEADER))) {
            context.next();
            return;
        }
        refuse(context, null);
    }

    /** A browser asking for a page gets the login form (still 401); anything else the JSON refusal. */
    private static void refuse(RoutingContext context, String message) {
        String accept = context.request().getHeader("Accept");
        boolean page = (HttpMethod.GET.equals(context.request().method()) || HttpMethod.POST.equals(context.request().method()))
                && accept != null && accept.contains("text/html");
        context.response().setStatusCode(401);
        if (page) {
            // No Basic challenge here: a browser would answer it with its own password dialog instead of showing the form.
            context.response().putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-store").end(LoginPage.html(message));
        } else {
            context.response().putHeader("WWW-Authenticate", CHALLENGE).putHeader("Content-Type", "application/json")
                    .end(REFUSAL);
        }
    }

    /**
     * The console's login form: the operator's user and password, or the token, checked like the
     * Authorization header would be; success gives a session cookie and goes to the status page.
     */
    private void login(RoutingContext context) {
        io.vertx.core.http.HttpServerRequest request = context.request();
        String length = request.getHeader("Content-Length");
        if (length != null && length.length() > 5) {
            context.response().setStatusCode(413).end();
            return;
        }
        request.body().onComplete(result -> {
            if (result.failed() || result.result().length() > 8192) {
                refuse(context, "The login form could not be read");
                return;
            }
            Map<String, List<String>> form = new io.netty.handler.codec.http.QueryStringDecoder(
                    result.result().toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false).parameters();
            String user = first(form, "username");
            String password = first(form, "password");
            String given = first(form, "token");
            String header = !given.isEmpty() ? "Bearer " + given
                    : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!authorized(header)) {
                LOG.infof("Console login refused from %s", request.remoteAddress());
                refuse(context, "Wrong operator user and password, or wrong token");
                return;
            }
            String session = sessions.open();
            context.response().setStatusCode(303).putHeader("Location", "/")
                    .putHeader("Set-Cookie", OperatorSessions.COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict"
                            + (request.isSSL() ? "; Secure" : ""))
                    .end();
        });
        // The router pauses a request until a body handler asks for it; this one runs before that handler.
        request.resume();
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    /**
     * The Authorization header, or a console session: a session may read, and may change something
     * (POST, DELETE) only with {@link OperatorSessions#CSRF_HEADER}, which another site cannot send.
     */
    boolean authorized(String header, String session, String method, String csrf) {
        if (authorized(header)) {
            return true;
        }
        boolean safe = "GET".equals(method) || "HEAD".equals(method);
        return (safe || (csrf != null && !csrf.isBlank())) && sessions.valid(session);
    }

    /** A health probe: GET or HEAD of one of the exact paths, written exactly so (raw path = normalised path). */
    static boolean open(RoutingContext context) {
        HttpMethod method = context.request().method();
        String raw = context.request().path();
        return (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) && raw != null && OPEN.contains(raw)
                && raw.equals(context.normalizedPath());
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
