package io.mayaningest.source.file;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import jakarta.enterprise.context.ApplicationScoped;

/** Watched folders: {@code kind=file}, which needs the folder ({@code path}). */
@ApplicationScoped
public class FileSourceKind implements SourceKind {

    @Override
    public String kind() {
        return FileSourceRoutes.KIND;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        required.put("path", SourceConfig::path);
        return required;
    }
}
