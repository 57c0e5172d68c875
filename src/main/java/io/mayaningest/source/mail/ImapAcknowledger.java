package io.mayaningest.source.mail;

import io.mayaningest.pipeline.IngestException;
import io.mayaningest.pipeline.IngestRequest;
import io.mayaningest.source.SourceAcknowledger;
import jakarta.enterprise.context.ApplicationScoped;

/** The imap documents' acknowledger for the error policy; the mail itself is concluded by {@link MailAcknowledgement}. */
@ApplicationScoped
public class ImapAcknowledger implements SourceAcknowledger {

    private final MailAcknowledgement mail;

    public ImapAcknowledger(MailAcknowledgement mail) {
        this.mail = mail;
    }

    @Override
    public String kind() {
        return MailSettings.IMAP;
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
