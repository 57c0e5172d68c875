package io.mayaningest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
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

    public FileAcknowledger(IngestConfig config, ObjectMapper json) {
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
        if (source.deleteAfterSuccess()) {
            Files.deleteIfExists(item.getPayload());
            for (Path companion : item.getCompanions()) {
                Files.deleteIfExists(companion);
            }
            LOG.infof("Ingested %s as Mayan document %d; deleted it from the folder", item.describe(), item.getDocumentId());
            return;
        }
        Path target = moveWithCompanions(item, donePath(item.getSourceName(), source));
        LOG.infof("Ingested %s as Mayan document %d; moved to %s", item.describe(), item.getDocumentId(), target);
    }

    @Override
    public void failure(IngestRequest item, IngestException failure) throws IOException {
        SourceConfig source = config.sources().get(item.getSourceName());
        Path target = moveWithCompanions(item, errorPath(item.getSourceName(), source));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", item.getFileName());
        report.put("source", item.getSourceName());
        report.put("ingestId", item.getIngestId());
        report.put("failedAt", Instant.now().toString());
        report.put("reason", failure.reason());
        report.put("fix", failure.fix());
        report.put("documentId", item.getDocumentId());
        report.put("sha256", item.getSha256());
        report.put("replay", "move " + target.getFileName() + " (and its sidecar) back into the source folder");
        json.writeValue(target.resolveSibling(target.getFileName() + ERROR_SUFFIX).toFile(), report);
        LOG.warnf("Could not ingest %s: %s. Fix: %s. Moved to %s", item.describe(), failure.reason(), failure.fix(),
                target);
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

    public static Path donePath(String name, SourceConfig source) {
        return source.donePath().map(Path::of)
                .orElseGet(() -> Path.of(source.path().orElseThrow()).resolve(".done")).toAbsolutePath().normalize();
    }

    public static Path errorPath(String name, SourceConfig source) {
        return source.errorPath().map(Path::of)
                .orElseGet(() -> Path.of(source.path().orElseThrow()).resolve(".error")).toAbsolutePath().normalize();
    }
}
