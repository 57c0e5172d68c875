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

    public static final String PREFIX = "ingest.sources.";


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
    public static void check(IngestConfig config, List<SourceKind> kinds) {
        List<String> problems = new ArrayList<>();
        config.sources().forEach((name, source) -> {
            String prefix = PREFIX + name + ".";
            SourceKind kind = kinds.stream().filter(k -> k.kind().equals(source.kind())).findFirst().orElse(null);
            if (kind == null) {
                problems.add(prefix + "kind=" + source.kind() + " is not a source kind; allowed: "
                        + String.join(", ", kinds.stream().map(SourceKind::kind).toList()));
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
            kind.check(name, source, config, problems);
            kind.required().forEach((key, setting) -> {
                if (setting.apply(source).map(String::strip).filter(v -> !v.isEmpty()).isEmpty()) {
                    problems.add(prefix + key + " is required for a source of kind " + source.kind()
                            + " (its required settings: " + String.join(", ", kind.required().keySet()) + ")");
                }
            });
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid source configuration (see README, \"Configuration\"): "
                    + String.join("; ", problems.stream().distinct().toList()));
        }
    }

}
