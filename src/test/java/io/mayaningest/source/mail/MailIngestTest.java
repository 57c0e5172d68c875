package io.mayaningest.source.mail;

import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static io.mayaningest.source.mail.GreenMailResource.IMAP_MOVE;
import static io.mayaningest.source.mail.GreenMailResource.IMAP_SEEN;
import static io.mayaningest.source.mail.GreenMailResource.POP3_DELETE;
import static io.mayaningest.source.mail.GreenMailResource.POP3_KEEP;
import static io.mayaningest.source.mail.Mails.Attachment.inline;
import static io.mayaningest.source.mail.Mails.Attachment.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

/**
 * Mails sent over SMTP to a real mail server (GreenMail), read by imap and pop3 sources: what a user
 * sees in Mayan (the test double) and in the mailbox.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
@WithTestResource(GreenMailResource.class)
class MailIngestTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The mailbox is read while the service moves and expunges mails in it: a failed look is looked at again. */
    private static ConditionFactory await() {
        return Awaitility.await().ignoreExceptions();
    }

    private final FakeMayan mayan = FakeMayanResource.mayan();

    @Inject
    Ledger ledger;

    private static Path dataDir() {
        return FakeMayanResource.inbox("x").getParent().resolve("data");
    }

    private static Path spool(String source) {
        return dataDir().resolve("spool").resolve(source);
    }

    private FakeDocument awaitDocument(String label) {
        await().atMost(WAIT).until(() -> mayan.documentByLabel(label).isPresent());
        return mayan.documentByLabel(label).orElseThrow();
    }

    private long documentsLabelled(String label) {
        return mayan.documents().stream().filter(d -> d.label().equals(label)).count();
    }

    @Test
    void everyAttachmentOfAMailBecomesADocumentAndTheMailIsMarkedSeen() throws Exception {
        String subject = "Invoice " + UUID.randomUUID();
        byte[] a = pdf(subject + " a");
        byte[] b = "plain text attachment".getBytes(StandardCharsets.UTF_8);
        byte[] c = pdf(subject + " inline");
        Mails.send(IMAP_SEEN, subject, of("a.pdf", a), of("b.txt", b), inline("scan.pdf", c),
                of("empty.pdf", new byte[0]), of("photo.jpg", pdf("filtered out")));

        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        FakeDocument docA = mayan.documentByLabel(subject + " - a.pdf").orElseThrow();
        assertThat(docA.documentTypeLabel()).isEqualTo("Invoice");
        assertThat(docA.metadata()).containsEntry("invoice_number", subject);
        assertThat(docA.description()).startsWith("From sender@example.test to " + GreenMailResource.address(IMAP_SEEN) + " on ")
                .matches(".* on \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, <.+>");
        assertThat(docA.latestFile().orElseThrow().checksum()).isEqualTo(sha256(a));
        assertThat(docA.latestFile().orElseThrow().filename()).isEqualTo("a.pdf");
        assertThat(mayan.documentByLabel(subject + " - b.txt").orElseThrow().latestFile().orElseThrow().checksum())
                .isEqualTo(sha256(b));
        // An inline part with a file name is an attachment, as in Mayan.
        assertThat(mayan.documentByLabel(subject + " - scan.pdf")).isPresent();
        // Empty attachments are skipped, and the attachments filter (*.pdf,*.txt,passwd) leaves out the photo.
        assertThat(mayan.documents()).noneMatch(d -> d.label().startsWith(subject + " - empty"));
        assertThat(mayan.documents()).noneMatch(d -> d.label().startsWith(subject + " - photo"));
        assertThat(Mails.folder(IMAP_SEEN, "INBOX")).anyMatch(m -> m.subject().equals(subject) && m.seen());
        await().atMost(WAIT).untilAsserted(() -> assertThat(spoolFiles(IMAP_SEEN)).isEmpty());
    }

    @Test
    void metadataYamlAppliesToEveryDocumentOfTheMailAndIsNotUploaded() throws Exception {
        String subject = "With metadata " + UUID.randomUUID();
        Mails.send(IMAP_SEEN, subject, of("one.pdf", pdf(subject + "1")), of("two.pdf", pdf(subject + "2")),
                of("metadata.yaml", "currency: CHF\ninvoice_number: 012345\n".getBytes(StandardCharsets.UTF_8)));

        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        for (String name : List.of("one.pdf", "two.pdf")) {
            FakeDocument doc = mayan.documentByLabel(subject + " - " + name).orElseThrow();
            assertThat(doc.metadata()).containsEntry("currency", "CHF")
                    // As written: a YAML 1.1 reader would have made the unquoted 012345 the octal number 5349.
                    .containsEntry("invoice_number", "012345");
        }
        assertThat(mayan.documents()).noneMatch(d -> d.label().contains("metadata.yaml"));
    }

    @Test
    void aPoisonMailIsMovedToMayanFailedWithItsReasonAndDoesNotBlockTheOthers() throws Exception {
        String id = UUID.randomUUID().toString();
        String good1 = "Good 1 " + id;
        String poison = "Poison " + id;
        String good2 = "Good 2 " + id;
        Mails.send(IMAP_SEEN, good1, of("g1.pdf", pdf(good1)));
        Mails.send(IMAP_SEEN, poison, of("p.pdf", pdf(poison)),
                of("metadata.yaml", "colour: red\n".getBytes(StandardCharsets.UTF_8)));
        Mails.send(IMAP_SEEN, good2, of("g2.pdf", pdf(good2)));

        awaitDocument(good1 + " - g1.pdf");
        awaitDocument(good2 + " - g2.pdf");
        await().atMost(WAIT).until(() -> Mails.folder(IMAP_SEEN, "Mayan-Failed").stream()
                .anyMatch(m -> m.subject().equals(poison)));
        await().atMost(WAIT).until(() -> Mails.folder(IMAP_SEEN, "INBOX").stream().noneMatch(m -> m.subject().equals(poison)));
        assertThat(mayan.documents()).noneMatch(d -> d.label().startsWith(poison));

        Ledger.Entry mail = ledger.all().stream()
                .filter(e -> e.source().equals(IMAP_SEEN) && e.fileName().contains(poison)).findFirst().orElseThrow();
        assertThat(mail.state()).isEqualTo(LedgerState.FAILED);
        assertThat(mail.lastError()).contains("p.pdf").contains("colour");
        // The attachment is kept beside its reason for a person to look at.
        try (Stream<Path> files = Files.walk(spool(IMAP_SEEN).resolve(".error"))) {
            List<Path> all = files.toList();
            assertThat(all).anyMatch(p -> p.getFileName().toString().endsWith("-p.pdf"));
            Path report = all.stream().filter(p -> p.getFileName().toString().equals("mail.error.json"))
                    .filter(p -> read(p).contains(poison)).findFirst().orElseThrow();
            assertThat(read(report)).contains("colour").contains("Mayan-Failed");
        }
    }

    @Test
    void maliciousAttachmentNamesStayInsideTheSpoolAndArriveWithSafeNames() throws Exception {
        String subject = "Names " + UUID.randomUUID();
        Mails.send(IMAP_SEEN, subject, of("../../etc/passwd", pdf("relative")), of("/etc/passwd", pdf("absolute")),
                of("C:\\x\\y.pdf", pdf("windows")), of("..\\..\\tab\tname.pdf", pdf("control")));

        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        assertThat(documentsLabelled(subject + " - passwd")).isEqualTo(2);
        assertThat(mayan.documents().stream().filter(d -> d.label().equals(subject + " - passwd"))
                .map(d -> d.latestFile().orElseThrow().filename())).containsOnly("passwd");
        assertThat(mayan.documentByLabel(subject + " - y.pdf").orElseThrow().latestFile().orElseThrow().filename())
                .isEqualTo("y.pdf");
        assertThat(mayan.documentByLabel(subject + " - tabname.pdf")).isPresent();
        // Nothing was written beside or above the spool.
        assertThat(dataDir().resolve("etc")).doesNotExist();
        assertThat(dataDir().resolve("spool").resolve("etc")).doesNotExist();
    }

    @Test
    void anAttachmentNameLongerThanTheFileSystemAllowsIsIngestedUnderItsNameShortenedByBytes() throws Exception {
        String subject = "Long " + UUID.randomUUID();
        // 200 characters, 604 bytes in UTF-8: more than the 255 bytes of a file name on any file system.
        String longName = "文".repeat(200) + ".pdf";
        byte[] content = pdf(subject);
        Mails.send(IMAP_SEEN, subject, of(longName, content));

        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        FakeDocument doc = mayan.documents().stream().filter(d -> d.label().startsWith(subject + " - "))
                .findFirst().orElseThrow();
        String name = doc.latestFile().orElseThrow().filename();
        assertThat(name).startsWith("文文文").endsWith(".pdf");
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255).isGreaterThan(240);
        assertThat(doc.label()).isEqualTo(subject + " - " + name);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
    }

    @Test
    void aMailMarkedUnreadAgainIsNotIngestedTwice() throws Exception {
        String subject = "Once " + UUID.randomUUID();
        Mails.send(IMAP_SEEN, subject, of("once.pdf", pdf(subject)));
        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        int uploads = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);

        // As after a crash between Mayan's confirmation and the \Seen flag: the mail is unseen again.
        Mails.markUnseen(IMAP_SEEN, subject);
        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));

        assertThat(documentsLabelled(subject + " - once.pdf")).isEqualTo(1);
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD)).isEqualTo(uploads);
    }

    @Test
    void theDocumentsOfAMailGoThroughSideBySideAndTheMailIsSeenOnlyOnceAllAreConfirmed() throws Exception {
        String subject = "Side by side " + UUID.randomUUID();
        List<String> names = List.of("one.pdf", "two.pdf", "three.pdf");
        mayan.setProcessingPaused(true);
        try {
            Mails.send(IMAP_SEEN, subject, of(names.get(0), pdf(subject + "1")), of(names.get(1), pdf(subject + "2")),
                    of(names.get(2), pdf(subject + "3")));
            // With Mayan's processing held, one document at a time would upload the first and wait for it.
            await().atMost(WAIT).until(() -> names.stream().allMatch(n -> documentsLabelled(subject + " - " + n) == 1));
            assertThat(Mails.isSeen(IMAP_SEEN, subject)).isFalse();
        } finally {
            mayan.setProcessingPaused(false);
        }
        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        for (String name : names) {
            assertThat(documentsLabelled(subject + " - " + name)).isEqualTo(1);
        }
    }

    @Test
    void aTransientFailureLeavesTheMailUnseenAndConfirmedAttachmentsAreNotUploadedAgain() throws Exception {
        String subject = "Transient " + UUID.randomUUID();
        int uploads = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);
        // Twice as many failures as the attempts of one document (1 + max-retries 3): both documents are
        // uploaded, side by side, then their metadata fails until the mail is given up for this poll,
        // however the failures fall between them.
        mayan.failNext("POST", "/api/v4/documents/\\d+/metadata/", 503, 8);
        Mails.send(IMAP_SEEN, subject, of("first.pdf", pdf(subject + "1")), of("second.pdf", pdf(subject + "2")));

        awaitDocument(subject + " - second.pdf");
        await().atMost(WAIT).until(() -> Mails.isSeen(IMAP_SEEN, subject));
        // The documents go side by side, so either may meet the failures; each is in Mayan once, complete.
        for (String name : List.of("first.pdf", "second.pdf")) {
            assertThat(documentsLabelled(subject + " - " + name)).isEqualTo(1);
            assertThat(mayan.documentByLabel(subject + " - " + name).orElseThrow().metadata())
                    .containsEntry("invoice_number", subject);
        }
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD) - uploads).isEqualTo(2);
        Ledger.Entry retried = ledger.all().stream()
                .filter(e -> e.source().equals(IMAP_SEEN) && List.of("first.pdf", "second.pdf").contains(e.fileName())
                        && e.state() == LedgerState.DONE && e.attempts() > 0)
                .filter(e -> mayan.document(e.documentId()).map(d -> d.label().startsWith(subject)).orElse(false))
                .findFirst().orElseThrow();
        assertThat(retried.documentId()).isNotNull();
    }

    @Test
    void afterSuccessMoveMovesTheMailAndStoreEmailIngestsTheWholeMessage() throws Exception {
        String subject = "Move me " + UUID.randomUUID();
        byte[] content = pdf(subject);
        Mails.send(IMAP_MOVE, subject, of("moved.pdf", content));

        await().atMost(WAIT).until(() -> Mails.folder(IMAP_MOVE, "Archive").stream().anyMatch(m -> m.subject().equals(subject)));
        await().atMost(WAIT).until(() -> Mails.folder(IMAP_MOVE, "INBOX").stream().noneMatch(m -> m.subject().equals(subject)));
        // Default label: the attachment's name.
        FakeDocument doc = mayan.documents().stream()
                .filter(d -> d.label().equals("moved.pdf") && d.latestFile().map(f -> sha256(content).equals(f.checksum())).orElse(false))
                .findFirst().orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Default");
        FakeDocument eml = mayan.documentByLabel(subject + ".eml").orElseThrow();
        assertThat(eml.latestFile().orElseThrow().size()).isGreaterThan((long) content.length);
    }

    @Test
    void pop3DeletesTheMailAfterSuccess() throws Exception {
        String subject = "POP delete " + UUID.randomUUID();
        byte[] content = pdf(subject);
        Mails.send(POP3_DELETE, subject, of("pop.pdf", content));

        await().atMost(WAIT).until(() -> mayan.documents().stream().anyMatch(d -> d.label().equals("pop.pdf")
                && d.latestFile().map(f -> sha256(content).equals(f.checksum())).orElse(false)));
        await().atMost(WAIT).until(() -> Mails.folder(POP3_DELETE, "INBOX").stream().noneMatch(m -> m.subject().equals(subject)));
    }

    @Test
    void pop3KeepsMailsOnTheServerWithoutIngestingThemTwiceAndLeavesAPoisonMail() throws Exception {
        String id = UUID.randomUUID().toString();
        String good1 = "Pop good 1 " + id;
        String poison = "Pop poison " + id;
        String good2 = "Pop good 2 " + id;
        Mails.send(POP3_KEEP, good1, of("k1.pdf", pdf(good1)));
        Mails.send(POP3_KEEP, poison, of("kp.pdf", pdf(poison)),
                of("metadata.yaml", "currency: GBP\n".getBytes(StandardCharsets.UTF_8)));
        Mails.send(POP3_KEEP, good2, of("k2.pdf", pdf(good2)));

        awaitDocument(good1 + " - k1.pdf");
        awaitDocument(good2 + " - k2.pdf");
        await().atMost(WAIT).until(() -> ledger.all().stream().anyMatch(e -> e.source().equals(POP3_KEEP)
                && e.fileName().contains(poison) && e.state() == LedgerState.FAILED));
        // Several more polls (300 ms apart) read the kept mails again: the ledger keeps them from being ingested twice.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                documentsLabelled(good1 + " - k1.pdf") == 1 && documentsLabelled(good2 + " - k2.pdf") == 1);
        assertThat(mayan.documents()).noneMatch(d -> d.label().startsWith(poison));
        assertThat(Mails.folder(POP3_KEEP, "INBOX").stream().map(Mails.Seen::subject))
                .contains(good1, poison, good2);
        Ledger.Entry failed = ledger.all().stream()
                .filter(e -> e.source().equals(POP3_KEEP) && e.fileName().contains(poison)).findFirst().orElseThrow();
        assertThat(failed.lastError()).contains("GBP");
    }

    private static List<Path> spoolFiles(String source) throws Exception {
        try (Stream<Path> files = Files.walk(spool(source))) {
            return files.filter(Files::isRegularFile).filter(p -> !spool(source).relativize(p).startsWith(".error")).toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
