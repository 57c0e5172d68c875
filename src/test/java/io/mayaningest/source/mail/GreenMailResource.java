package io.mayaningest.source.mail;

import java.util.HashMap;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real mail server (GreenMail: SMTP, IMAP and POP3 on dynamic ports) with one mailbox per e-mail
 * source, and those sources' configuration. Combined with FakeMayanResource.
 */
public class GreenMailResource implements QuarkusTestResourceLifecycleManager {

    public static final String PASSWORD = "secret";
    /** IMAP, after-success seen: Invoice documents labelled from the subject. */
    public static final String IMAP_SEEN = "mail-seen";
    /** IMAP, after-success move:Archive. */
    public static final String IMAP_MOVE = "mail-move";
    /** POP3, after-success delete. */
    public static final String POP3_DELETE = "pop-delete";
    /** POP3, after-success seen (keep on the server). */
    public static final String POP3_KEEP = "pop-keep";

    static GreenMail greenMail;

    public static GreenMail greenMail() {
        return greenMail;
    }

    public static String address(String source) {
        return source + "@example.test";
    }

    @Override
    public Map<String, String> start() {
        greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3_IMAP));
        greenMail.start();
        for (String user : new String[] {IMAP_SEEN, IMAP_MOVE, POP3_DELETE, POP3_KEEP}) {
            greenMail.setUser(address(user), user, PASSWORD);
        }
        Map<String, String> config = new HashMap<>();
        // Other builds on this machine may hold 8081.
        config.put("quarkus.http.test-port", "0");
        source(config, IMAP_SEEN, "imap", greenMail.getImap().getPort());
        String seen = "ingest.sources." + IMAP_SEEN + ".";
        config.put(seen + "document-type", "Invoice");
        config.put(seen + "label", "{mail.subject} - {attachment.name}");
        config.put(seen + "description", "From {mail.from} to {mail.to} on {mail.date}, {mail.message-id}");
        config.put(seen + "metadata.invoice_number", "{mail.subject}");
        config.put(seen + "attachments", "*.pdf,*.txt,passwd");

        source(config, IMAP_MOVE, "imap", greenMail.getImap().getPort());
        config.put("ingest.sources." + IMAP_MOVE + ".after-success", "move:Archive");
        config.put("ingest.sources." + IMAP_MOVE + ".store-email", "true");

        source(config, POP3_DELETE, "pop3", greenMail.getPop3().getPort());
        config.put("ingest.sources." + POP3_DELETE + ".after-success", "delete");

        source(config, POP3_KEEP, "pop3", greenMail.getPop3().getPort());
        String keep = "ingest.sources." + POP3_KEEP + ".";
        config.put(keep + "document-type", "Invoice");
        config.put(keep + "label", "{mail.subject} - {attachment.name}");
        config.put(keep + "metadata.invoice_number", "{mail.subject}");
        return config;
    }

    private static void source(Map<String, String> config, String name, String kind, int port) {
        String prefix = "ingest.sources." + name + ".";
        config.put(prefix + "kind", kind);
        config.put(prefix + "host", "127.0.0.1");
        config.put(prefix + "port", String.valueOf(port));
        config.put(prefix + "security", "none");
        config.put(prefix + "username", name);
        config.put(prefix + "password", PASSWORD);
        config.put(prefix + "poll-interval", "300ms");
    }

    @Override
    public void stop() {
        if (greenMail != null) {
            greenMail.stop();
        }
    }
}
