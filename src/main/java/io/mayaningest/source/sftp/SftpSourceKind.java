package io.mayaningest.source.sftp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import jakarta.enterprise.context.ApplicationScoped;

/** SFTP directories: {@code kind=sftp}. */
@ApplicationScoped
public class SftpSourceKind implements SourceKind {

    @Override
    public String kind() {
        return SftpSourceRoutes.KIND;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        required.put("host", SourceConfig::host);
        required.put("username", SourceConfig::username);
        required.put("path", SourceConfig::path);
        return required;
    }
}
