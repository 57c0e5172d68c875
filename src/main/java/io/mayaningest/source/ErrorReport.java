package io.mayaningest.source;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.mayaningest.pipeline.IngestException;
import io.mayaningest.pipeline.IngestRequest;

/** The fields every {@code .error.json} has, whichever source wrote it; callers add their own. */
public final class ErrorReport {

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
}
