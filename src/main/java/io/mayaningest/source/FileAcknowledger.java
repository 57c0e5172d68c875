package io.mayaningest.source;

import java.io.IOException;
import java.nio.file.Files;
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
import io.mayaningest.pipeline.IngestException;
import io.mayaningest.pipeline.IngestRequest;
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
    public static final String ERROR_SUFFIX = ".error.json";

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
        LOG.infof("Ingested %s as Mayan document %d; moved to %s", item.describe(), item.getDocumentId(), target);
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
        if (item.getSha256() != null && !item.getSha256().equals(FileSourceMapper.sha256(item.getPayload()))) {
            return Optional.of("same size and time stamp, other content");
        }
        return Optional.empty();
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) throws IOException {
        SourceConfig source = config.sources().get(item.getSourceName());
        Path target = moveWithCompanions(item, errorPath(source));
        Map<String, Object> report = ErrorReport.of(item, failure);
        report.put("replay", "move " + target.getFileName() + " (and its sidecar) back into the source folder");
        json.writeValue(target.resolveSibling(target.getFileName() + ERROR_SUFFIX).toFile(), report);
        ledger.payloadMoved(item, target.toString());
        LOG.warnf("Could not ingest %s: %s. Fix: %s. Moved to %s", item.describe(), failure.reason(), failure.fix(),
                target);
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
            if (Files.exists(sidecar)) {
                Files.move(sidecar, target.resolveSibling(target.getFileName() + suffix));
            }
        }
        Files.deleteIfExists(payload.resolveSibling(payload.getFileName() + ERROR_SUFFIX));
        // Last: the folder source may take the document as soon as it appears, sidecar already in place.
        Files.move(payload, target);
        LOG.infof("Replay: %s moved back to %s", payload, target);
    }

    @Override
    public void discard(Ledger.Entry entry) throws IOException {
        Path payload = quarantined(entry);
        for (String suffix : java.util.List.of(".json", ".yaml", ".yml", ERROR_SUFFIX)) {
            Files.deleteIfExists(payload.resolveSibling(payload.getFileName() + suffix));
        }
        Files.deleteIfExists(payload);
        LOG.infof("Discarded %s and its sidecar", payload);
    }

    private static Path quarantined(Ledger.Entry entry) {
        if (entry.payloadRef() == null || !Files.exists(Path.of(entry.payloadRef()))) {
            throw new IllegalStateException("the payload of " + entry.id() + " is no longer at " + entry.payloadRef());
        }
        return Path.of(entry.payloadRef());
    }

    private Path moveWithCompanions(IngestRequest item, Path folder) throws IOException {
        Path root = Path.of(config.sources().get(item.getSourceName()).path().orElseThrow()).toAbsolutePath().normalize();
        Path relative = root.relativize(item.getPayload().toAbsolutePath().normalize());
        Path targetDir = relative.getParent() == null ? folder : folder.resolve(relative.getParent());
        Files.createDirectories(targetDir);
        Path target = targetDir.resolve(item.getFileName());
        if (Files.exists(target)) {
            // Never overwrite an earlier file of the same name.
            target = targetDir.resolve(uniqueName(item));
        }
        if (Files.exists(item.getPayload())) {
            Files.move(item.getPayload(), target);
        }
        for (Path companion : item.getCompanions()) {
            if (Files.exists(companion)) {
                String suffix = companion.getFileName().toString().substring(item.getFileName().length());
                Files.move(companion, target.resolveSibling(target.getFileName() + suffix));
            }
        }
        return target;
    }

    private static String uniqueName(IngestRequest item) {
        String name = item.getFileName();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String id = item.getIngestId() == null ? "" : "-" + item.getIngestId().substring(0, 8);
        return stem + "-" + STAMP.format(Instant.now()) + id + ext;
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
