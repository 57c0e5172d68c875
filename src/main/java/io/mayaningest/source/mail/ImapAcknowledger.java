package io.mayaningest.source.mail;

import jakarta.inject.Singleton;

/** Acknowledges the documents of IMAP mails (see {@link MailDocumentAcknowledger}). */
// Singleton, not ApplicationScoped: a client proxy would need a no-args constructor in the base class.
@Singleton
public class ImapAcknowledger extends MailDocumentAcknowledger {

    public ImapAcknowledger(MailAcknowledgement mail) {
        super(mail);
    }

    @Override
    public String kind() {
        return MailSettings.IMAP;
    }
}
