package io.mayaningest.source.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import io.mayaningest.source.SourceValidation;
import jakarta.enterprise.context.ApplicationScoped;

/** Programs uploading through {@code /api/sources/<name>/documents}: {@code kind=http}, which needs its clients (or {@code anonymous=true}), checked by {@link #check}. */
@ApplicationScoped
public class HttpSourceKind implements SourceKind {

    /** A source name that is one URL path segment as it is (the http kind mounts it in /api/sources/<name>/). */
    public static final java.util.regex.Pattern HTTP_SOURCE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final List<String> WHEN_MAYAN_UNREACHABLE = List.of("refuse", "spool");

    @Override
    public String kind() {
        return HttpSourceRoutes.KIND;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        return required;
    }

    /**
     * An http source: a name usable in its URL, clients that exist and have credentials, and no source
     * that is open by accident (without clients it must say anonymous=true).
     */
    @Override
    public void check(String name, SourceConfig source, IngestConfig config, List<String> problems) {
        String prefix = SourceValidation.PREFIX + name + ".";
        if (!HTTP_SOURCE_NAME.matcher(name).matches() || name.contains("..") || name.equals(".")) {
            problems.add(SourceValidation.PREFIX + name + ": the name of an http source is its URL segment (/api/sources/" + name
                    + "/documents) and may hold only letters, digits, '.', '_' and '-'");
        }
        if (!WHEN_MAYAN_UNREACHABLE.contains(source.whenMayanUnreachable())) {
            problems.add(prefix + "when-mayan-unreachable=" + source.whenMayanUnreachable() + " is not allowed; allowed: "
                    + String.join(", ", WHEN_MAYAN_UNREACHABLE));
        }
        List<String> clients = source.clients().orElse(List.of()).stream().map(String::strip).filter(c -> !c.isEmpty())
                .toList();
        if (clients.isEmpty() && !source.anonymous()) {
            problems.add(prefix + "clients is required for a source of kind http: name the ingest.api-clients.<client>"
                    + " allowed to upload (or set " + prefix + "anonymous=true to let anyone upload without credentials)");
        }
        for (String client : clients) {
            IngestConfig.ApiClient c = config.apiClients().get(client);
            if (c == null) {
                problems.add(prefix + "clients names \"" + client + "\", but there is no ingest.api-clients." + client
                        + ".token (or .username and .password)" + (config.apiClients().isEmpty() ? ""
                                : "; configured clients: " + String.join(", ", new java.util.TreeSet<>(config.apiClients().keySet()))));
            }
        }
        config.apiClients().forEach((client, c) -> {
            boolean token = c.token().filter(t -> !t.isBlank()).isPresent();
            boolean user = c.username().filter(u -> !u.isBlank()).isPresent();
            boolean password = c.password().filter(p -> !p.isEmpty()).isPresent();
            if (!token && !(user && password) && clients.contains(client)) {
                problems.add("ingest.api-clients." + client + " has no credentials: set .token, or .username and .password"
                        + (user != password ? " (only one of the two is set)" : ""));
            }
        });
    }
}
