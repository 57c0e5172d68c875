package io.mayaningest.source.sftp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mayaningest.config.IngestConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/** The configured SFTP sources' settings and their side connections, by source name. */
@ApplicationScoped
public class SftpSources {

    private final IngestConfig config;
    private final Map<String, SftpSettings> settings = new ConcurrentHashMap<>();
    private final Map<String, SftpRemote> remotes = new ConcurrentHashMap<>();

    public SftpSources(IngestConfig config) {
        this.config = config;
    }

    public SftpSettings settings(String source) {
        return settings.computeIfAbsent(source, name -> {
            IngestConfig.SourceConfig c = config.sources().get(name);
            if (c == null) {
                throw new IllegalStateException("no source named " + name);
            }
            return SftpSettings.of(name, c, config);
        });
    }

    public SftpRemote remote(String source) {
        return remotes.computeIfAbsent(source, name -> new SftpRemote(settings(name)));
    }

    @PreDestroy
    void close() {
        remotes.values().forEach(SftpRemote::close);
    }
}
