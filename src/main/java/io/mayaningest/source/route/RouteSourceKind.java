package io.mayaningest.source.route;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import jakarta.enterprise.context.ApplicationScoped;

/** A user's own route that calls {@code direct:mayan-ingest}: {@code kind=route} names it for the ledger, metrics and mapping; it needs no setting. */
@ApplicationScoped
public class RouteSourceKind implements SourceKind {

    @Override
    public String kind() {
        return RouteSourceRoutes.KIND;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        return required;
    }
}
