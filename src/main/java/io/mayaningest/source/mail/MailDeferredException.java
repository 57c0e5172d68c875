package io.mayaningest.source.mail;

/**
 * Fails a mail's exchange on purpose so that Camel's mail consumer rolls it back: with {@code peek=true}
 * nothing was flagged, so the mail stays unseen at its server for the next poll. It carries no stack
 * trace because it is an outcome, not a bug; the reason is in its message.
 */
public class MailDeferredException extends RuntimeException {

    public MailDeferredException(String message) {
        super(message, null, false, false);
    }
}
