package io.mayaningest.source.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

/** Sending mails over SMTP to the GreenMail users, and looking at their mailboxes over IMAP, as a user would. */
final class Mails {

    record Attachment(String name, byte[] content, String disposition) {
        static Attachment of(String name, byte[] content) {
            return new Attachment(name, content, MimeBodyPart.ATTACHMENT);
        }

        static Attachment inline(String name, byte[] content) {
            return new Attachment(name, content, MimeBodyPart.INLINE);
        }
    }

    private Mails() {
    }

    static void send(String source, String subject, Attachment... attachments) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(GreenMailResource.greenMail().getSmtp().getPort()));
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("sender@example.test", "Sender"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(GreenMailResource.address(source)));
        message.setSubject(subject, "UTF-8");
        MimeMultipart multipart = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Please find attached.", "UTF-8");
        multipart.addBodyPart(text);
        for (Attachment a : attachments) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.content(), "application/octet-stream")));
            part.setDisposition(a.disposition());
            part.setFileName(a.name());
            // As mail clients do: otherwise a text-like payload goes 7bit and SMTP turns its LF into CRLF.
            part.setHeader("Content-Transfer-Encoding", "base64");
            multipart.addBodyPart(part);
        }
        message.setContent(multipart);
        Transport.send(message);
    }

    record Seen(String subject, boolean seen) {
    }

    /** The mails in an IMAP folder of a source's mailbox, with their \Seen flag (an empty list if the folder does not exist). */
    static List<Seen> folder(String source, String folderName) throws Exception {
        Store store = store(source);
        try {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists()) {
                return List.of();
            }
            folder.open(Folder.READ_ONLY);
            List<Seen> out = new ArrayList<>();
            for (Message m : folder.getMessages()) {
                out.add(new Seen(m.getSubject(), m.isSet(Flags.Flag.SEEN)));
            }
            folder.close(false);
            return out;
        } finally {
            store.close();
        }
    }

    static boolean isSeen(String source, String subject) throws Exception {
        return folder(source, "INBOX").stream().anyMatch(s -> s.subject().equals(subject) && s.seen());
    }

    /** What a user does in a mail client with "mark as unread". */
    static void markUnseen(String source, String subject) throws Exception {
        Store store = store(source);
        try {
            Folder folder = store.getFolder("INBOX");
            folder.open(Folder.READ_WRITE);
            for (Message m : folder.getMessages()) {
                if (subject.equals(m.getSubject())) {
                    m.setFlag(Flags.Flag.SEEN, false);
                    if (m.isSet(Flags.Flag.SEEN)) {
                        throw new IllegalStateException("the server kept \\Seen on " + subject);
                    }
                }
            }
            folder.close(false);
        } finally {
            store.close();
        }
    }

    private static Store store(String source) throws Exception {
        Properties props = new Properties();
        Session session = Session.getInstance(props);
        Store store = session.getStore("imap");
        store.connect("127.0.0.1", GreenMailResource.greenMail().getImap().getPort(), source, GreenMailResource.PASSWORD);
        return store;
    }
}
