package io.mayaningest.source;

import io.mayaningest.source.file.FileSourceRoutes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;

/**
 * Checks {@code ingest.sources.*} before any source starts: a kind the service does not have (which
 * no route builder would pick up, so the source would silently do nothing), a setting its kind
 * requires, a duplicates policy that does not exist. All problems are reported at once, each naming
 * the property and what is allowed, and start-up stops.
 * <p>
 * A key no source has is already refused by SmallRye Config (Quarkus validates every property under
 * a {@code @ConfigMapping} prefix: {@code SRCFG00050 ... does not map to any root}), before this runs.
 */
public final class SourceValidation {

    static final String PREFIX = "ingest.sources.";

    /**
     * The source kinds and the settings each requires. The kinds' classes (FileSourceRoutes, sftp, mail,
     * jms, route) live in packages below this one, which this one does not import; a new kind is added here.
     */
    static final Map<String, List<String>> KINDS = new LinkedHashMap<>();
    static {
        KINDS.put("file", List.of("path"));
        KINDS.put("sftp", List.of("host", "username", "path"));
        KINDS.put("imap", List.of("host", "username"));
        KINDS.put("pop3", List.of("host", "username"));
        KINDS.put("jms", List.of("destination"));
        KINDS.put("route", List.of());
        KINDS.put("http", List.of());
    }

    /** A source name that is one URL path segment as it is (the http kind mounts it in /api/sources/<name>/). */
    public static final java.util.regex.Pattern HTTP_SOURCE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final List<String> WHEN_MAYAN_UNREACHABLE = List.of("refuse", "spool");

    static final List<String> DUPLICATES = List.of("skip", "allow", "new-file");

    private SourceValidation() {
    }

    /**
     * Items of a source processed at the same time: {@code concurrency}, or by default
     * {@code maxInFlight} (the cap on uploads across all sources), but 1 where the duplicates policy
     * {@code new-file} makes files of one label versions of one document, which must not race to create it.
     */
    public static int concurrency(SourceConfig source, int maxInFlight) {
        return source.concurrency().orElse("new-file".equals(source.duplicates()) ? 1 : Math.max(1, maxInFlight));
    }

    /** Throws naming every problem of {@code ingest.sources.*}. */
    public static void check(IngestConfig config) {
        List<String> problems = new ArrayList<>();
        config.sources().forEach((name, source) -> {
            String prefix = PREFIX + name + ".";
            List<String> required = KINDS.get(source.kind());
            if (required == null) {
                problems.add(prefix + "kind=" + source.kind() + " is not a source kind; allowed: "
                        + String.join(", ", KINDS.keySet()));
                return;
            }
            if (source.concurrency().isPresent() && source.concurrency().get() < 1) {
                problems.add(prefix + "concurrency=" + source.concurrency().get() + " is not allowed; use 1 or more"
                        + " (1 processes the items one after the other, in order)");
            }
            if (!DUPLICATES.contains(source.duplicates())) {
                problems.add(prefix + "duplicates=" + source.duplicates() + " is not a duplicates policy; allowed: "
                        + String.join(", ", DUPLICATES));
            }
            if (!source.enabled()) {
                return;
            }
            if ("http".equals(source.kind())) {
                httpProblems(config, name, source, problems);
            }
            for (String key : required) {
                if (value(source, key).isEmpty()) {
                    problems.add(prefix + key + " is required for a source of kind " + source.kind()
                            + " (its required settings: " + String.join(", ", required) + ")");
                }
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid source configuration (see README, \"Configuration\"): "
                    + String.join("; ", problems.stream().distinct().toList()));
        }
    }

    /**
     * An http source: a name usable in its URL, clients that exist and have credentials, and no source
     * that is open by accident (without clients it must say anonymous=true).
     */
    private static void httpProblems(IngestConfig config, String name, SourceConfig source, List<String> problems) {
        String prefix = PREFIX + name + ".";
        if (!HTTP_SOURCE_NAME.matcher(name).matches() || name.contains("..") || name.equals(".")) {
            problems.add(PREFIX + name + ": the name of an http source is its URL segment (/api/sources/" + name
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

    private static Optional<String> value(SourceConfig source, String key) {
        Optional<String> value = switch (key) {
            case "path" -> source.path();
            case "host" -> source.host();
            case "username" -> source.username();
            case "destination" -> source.destination();
            default -> throw new IllegalStateException("no check for " + key);
        };
        return value.map(String::strip).filter(v -> !v.isEmpty());
    }
}
