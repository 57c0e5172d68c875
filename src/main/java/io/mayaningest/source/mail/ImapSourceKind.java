package io.mayaningest.source.mail;

import jakarta.enterprise.context.ApplicationScoped;

/** IMAP mailboxes: {@code kind=imap}. */
@ApplicationScoped
public class ImapSourceKind extends MailSourceKind {

    @Override
    public String kind() {
        return MailSettings.IMAP;
    }
}
