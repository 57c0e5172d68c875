package io.mayaningest.source.file;

import io.mayaningest.source.ErrorReport;
import io.mayaningest.source.NameFilter;
import io.mayaningest.core.Checksums;

import io.mayaningest.pipeline.SourceAcknowledger;
import io.mayaningest.core.SafeNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Acknowledges a watched-folder item, only ever after Mayan confirmed it: the file and its sidecar
 * move to done/ (or are deleted). An item that failed for good moves to error/ beside a
 * {@code <file name>.error.json} that says why and what to do.
 */
@ApplicationScoped
public class FileAcknowledger implements SourceAcknowledger {

    private static final Logger LOG = Logger.getLogger(FileAcknowledger.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final IngestConfig config;
    private final ObjectMapper json;
    private final Ledger ledger;

    public FileAcknowledger(IngestConfig config, ObjectMapper json, Ledger ledger) {
        this.ledger = ledger;
        this.config = config;
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Override
    public String kind() {
        return FileSourceRoutes.KIND;
    }

    @Override
    public void success(IngestRequest item) throws IOException {
        SourceConfig source = config.sources().get(item.getSourceName());
        Optional<String> changed = changedSinceRead(item);
        if (changed.isPresent()) {
            // Mayan confirmed the bytes that were read, not these: moving (or deleting) the file now would
            // lose the new content. Left in place, it is taken again as a new item (Ledger#begin).
            LOG.warnf("%s changed while Mayan confirmed it (%s): Mayan document %d has the content read before;"
                    + " the file is left in place and ingested again as a new item", item.describe(), changed.get(),
                    item.getDocumentId());
            return;
        }
        if (source.deleteAfterSuccess()) {
            Files.deleteIfExists(item.getPayload());
            for (Path companion : item.getCompanions()) {
                Files.deleteIfExists(companion);
            }
            LOG.infof("Ingested %s as Mayan document %d; deleted it from the folder", item.describe(), item.getDocumentId());
            return;
        }
        Path target = moveWithCompanions(item, donePath(source));
        LOG.infof("Ingested %s as Mayan document %d; moved to %s", item.describe(), item.getDocumentId(),
                SafeNames.visible(target));
    }

    /**
     * Why the file in the folder is no longer the content Mayan confirmed: other size or time stamp, or
     * (after {@code cp -p}, rsync or a scanner that keeps them) other bytes. The file is read again for
     * its SHA-256 (streaming) because size and time stamp cannot tell. A file that is gone (renamed or
     * removed) has nothing left to lose.
     */
    static Optional<String> changedSinceRead(IngestRequest item) throws IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(item.getPayload(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (now.size() != item.getSize()) {
            return Optional.of("its size went from " + item.getSize() + " to " + now.size() + " bytes");
        }
        if (item.getSourceModified() != null && now.lastModifiedTime().toMillis() != item.getSourceModified()) {
            return Optional.of("its time stamp changed");
        }
        if (item.getSha256() != null && !item.getSha256().equals(Checksums.sha256(item.getPayload()))) {
            return Optional.of("same size and time stamp, other content");
        }
        return Optional.empty();
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) throws IOException {
        SourceConfig source = config.sources().get(item.getSourceName());
        Path target = moveWithCompanions(item, errorPath(source));
        Map<String, Object> report = ErrorReport.of(item, failure);
        storedAs(report, item.getFileName(), target);
        report.put("replay", "move " + target.getFileName() + " (and its sidecar) back into the source folder"
                + (target.getFileName().toString().equals(item.getFileName()) ? "" : " as " + item.getFileName()));
        ErrorReport.write(json, target.resolveSibling(target.getFileName() + ErrorReport.SUFFIX), report);
        ledger.payloadMoved(item, target.toString());
        LOG.warnf("Could not ingest %s: %s. Fix: %s. Moved to %s", item.describe(), SafeNames.visible(failure.reason()),
                SafeNames.visible(failure.fix()), SafeNames.visible(target));
    }

    /** The name in the error folder, when it is not the file's own (shortened or made unique). */
    private static void storedAs(Map<String, Object> report, String original, Path target) {
        if (!target.getFileName().toString().equals(original)) {
            report.put("storedAs", target.getFileName().toString());
        }
    }

    /**
     * A symbolic link to a folder met in a recursive scan (see {@link NameFilter}): the link itself
     * goes to the error folder with a report; the folder it points to is never entered nor touched.
     * It has no ledger row: it is not a document, and there is nothing to replay.
     */
    public void linkedFolder(String sourceName, Path link) {
        SourceConfig source = config.sources().get(sourceName);
        Path root = Path.of(source.path().orElseThrow()).toAbsolutePath().normalize();
        Path relative = root.relativize(link);
        IngestRequest item = new IngestRequest();
        item.setSourceName(sourceName);
        item.setSourceKind(FileSourceRoutes.KIND);
        item.setPayload(link);
        item.setFileName(link.getFileName().toString());
        try {
            IngestException failure = IngestException.permanent("\"" + SafeNames.visible(relative)
                    + "\" is a symbolic link to a folder (" + SafeNames.visible(Files.readSymbolicLink(link))
                    + "); links to folders are never entered", "move the folder itself into the watched folder (the"
                            + " link was moved to the error folder, the folder it points to was not touched)");
            Path target = moveWithCompanions(item, errorPath(source));
            Map<String, Object> report = ErrorReport.of(item, failure);
            storedAs(report, item.getFileName(), target);
            ErrorReport.write(json, target.resolveSibling(target.getFileName() + ErrorReport.SUFFIX), report);
            LOG.warnf("Could not ingest %s: %s. Fix: %s. Moved to %s", item.describe(),
                    SafeNames.visible(failure.reason()), SafeNames.visible(failure.fix()), SafeNames.visible(target));
        } catch (IOException e) {
            // Left in place: it is not entered either way, and the next scan tries to move it again.
            LOG.warnf("The link to a folder %s could not be moved to the error folder: %s", SafeNames.visible(link),
                    SafeNames.visible(e));
        }
    }

    /**
     * Moves a quarantined file (and its sidecar) from error/ back to where it came from; its name,
     * size and time stamp are unchanged, so the ledger row is found again and the item resumes from
     * the step it had reached.
     */
    @Override
    public void replay(Ledger.Entry entry) throws IOException {
        Path payload = quarantined(entry);
        SourceConfig source = config.sources().get(entry.source());
        Path root = Path.of(source.path().orElseThrow()).toAbsolutePath().normalize();
        String relative = entry.relativePath();
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root)) {
            throw new IllegalStateException("ledger row " + entry.id() + " points outside its source folder");
        }
        if (Files.exists(target)) {
            throw new IllegalStateException(target + " exists already; move or rename it first");
        }
        Files.createDirectories(target.getParent());
        for (String suffix : java.util.List.of(".json", ".yaml", ".yml")) {
            Path sidecar = payload.resolveSibling(payload.getFileName() + suffix);
            if (Files.exists(sidecar, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(sidecar, target.resolveSibling(target.getFileName() + suffix));
            }
        }
        Files.deleteIfExists(payload.resolveSibling(payload.getFileName() + ErrorReport.SUFFIX));
        // Last: the folder source may take the document as soon as it appears, sidecar already in place.
        Files.move(payload, target);
        LOG.infof("Replay: %s moved back to %s", SafeNames.visible(payload), SafeNames.visible(target));
    }

    @Override
    public void discard(Ledger.Entry entry) throws IOException {
        Path payload = quarantined(entry);
        for (String suffix : java.util.List.of(".json", ".yaml", ".yml", ErrorReport.SUFFIX)) {
            Files.deleteIfExists(payload.resolveSibling(payload.getFileName() + suffix));
        }
        Files.deleteIfExists(payload);
        LOG.infof("Discarded %s and its sidecar", SafeNames.visible(payload));
    }

    private static Path quarantined(Ledger.Entry entry) {
        // NOFOLLOW: a quarantined symbolic link is the payload, whether or not its target still exists.
        if (entry.payloadRef() == null || !Files.exists(Path.of(entry.payloadRef()), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("the payload of " + entry.id() + " is no longer at " + entry.payloadRef());
        }
        return Path.of(entry.payloadRef());
    }

    /**
     * Moves the item and its sidecar into {@code folder} (keeping the item's sub-folder). The name there
     * is the file's own unless that one is taken, or too long for the file system once a suffix is added
     * ({@code .error.json}, a sidecar's {@code .json}): then {@code <stem>-<stamp>-<id8><ext>} with the
     * stem shortened by bytes, as the 255-byte limit counts bytes, not characters. The original name
     * stays in the ledger and the report. A link is moved as a link (Files.move never follows one).
     */
    private Path moveWithCompanions(IngestRequest item, Path folder) throws IOException {
        Path root = Path.of(config.sources().get(item.getSourceName()).path().orElseThrow()).toAbsolutePath().normalize();
        Path relative = root.relativize(item.getPayload().toAbsolutePath().normalize());
        Path targetDir = relative.getParent() == null ? folder : folder.resolve(relative.getParent());
        Files.createDirectories(targetDir);
        int reserve = folder.equals(errorPath(config.sources().get(item.getSourceName()))) ? ErrorReport.SUFFIX.length() : 0;
        for (Path companion : item.getCompanions()) {
            reserve = Math.max(reserve, SafeNames.utf8Length(sidecarSuffix(companion)));
        }
        Path target = targetDir.resolve(item.getFileName());
        if (SafeNames.utf8Length(item.getFileName()) + reserve > SafeNames.MAX_NAME_BYTES
                || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // Never overwrite an earlier file of the same name.
            target = targetDir.resolve(uniqueName(item, SafeNames.MAX_NAME_BYTES - reserve));
        }
        // The sidecar first, the document last: whoever sees the document in done/ or error/ (a person, a
        // script, a test) finds its sidecar beside it; a crash in between leaves the document in the
        // folder, where its ledger row (done, or failed) decides what happens to it at the next poll.
        for (Path companion : item.getCompanions()) {
            if (Files.exists(companion, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(companion, target.resolveSibling(target.getFileName() + sidecarSuffix(companion)));
            }
        }
        if (Files.exists(item.getPayload(), LinkOption.NOFOLLOW_LINKS)) {
            Files.move(item.getPayload(), target);
        }
        return target;
    }

    /**
     * {@code .json}, {@code .yaml} or {@code .yml}: taken from the sidecar's own name, not by cutting
     * the document's name off it, which would be wrong when one of the two is NFC and the other NFD.
     */
    private static String sidecarSuffix(Path companion) {
        String name = companion.getFileName().toString();
        return name.substring(name.lastIndexOf('.'));
    }

    private static String uniqueName(IngestRequest item, int maxBytes) {
        String id = item.getIngestId() == null ? "" : "-" + item.getIngestId().substring(0, 8);
        return SafeNames.fitBytes(item.getFileName(), "-" + STAMP.format(Instant.now()) + id, maxBytes);
    }

    /**
     * A process killed between moving a done file to done/ (or deleting it) and recording that in the
     * ledger leaves a DONE row without its acknowledgement, and the file never comes back to complete it.
     * At start, such rows of the source whose file is no longer in its folder are recorded as
     * acknowledged; a file still there is acknowledged by the next poll, as always. How many were.
     */
    public int reconcileAcknowledged(String source, Path directory) {
        int recorded = 0;
        for (Ledger.Entry entry : ledger.findDoneUnacknowledged(source)) {
            Path original;
            try {
                original = directory.resolve(entry.relativePath());
            } catch (IllegalStateException | java.nio.file.InvalidPathException e) {
                continue;
            }
            if (Files.notExists(original, LinkOption.NOFOLLOW_LINKS)) {
                ledger.acknowledged(entry.id());
                recorded++;
            }
        }
        if (recorded > 0) {
            LOG.infof("Source %s: %d done item(s) had left the folder before a stop recorded it; recorded as"
                    + " acknowledged now", source, recorded);
        }
        return recorded;
    }

    public static Path donePath(SourceConfig source) {
        return source.donePath().map(Path::of)
                .orElseGet(() -> Path.of(source.path().orElseThrow()).resolve(".done")).toAbsolutePath().normalize();
    }

    public static Path errorPath(SourceConfig source) {
        return source.errorPath().map(Path::of)
                .orElseGet(() -> Path.of(source.path().orElseThrow()).resolve(".error")).toAbsolutePath().normalize();
    }
}
