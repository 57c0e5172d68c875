package io.mayaningest.source.mail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceKind;

/** What IMAP and POP3 mailboxes share: both need the server and the user to log in as. */
abstract class MailSourceKind implements SourceKind {

    @Override
    public Map<String, Function<SourceConfig, Optional<String>>> required() {
        Map<String, Function<SourceConfig, Optional<String>>> required = new LinkedHashMap<>();
        required.put("host", SourceConfig::host);
        required.put("username", SourceConfig::username);
        return required;
    }
}
