package io.mayaningest.source;

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
    }

    static final List<String> DUPLICATES = List.of("skip", "allow", "new-file");

    private SourceValidation() {
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
            if (!DUPLICATES.contains(source.duplicates())) {
                problems.add(prefix + "duplicates=" + source.duplicates() + " is not a duplicates policy; allowed: "
                        + String.join(", ", DUPLICATES));
            }
            if (!source.enabled()) {
                return;
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
                    + String.join("; ", problems));
        }
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
