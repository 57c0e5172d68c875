package io.mayaningest.source.mail;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.SourceAcknowledger;

/**
 * The acknowledger of a mail's documents for the error policy, one per mail kind (IMAP, POP3); the
 * mail itself is concluded by {@link MailAcknowledgement} once all its documents are settled.
 */
abstract class MailDocumentAcknowledger implements SourceAcknowledger {

    private final MailAcknowledgement mail;

    MailDocumentAcknowledger(MailAcknowledgement mail) {
        this.mail = mail;
    }

    @Override
    public void success(IngestRequest item) throws Exception {
        mail.success(item);
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) throws Exception {
        mail.failure(item, failure);
    }
}
