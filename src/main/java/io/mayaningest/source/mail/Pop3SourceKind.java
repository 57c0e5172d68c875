package io.mayaningest.source.mail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import jakarta.enterprise.context.ApplicationScoped;

/** POP3 mailboxes: {@code kind=pop3}. */
@ApplicationScoped
public class Pop3SourceKind implements SourceKind {

    @Override
    public String kind() {
        return MailSettings.POP3;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        required.put("host", SourceConfig::host);
        required.put("username", SourceConfig::username);
        return required;
    }
}
