package io.mayaningest.console;

import io.mayaningest.source.Sidecar;
import io.mayaningest.source.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.Resolver;
import io.mayaningest.source.Mapping;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Dry run: what a file of this name (with this sidecar) would become in Mayan through this source,
 * and every problem, checked against the live Mayan with the pipeline's own mapping and validation
 * ({@link Mapping}, {@link io.mayaningest.source.Sidecar}, {@link Resolver}). Nothing is uploaded and no
 * ledger row is written: the resolver only reads Mayan's types, metadata types, tags, cabinets and,
 * for the new-file mode, the target document.
 */
@jakarta.ws.rs.Path("/api/preview")
@Produces(MediaType.APPLICATION_JSON)
public class PreviewResource {

    public record PreviewRequest(String source, String fileName, JsonNode sidecar) {
    }

    private final IngestConfig config;
    private final Mapping mapping;
    private final Resolver resolver;
    private final ObjectMapper json;

    public PreviewResource(IngestConfig config, Mapping mapping, Resolver resolver, ObjectMapper json) {
        this.config = config;
        this.mapping = mapping;
        this.resolver = resolver;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response preview(PreviewRequest request) throws IOException {
        if (request == null || request.source() == null || !config.sources().containsKey(request.source())) {
            return bad("give \"source\", one of " + config.sources().keySet());
        }
        String name = request.fileName();
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.equals("..")
                || name.equals(".")) {
            return bad("give \"fileName\", a file name without a directory");
        }
        IngestRequest item = new IngestRequest();
        item.setSourceName(request.source());
        item.setSourceKind(config.sources().get(request.source()).kind());
        item.setFileName(name);
        // Unknown content: not empty, so only the mapping and Mayan are judged.
        item.setSize(1L);
        // The sidecar is read by the same code as in a folder, so it goes to a file beside a (never written) document.
        Path dir = Files.createTempDirectory("mayan-ingest-preview-");
        try {
            Path document = dir.resolve(name);
            item.setPayload(document);
            if (request.sidecar() != null && !request.sidecar().isNull()) {
                Path sidecar = dir.resolve(name + ".json");
                Files.writeString(sidecar, json.writeValueAsString(request.sidecar()));
                item.getCompanions().add(sidecar);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("source", request.source());
            body.put("fileName", name);
            try {
                mapping.apply(item, FileNames.fileNameValues(name, dir, mapping.source(request.source()),
                        request.source(), Mapping.hasSidecar(item)));
                resolver.resolve(item);
                body.put("valid", true);
                body.put("problems", List.of());
            } catch (IngestException e) {
                body.put("valid", false);
                body.put("problems", Arrays.stream(e.reason().split("; ")).toList());
                body.put("fix", e.fix());
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("mode", item.isNewFileMode() ? "new file of document " + item.getTargetDocumentId()
                    + " (" + item.getAction() + ")" : "new document");
            result.put("documentType", item.getDocumentType());
            result.put("label", item.getLabel());
            result.put("description", item.getDescription());
            result.put("language", item.getLanguage());
            result.put("metadata", item.getMetadata());
            result.put("tags", item.getTags());
            result.put("cabinets", item.getCabinets());
            body.put("wouldBecome", result);
            return Response.ok(body).build();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static Response bad(String message) {
        return Response.status(400).entity(Map.of("error", message)).build();
    }
}
