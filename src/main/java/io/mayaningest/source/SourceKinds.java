package io.mayaningest.source;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** Every {@link SourceKind} the service has, and the validated sources of each. */
@ApplicationScoped
public class SourceKinds {

    private final IngestConfig config;
    private final Map<String, SourceKind> kinds = new LinkedHashMap<>();

    public SourceKinds(IngestConfig config, Instance<SourceKind> all) {
        this.config = config;
        all.stream().sorted(java.util.Comparator.comparing(SourceKind::kind)).forEach(k -> kinds.put(k.kind(), k));
    }

    /** The kinds by name, sorted (for the messages that list what is allowed). */
    public Map<String, SourceKind> all() {
        return kinds;
    }

    /**
     * The enabled sources of one kind, by name. Every source kind's route builder asks this before it
     * builds a route, so the whole of {@code ingest.sources.*} is checked before any source starts.
     */
    public Map<String, SourceConfig> ofKind(String kind) {
        SourceValidation.check(config, List.copyOf(kinds.values()));
        Map<String, SourceConfig> result = new LinkedHashMap<>();
        config.sources().forEach((name, source) -> {
            if (kind.equals(source.kind()) && source.enabled()) {
                result.put(name, source);
            }
        });
        return result;
    }
}
