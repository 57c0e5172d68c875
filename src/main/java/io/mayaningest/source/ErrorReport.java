package io.mayaningest.source;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;

/** The fields every {@code .error.json} has, whichever source wrote it; callers add their own. */
public final class ErrorReport {

    /** What an error report is called beside its item: {@code <file name>.error.json}. */
    public static final String SUFFIX = ".error.json";

    private ErrorReport() {
    }

    public static Map<String, Object> of(IngestRequest item, IngestException failure) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", item.getFileName());
        report.put("source", item.getSourceName());
        report.put("ingestId", item.getIngestId());
        report.put("failedAt", Instant.now().toString());
        report.put("reason", failure.reason());
        report.put("fix", failure.fix());
        report.put("documentId", item.getDocumentId());
        report.put("sha256", item.getSha256());
        return report;
    }

    /**
     * Writes a report so that whoever watches the error folder (an operator, a script, the console) sees
     * either no report or the whole of it, never a half-written one: into a hidden temporary file in the
     * same folder, then renamed over {@code target} in one step.
     */
    public static void write(ObjectMapper json, Path target, Map<String, Object> report) throws IOException {
        Path tmp = target.resolveSibling(".report-" + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try {
            json.writeValue(tmp.toFile(), report);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
