package io.mayaningest.source.mail;

import java.util.Map;
import java.util.TreeMap;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** The enabled e-mail sources, their settings parsed and checked once. */
@ApplicationScoped
public class MailSources {

    private final Map<String, MailSettings> settings = new TreeMap<>();

    public MailSources(IngestConfig config) {
        for (Map.Entry<String, SourceConfig> e : config.sources().entrySet()) {
            SourceConfig source = e.getValue();
            if (source.enabled() && (MailSettings.IMAP.equals(source.kind()) || MailSettings.POP3.equals(source.kind()))) {
                settings.put(e.getKey(), MailSettings.of(e.getKey(), source, config.dataDir()));
            }
        }
    }

    public Map<String, MailSettings> all() {
        return settings;
    }

    public MailSettings get(String name) {
        MailSettings s = settings.get(name);
        if (s == null) {
            throw new IllegalStateException("no e-mail source named " + name);
        }
        return s;
    }
}
