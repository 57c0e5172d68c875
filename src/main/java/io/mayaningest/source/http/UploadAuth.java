package io.mayaningest.source.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Who may use the upload API of an http source: the API clients it names
 * ({@code ingest.sources.<name>.clients}), each with a bearer token or a Basic user and password
 * ({@code ingest.api-clients.<client>.*}); anyone only where the source says {@code anonymous=true}.
 * The operator's credentials are not an API client's, and an API client's open nothing else.
 * <p>
 * Checked twice, like the operator's: at the head of the Vert.x router ({@link #handle}, called by
 * the operator guard before its own check), and again after RESTEasy matched the request to
 * {@link UploadResource} ({@link UploadGuard}), with the source name as RESTEasy decoded it. The first
 * check takes only a raw path that is exactly {@code /api/sources/<name>/documents[/<id>]} and equal to
 * its normalised form; a variant (matrix parameters, {@code //}, percent-encoding, dot segments) is
 * left to the operator guard, so it needs the operator's credentials and then still an API client's.
 */
@ApplicationScoped
public class UploadAuth {

    private static final Logger LOG = Logger.getLogger(UploadAuth.class);

    /** The upload API's paths, exactly: the collection and one item's status. */
    static final Pattern PATH = Pattern.compile("/api/sources/([A-Za-z0-9][A-Za-z0-9._-]*)/documents(?:/([A-Za-z0-9-]{1,64}))?");
    /** Set on the routing context of a request the first check let through: the source it may use. */
    public static final String PASSED = "mayanIngestUploadSource";
    static final String REALM = "mayan-ingest-upload";

    /** What the credentials of a request allow on a source. */
    public record Decision(int status, String client, String reason, String fix) {
        boolean allowed() {
            return status == 200;
        }
    }

    private record Client(String name, Optional<byte[]> token, Optional<String> username, Optional<byte[]> password) {
    }

    private final IngestConfig config;
    private final Map<String, Client> clients = new LinkedHashMap<>();

    private final ObjectMapper json;

    public UploadAuth(IngestConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        config.apiClients().forEach((name, c) -> clients.put(name, new Client(name,
                c.token().filter(t -> !t.isBlank()).map(t -> t.strip().getBytes(StandardCharsets.UTF_8)),
                c.username().filter(u -> !u.isBlank()).map(String::strip),
                c.password().filter(p -> !p.isEmpty()).map(p -> p.getBytes(StandardCharsets.UTF_8)))));
    }

    /** Whether RESTEasy's view of a path is the upload API of exactly this source. */
    public static boolean isUploadPath(String path, String sourceName) {
        Matcher m = PATH.matcher(path == null ? "" : path);
        return m.matches() && m.group(1).equals(sourceName);
    }

    /** The enabled http source of this name, if there is one. */
    Optional<SourceConfig> source(String name) {
        SourceConfig source = name == null ? null : config.sources().get(name);
        return source != null && source.enabled() && HttpSourceRoutes.KIND.equals(source.kind()) ? Optional.of(source)
                : Optional.empty();
    }

    /**
     * The first check, on the Vert.x router. True when the request was the upload API's and has been
     * answered (401, 403) or let through; false when it is not (then the operator's guard decides).
     */
    public boolean handle(RoutingContext context) {
        String raw = context.request().path();
        if (raw == null || !raw.equals(context.normalizedPath())) {
            return false;
        }
        Matcher m = PATH.matcher(raw);
        if (!m.matches() || source(m.group(1)).isEmpty()) {
            return false;
        }
        Decision decision = decide(m.group(1), context.request().getHeader("Authorization"));
        if (!decision.allowed()) {
            // Answered before a byte of the body is read (the body handler comes after this one).
            context.response().setStatusCode(decision.status())
                    .putHeader("Content-Type", Problems.MEDIA_TYPE);
            if (decision.status() == 401) {
                context.response().putHeader("WWW-Authenticate", List.<String>of("Bearer realm=\"" + REALM + "\"",
                        "Basic realm=\"" + REALM + "\""));
            }
            context.response().putHeader("Connection", "close").end(Problems.json(json, Problems.auth(decision, raw)));
            return true;
        }
        context.put(PASSED, m.group(1));
        context.next();
        return true;
    }

    /** What {@code authorization} (the header's value, or null) may do on the http source {@code sourceName}. */
    public Decision decide(String sourceName, String authorization) {
        SourceConfig source = source(sourceName).orElse(null);
        if (source == null) {
            return new Decision(404, null, "there is no http source \"" + sourceName + "\"",
                    "use the name of an ingest.sources.<name> of kind http");
        }
        if (source.anonymous()) {
            return new Decision(200, "anonymous", null, null);
        }
        Optional<Client> client = identify(authorization);
        if (client.isEmpty()) {
            return new Decision(401, null, authorization == null ? "no credentials were sent"
                    : "the credentials are not those of an API client",
                    "send \"Authorization: Bearer <token>\" or Basic authentication of a client named in ingest.sources."
                            + sourceName + ".clients (ingest.api-clients.<client>.token or .username/.password)");
        }
        List<String> allowed = source.clients().orElse(List.of()).stream().map(String::strip).toList();
        if (!allowed.contains(client.get().name())) {
            return new Decision(403, client.get().name(), "API client \"" + client.get().name()
                    + "\" may not upload to source \"" + sourceName + "\"",
                    "use a client this source allows, or add it to ingest.sources." + sourceName + ".clients");
        }
        return new Decision(200, client.get().name(), null, null);
    }

    /** The client whose token, or user and password, the header carries. Every candidate is compared (no early exit). */
    private Optional<Client> identify(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Client found = null;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            for (Client c : clients.values()) {
                if (c.token().isPresent() && MessageDigest.isEqual(c.token().get(), given)) {
                    found = c;
                }
            }
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            String user = decoded.substring(0, colon);
            byte[] password = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
            for (Client c : clients.values()) {
                if (c.username().isPresent() && c.password().isPresent() && c.username().get().equals(user)
                        & MessageDigest.isEqual(c.password().get(), password)) {
                    found = c;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /** Start-up: an anonymous source is said out loud. */
    void warnAnonymous() {
        config.sources().forEach((name, source) -> {
            if (source.enabled() && HttpSourceRoutes.KIND.equals(source.kind()) && source.anonymous()) {
                LOG.warnf("Upload API source \"%s\" is open to anyone WITHOUT credentials (ingest.sources.%s.anonymous=true):"
                        + " POST /api/sources/%s/documents", name, name, name);
            }
        });
    }
}
