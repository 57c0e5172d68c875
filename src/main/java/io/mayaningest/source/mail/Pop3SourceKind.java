package io.mayaningest.source.mail;

import jakarta.enterprise.context.ApplicationScoped;

/** POP3 mailboxes: {@code kind=pop3}. */
@ApplicationScoped
public class Pop3SourceKind extends MailSourceKind {

    @Override
    public String kind() {
        return MailSettings.POP3;
    }
}
