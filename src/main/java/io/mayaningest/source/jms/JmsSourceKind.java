package io.mayaningest.source.jms;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import jakarta.enterprise.context.ApplicationScoped;

/** JMS queues (Artemis): {@code kind=jms}, which needs its {@code destination}. */
@ApplicationScoped
public class JmsSourceKind implements SourceKind {

    @Override
    public String kind() {
        return JmsSourceRoutes.KIND;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        required.put("destination", SourceConfig::destination);
        return required;
    }
}
