package io.mayaningest.source.mail;

import io.mayaningest.source.ErrorReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.core.SafeNames;
import io.mayaningest.source.mail.MailSettings.AckKind;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.MailConstants;
import org.jboss.logging.Logger;

/**
 * What happens to a mail and its spooled attachments once its documents are through the pipeline.
 * <p>
 * The mail itself is acted on by Camel's mail consumer when the exchange completes, on the session
 * that read it; this class only tells it what to do through the per-message headers the consumer
 * honours ({@code delete}, {@code moveTo}). Success: seen, delete or move. A permanent failure: move
 * to the failed folder (IMAP) or leave it (POP3). A transient one: the exchange fails on purpose, so
 * the consumer rolls back and, reading with {@code peek=true}, has never flagged the mail: it stays
 * unseen for the next poll.
 */
@ApplicationScoped
public class MailAcknowledgement {

    private static final Logger LOG = Logger.getLogger(MailAcknowledgement.class);
    public static final String ERROR_FOLDER = ".error";
    public static final String ERROR_SUFFIX = ".error.json";

    private final Ledger ledger;
    private final MailSources sources;
    private final ObjectMapper json;

    public MailAcknowledgement(Ledger ledger, MailSources sources, ObjectMapper json) {
        this.ledger = ledger;
        this.sources = sources;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** One document of a mail is confirmed in Mayan: its spooled copy is not needed any more. */
    public void success(IngestRequest item) throws IOException {
        Files.deleteIfExists(item.getPayload());
        LOG.infof("Ingested attachment %s as Mayan document %d", item.describe(), item.getDocumentId());
    }

    /** One document failed for good: keep the attachment in the spool's error folder beside the reason. */
    public void failure(IngestRequest item, IngestException failure) throws IOException {
        MailSettings settings = sources.get(item.getSourceName());
        Path kept = null;
        if (item.getPayload() != null && Files.exists(item.getPayload())) {
            Path dir = errorDir(settings, item.getPayload().getParent());
            Files.createDirectories(dir);
            kept = AttachmentNames.inside(dir, item.getPayload().getFileName().toString());
            Files.move(item.getPayload(), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, Object> report = ErrorReport.of(item, failure);
            report.put("sourceKey", item.getSourceKey());
            ErrorReport.write(json, kept.resolveSibling(kept.getFileName() + ERROR_SUFFIX), report);
        }
        LOG.warnf("Could not ingest attachment %s: %s. Fix: %s.%s", item.describe(), SafeNames.visible(failure.reason()),
                SafeNames.visible(failure.fix()), kept == null ? "" : " Kept as " + SafeNames.visible(kept));
    }

    /** The mail's verdict, once every document went through the pipeline (or the mail failed as a whole). */
    public void conclude(Exchange exchange) throws IOException {
        MailBatch batch = exchange.getProperty(MailReader.BATCH_PROPERTY, MailBatch.class);
        MailSettings settings = batch.settings();
        org.apache.camel.Message in = exchange.getIn();
        try {
            switch (batch.outcome()) {
                case DONE -> {
                    if (batch.previous() == null) {
                        ledger.done(batch.record());
                    }
                    AckKind ack = settings.afterSuccess().kind();
                    in.setHeader(MailConstants.MAIL_DELETE, ack == AckKind.DELETE);
                    if (ack == AckKind.MOVE) {
                        in.setHeader(MailConstants.MAIL_MOVE_TO, settings.afterSuccess().folder());
                    } else {
                        in.removeHeader(MailConstants.MAIL_MOVE_TO);
                    }
                    String what = switch (ack) {
                        case SEEN -> settings.isImap() ? "marked as seen" : "left on the server";
                        case DELETE -> "deleted";
                        case MOVE -> "moved to " + settings.afterSuccess().folder();
                    };
                    if (batch.previous() == null) {
                        LOG.infof("All %d documents of %s are in Mayan (%s); the mail is %s", batch.items().size(),
                                batch.describe(), documentIds(batch), what);
                    } else {
                        LOG.debugf("%s was ingested before (ledger); the mail is %s", batch.describe(), what);
                    }
                }
                case FAILED -> {
                    List<String> reasons = reasons(batch);
                    if (batch.previous() == null) {
                        ledger.failed(batch.record(), String.join("; ", reasons),
                                "fix the causes named, then move the mail back to the folder the source reads");
                        writeMailReport(batch, reasons);
                    }
                    // Never deleted: the mail is what a person needs to fix and replay it.
                    in.setHeader(MailConstants.MAIL_DELETE, false);
                    if (settings.isImap()) {
                        in.setHeader(MailConstants.MAIL_MOVE_TO, settings.failedFolder());
                    } else {
                        in.removeHeader(MailConstants.MAIL_MOVE_TO);
                    }
                    String where = settings.isImap() ? "moved to the folder " + settings.failedFolder()
                            : "left on the POP3 server (the ledger keeps it from being read again)";
                    if (batch.previous() == null) {
                        LOG.warnf("Could not ingest %s: %s. The mail is %s; details in %s", batch.describe(),
                                SafeNames.visible(String.join("; ", reasons)), where,
                                SafeNames.visible(errorDir(settings, batch.spoolDir())));
                    } else {
                        LOG.debugf("%s failed before (ledger); the mail is %s", batch.describe(), where);
                    }
                }
                case DEFERRED -> throw new MailDeferredException(batch.describe()
                        + " is left unread on the server and tried again at the next poll: " + reasons(batch));
            }
        } finally {
            MailReader.deleteTree(batch.spoolDir());
        }
    }

    private List<String> reasons(MailBatch batch) {
        List<String> reasons = new ArrayList<>();
        if (batch.mailFailure() != null) {
            reasons.add(batch.mailFailure().reason() + " | fix: " + batch.mailFailure().fix());
        }
        for (IngestRequest item : batch.items()) {
            if (item.getIngestId() != null && !LedgerState.DONE.name().equals(item.getState())) {
                ledger.find(item.getIngestId()).map(Ledger.Entry::lastError).filter(e -> e != null)
                        .ifPresent(e -> reasons.add("attachment \"" + item.getFileName() + "\": " + e));
            }
        }
        if (batch.previous() == LedgerState.FAILED && batch.record().getIngestId() != null) {
            ledger.find(batch.record().getIngestId()).map(Ledger.Entry::lastError).ifPresent(reasons::add);
        }
        return reasons;
    }

    private void writeMailReport(MailBatch batch, List<String> reasons) throws IOException {
        MailSettings settings = batch.settings();
        Path dir = errorDir(settings, batch.spoolDir());
        Files.createDirectories(dir);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("source", settings.name());
        report.put("mailKey", batch.mailKey());
        report.put("subject", batch.values().get("mail.subject"));
        report.put("from", batch.values().get("mail.from"));
        report.put("date", batch.values().get("mail.date"));
        report.put("messageId", batch.values().get("mail.message-id"));
        report.put("failedAt", Instant.now().toString());
        report.put("reasons", reasons);
        report.put("documents", documentIds(batch));
        report.put("mail", settings.isImap() ? "moved to the IMAP folder " + settings.failedFolder()
                : "left on the POP3 server");
        report.put("replay", settings.isImap()
                ? "fix the cause, then move the mail from " + settings.failedFolder() + " back to " + settings.folder()
                        + " (unread); documents already in Mayan are not uploaded again"
                : "fix the cause, then send the mail again (a new Message-ID)");
        ErrorReport.write(json, dir.resolve("mail" + ERROR_SUFFIX), report);
    }

    private static Map<String, Long> documentIds(MailBatch batch) {
        Map<String, Long> ids = new LinkedHashMap<>();
        for (IngestRequest item : batch.items()) {
            if (item.getDocumentId() != null && LedgerState.DONE.name().equals(item.getState())) {
                ids.put(item.getFileName(), item.getDocumentId());
            }
        }
        return ids;
    }

    static Path errorDir(MailSettings settings, Path mailSpoolDir) {
        return settings.spool().resolve(ERROR_FOLDER).resolve(mailSpoolDir.getFileName());
    }
}
