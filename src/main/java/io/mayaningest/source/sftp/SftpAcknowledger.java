package io.mayaningest.source.sftp;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.source.ErrorReport;
import io.mayaningest.core.SafeNames;
import io.mayaningest.pipeline.SourceAcknowledger;
import io.mayaningest.source.Spool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Acknowledges an SFTP item on the server, only ever after Mayan confirmed it: the remote file and
 * its sidecar move to done/ (or are deleted). One that failed for good moves to error/ with a
 * {@code <name>.error.json} beside it. The local spooled copy is removed either way; after a transient
 * failure the remote file simply stays and the next poll downloads it again.
 */
@ApplicationScoped
public class SftpAcknowledger implements SourceAcknowledger {

    private static final Logger LOG = Logger.getLogger(SftpAcknowledger.class);

    private final SftpSources sources;
    private final ObjectMapper json;

    private final Ledger ledger;

    public SftpAcknowledger(SftpSources sources, ObjectMapper json, Ledger ledger) {
        this.ledger = ledger;
        this.sources = sources;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Override
    public String kind() {
        return SftpSourceRoutes.KIND;
    }

    @Override
    public void success(IngestRequest item) throws Exception {
        SftpSettings settings = sources.settings(item.getSourceName());
        SftpRemote remote = sources.remote(item.getSourceName());
        String path = remotePath(item, settings);
        if (settings.deleteAfterSuccess()) {
            remote.delete(path);
            for (Path companion : item.getCompanions()) {
                remote.delete(path + suffix(item, companion));
            }
            LOG.infof("Ingested %s as Mayan document %d; deleted it from %s", item.describe(), item.getDocumentId(),
                    settings.server());
        } else if (acknowledgedElsewhere(item) && !remote.exists(path)) {
            // Several replicas on one directory: another one finished and moved this file after this replica
            // downloaded it (its claim was released by then); the ledger row says so. Nothing to do here.
            LOG.debugf("%s was already acknowledged by another replica (Mayan document %d)", item.describe(),
                    item.getDocumentId());
        } else {
            String target = moveWithCompanions(item, settings, remote, path, folderOf(settings.donePath(), item));
            LOG.infof("Ingested %s as Mayan document %d; moved to %s on %s", item.describe(), item.getDocumentId(),
                    target, settings.server());
        }
        cleanSpool(item, settings);
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) throws Exception {
        SftpSettings settings = sources.settings(item.getSourceName());
        SftpRemote remote = sources.remote(item.getSourceName());
        String path = remotePath(item, settings);
        String target = moveWithCompanions(item, settings, remote, path, folderOf(settings.errorPath(), item));
        if (target == null) {
            target = SftpSettings.join(folderOf(settings.errorPath(), item), item.getFileName());
        }
        Map<String, Object> report = ErrorReport.of(item, failure);
        report.put("replay", "move " + target.substring(target.lastIndexOf('/') + 1)
                + " (and its sidecar) back into " + settings.path() + " on the server");
        remote.write(target + ErrorReport.SUFFIX, new ByteArrayInputStream(json.writeValueAsBytes(report)));
        ledger.payloadMoved(item, target);
        LOG.warnf("Could not ingest %s: %s. Fix: %s. Moved to %s on %s", item.describe(),
                SafeNames.visible(failure.reason()), SafeNames.visible(failure.fix()), SafeNames.visible(target),
                settings.server());
        cleanSpool(item, settings);
    }

    /**
     * Moves a quarantined file (and its sidecar) from the remote error/ back to where it was; SFTP's
     * rename keeps size and time stamp, so the ledger row is found again and the item resumes.
     */
    @Override
    public void replay(Ledger.Entry entry) throws Exception {
        SftpSettings settings = sources.settings(entry.source());
        SftpRemote remote = sources.remote(entry.source());
        String quarantined = quarantined(entry);
        String relative = entry.relativePath();
        String original = SftpSettings.join(settings.path(), relative);
        for (String suffix : SIDECAR_SUFFIXES) {
            remote.moveTo(quarantined + suffix, original + suffix);
        }
        remote.delete(quarantined + ErrorReport.SUFFIX);
        if (remote.moveInto(quarantined, original.contains("/") ? original.substring(0, original.lastIndexOf('/')) : "",
                "") == null) {
            throw new IllegalStateException(quarantined + " is no longer on " + settings.server());
        }
        LOG.infof("Replay: %s moved back to %s on %s", quarantined, original, settings.server());
    }

    @Override
    public void discard(Ledger.Entry entry) throws Exception {
        SftpRemote remote = sources.remote(entry.source());
        String quarantined = quarantined(entry);
        for (String suffix : SIDECAR_SUFFIXES) {
            remote.delete(quarantined + suffix);
        }
        remote.delete(quarantined + ErrorReport.SUFFIX);
        remote.delete(quarantined);
    }

    private static final java.util.List<String> SIDECAR_SUFFIXES = java.util.List.of(".json", ".yaml", ".yml");

    private static String quarantined(Ledger.Entry entry) {
        if (entry.payloadRef() == null) {
            throw new IllegalStateException("the ledger does not know where " + entry.id() + " was put");
        }
        return entry.payloadRef();
    }

    @Override
    public void retryLater(IngestRequest item, IngestException failure) throws Exception {
        cleanSpool(item, sources.settings(item.getSourceName()));
    }

    /** The ledger already records this item's acknowledgement at its source (by another replica, or an earlier run). */
    private boolean acknowledgedElsewhere(IngestRequest item) {
        return item.getIngestId() != null
                && ledger.find(item.getIngestId()).map(e -> e.acknowledgedAt() != null).orElse(false);
    }

    private String moveWithCompanions(IngestRequest item, SftpSettings settings, SftpRemote remote, String path,
            String folder) throws Exception {
        String suffixId = item.getIngestId() == null ? "" : "-" + item.getIngestId().substring(0, 8);
        String target = remote.moveInto(path, folder, suffixId);
        if (target == null) {
            LOG.warnf("%s is no longer on %s; nothing to move", path, settings.server());
            return null;
        }
        for (Path companion : item.getCompanions()) {
            String suffix = suffix(item, companion);
            remote.moveTo(path + suffix, target + suffix);
        }
        return target;
    }

    /** done/ or error/ keep the file's sub-folder below the source's directory. */
    private static String folderOf(String base, IngestRequest item) {
        String relative = SftpSourceMapper.relativePath(item);
        int slash = relative.lastIndexOf('/');
        return slash > 0 ? SftpSettings.join(base, relative.substring(0, slash)) : base;
    }

    private static String remotePath(IngestRequest item, SftpSettings settings) {
        return SftpSettings.join(settings.path(), SftpSourceMapper.relativePath(item));
    }

    private static String suffix(IngestRequest item, Path companion) {
        return companion.getFileName().toString().substring(item.getFileName().length());
    }

    /**
     * Removes the sidecar copies (each in its own directory below the spool); Camel removes its
     * download of the file itself when the exchange completes.
     */
    private static void cleanSpool(IngestRequest item, SftpSettings settings) throws java.io.IOException {
        Path sidecars = settings.spoolPath().resolve(SftpSourceMapper.SIDECARS);
        for (Path companion : item.getCompanions()) {
            Path dir = companion.getParent();
            if (dir != null && dir.startsWith(sidecars) && !dir.equals(sidecars)) {
                Spool.deleteTree(dir);
            }
        }
    }
}
