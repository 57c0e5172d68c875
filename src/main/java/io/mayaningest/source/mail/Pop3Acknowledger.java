package io.mayaningest.source.mail;

import jakarta.inject.Singleton;

/** Acknowledges the documents of POP3 mails (see {@link MailDocumentAcknowledger}). */
// Singleton, not ApplicationScoped: a client proxy would need a no-args constructor in the base class.
@Singleton
public class Pop3Acknowledger extends MailDocumentAcknowledger {

    public Pop3Acknowledger(MailAcknowledgement mail) {
        super(mail);
    }

    @Override
    public String kind() {
        return MailSettings.POP3;
    }
}
