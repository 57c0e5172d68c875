package io.mayaningest.source.mail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;
import jakarta.enterprise.context.ApplicationScoped;

/** IMAP mailboxes: {@code kind=imap}. */
@ApplicationScoped
public class ImapSourceKind implements SourceKind {

    @Override
    public String kind() {
        return MailSettings.IMAP;
    }

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        required.put("host", SourceConfig::host);
        required.put("username", SourceConfig::username);
        return required;
    }
}
