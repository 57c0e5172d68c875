package io.mayaningest.source.http;

import io.mayaningest.source.FileNames;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanGate;
import io.mayaningest.pipeline.Failures;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.Resolver;
import io.mayaningest.pipeline.Resolver.Problem;
import io.mayaningest.source.Mapping;
import io.mayaningest.core.SafeNames;
import io.mayaningest.source.Spool;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The upload API of the http sources: one multipart request with the file and the document's
 * description by names (type label, metadata type names, tag labels, cabinet paths), answered at once
 * with 202 and a status URL once the request is known to be ingestible, or with every problem (422)
 * before anything is stored in Mayan. Authentication: {@link UploadAuth} (twice, see there).
 */
// Rooted at /api like the console's resource (GET /api/sources): RESTEasy matches root paths by prefix,
// and a root of its own under /api/sources/ hid the console's /api/sources (404).
@Path("/api")
@Tag(name = "Upload", description = "Documents into Mayan EDMS by names, with a status to follow")
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
                description = "ingest.api-clients.<client>.token"),
        @SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
                description = "ingest.api-clients.<client>.username and .password") })
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = "basic")
public class UploadResource {

    private static final Logger LOG = Logger.getLogger(UploadResource.class);
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** A client's key: visible ASCII, as the IETF Idempotency-Key draft has it, and short enough for the ledger key. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final Pattern WAIT = Pattern.compile("(\\d{1,6})(ms|s|m)?");
    static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private final UploadAuth auth;
    private final HttpIntake intake;
    private final Mapping mapping;
    private final Resolver resolver;
    private final Ledger ledger;
    private final MayanGate gate;
    private final io.mayaningest.source.MappingCheck mappingCheck;
    private final MayanConfig mayan;
    private final String mayanUrl;
    private final String mayanApiUrl;
    private final ObjectMapper json;

    public UploadResource(UploadAuth auth, HttpIntake intake, Mapping mapping, Resolver resolver, Ledger ledger,
            MayanGate gate, MayanConfig mayan, MayanClient client, io.mayaningest.source.MappingCheck mappingCheck,
            ObjectMapper json) {
        this.mappingCheck = mappingCheck;
        this.json = json;
        this.auth = auth;
        this.intake = intake;
        this.mapping = mapping;
        this.resolver = resolver;
        this.ledger = ledger;
        this.gate = gate;
        this.mayan = mayan;
        this.mayanUrl = client.baseUrl();
        this.mayanApiUrl = client.documentUrl(1).replaceAll("documents/1/$", "");
    }

    @POST
    @Path("sources/{source}/documents")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    @Operation(summary = "Upload a document", description = "Streams the file to the service's spool (never held in memory;"
            + " the source's max-file-size is enforced while it arrives), fills what the request leaves out from the source's"
            + " mapping, and checks everything against Mayan before anything is stored there. A valid request answers 202"
            + " at once; follow statusUrl (with ?wait=30s to long-poll) until status is done or failed.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = UploadFormSchema.class)))
    @APIResponse(responseCode = "202", description = "Accepted: the document is on its way into Mayan",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "accepted",
                    value = "{\"ingestId\": \"5f0c7a8e-2b7e-4d56-9a61-0c3f4a1b2c3d\", \"status\": \"validated\","
                            + " \"statusUrl\": \"http://ingest.example:8080/api/sources/scans/documents/5f0c7a8e-2b7e-4d56-9a61-0c3f4a1b2c3d\"}")))
    @APIResponse(responseCode = "401", description = "No credentials, or not those of an API client")
    @APIResponse(responseCode = "403", description = "The API client is not one of the source's clients")
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used before with other content")
    @APIResponse(responseCode = "413", description = "The file is larger than the source's max-file-size")
    @APIResponse(responseCode = "415", description = "Not a multipart/form-data request")
    @APIResponse(responseCode = "422", description = "The request cannot be ingested as sent: every problem, each with its fix",
            content = @Content(mediaType = Problems.MEDIA_TYPE, examples = @ExampleObject(name = "several problems",
                    value = "{\"type\": \"urn:mayan-ingest:problem:invalid-upload\", \"title\": \"The upload cannot be ingested"
                            + " as sent\", \"status\": 422, \"detail\": \"2 problems: ...\", \"fix\": \"correct every field listed"
                            + " in errors and send the request again; nothing was stored in Mayan\", \"instance\":"
                            + " \"/api/sources/scans/documents\", \"errors\": [{\"field\": \"document_type\", \"reason\":"
                            + " \"document type \\\"Drawng\\\" does not exist in Mayan; existing types: Default, Drawing, Invoice\","
                            + " \"fix\": \"send the label of an existing document type in document_type, or create the type in Mayan\"},"
                            + " {\"field\": \"tags\", \"reason\": \"tag \\\"urgnt\\\" does not exist in Mayan; existing tags:"
                            + " scanned, urgent\", \"fix\": \"create the tag in Mayan or correct the tags\"}]}")))
    @APIResponse(responseCode = "503", description = "Mayan cannot take documents now (the source refuses uploads meanwhile);"
            + " Retry-After says when to try again")
    public Response upload(@PathParam("source") String sourceName,
            @HeaderParam("Content-Type") String contentType,
            @Parameter(description = "Makes a retry safe: the same key with the same content answers the first request's"
                    + " status and never makes a second document; with other content 409")
            @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
            @HeaderParam("Authorization") String authorization,
            @Context UriInfo uri,
            InputStream body) {
        String instance = "/api/sources/" + sourceName + "/documents";
        UploadAuth.Decision who = auth.decide(sourceName, authorization);
        if (!who.allowed()) {
            return Problems.response(Problems.auth(who, instance));
        }
        SourceConfig source = auth.source(sourceName).orElseThrow();
        String boundary = MultipartReader.boundary(contentType);
        if (boundary == null) {
            return Problems.response(Problems.problem("not-multipart", "Not a multipart/form-data request", 415,
                    "the request's Content-Type is " + (contentType == null ? "missing" : SafeNames.visible(contentType)),
                    "send multipart/form-data with the document in the part \"file\" (curl -F file=@scan.pdf)", instance));
        }
        if (idempotencyKey != null && !KEY.matcher(idempotencyKey).matches()) {
            return Problems.response(Problems.problem("bad-idempotency-key", "Unusable Idempotency-Key", 400,
                    "the Idempotency-Key must be 1 to 200 visible ASCII characters",
                    "send a UUID as the key, e.g. Idempotency-Key: " + UUID.randomUUID(), instance));
        }
        boolean spoolWhileDown = "spool".equals(source.whenMayanUnreachable());
        if (!gate.isOpen() && !spoolWhileDown) {
            return unavailable(gate.state().reason(), gate.state().fix(), instance);
        }
        if (!mappingCheck.accepts(sourceName)) {
            // The source's own mapping names what Mayan lacks: every upload would fail alike, and the client
            // keeps its document (MappingCheck). Not a 422: nothing in the request is wrong.
            return sourceDown(sourceName, instance);
        }
        java.nio.file.Path dir = intake.spoolRoot(sourceName, source).resolve(UUID.randomUUID().toString());
        boolean accepted = false;
        String deciding = null;
        try {
            UploadForm form;
            try {
                form = UploadForm.read(body, boundary, dir, source.maxFileSize(), json);
            } catch (Spool.TooLarge e) {
                return Response.fromResponse(Problems.response(Problems.problem("too-large", "The file is too large", 413,
                        "the file is larger than the limit of " + source.maxFileSize() + " bytes of source \"" + sourceName
                                + "\"", "split the document, or raise ingest.sources." + sourceName + ".max-file-size",
                        instance))).header("Connection", "close").build();
            } catch (Spool.WriteFailed e) {
                IngestException failure = Spool.failure(e, "the upload", "nothing was accepted; send it again");
                LOG.warnf("Upload to source %s could not be spooled: %s", sourceName, failure.reason());
                return failure.isPermanent()
                        ? Problems.response(Problems.problem("spool-failed", "The upload could not be stored", 500,
                                "the service could not write the upload to its spool", failure.fix(), instance))
                        : unavailable("the service's spool is full", "send it again later", instance);
            } catch (MultipartReader.Malformed e) {
                return Response.fromResponse(Problems.response(Problems.problem("malformed", "Not a readable multipart form",
                        400, e.getMessage(), "send multipart/form-data as curl -F or Python requests' files= do", instance)))
                        .header("Connection", "close").build();
            }
            IngestRequest item = item(sourceName, source, form, idempotencyKey, who.client());
            String key = item.getSourceKey();
            synchronized (intake.keyLock(sourceName, key)) {
                if (idempotencyKey != null) {
                    Optional<Ledger.Entry> first = ledger.findBySourceKey(sourceName, key);
                    if (first.isPresent()) {
                        return repeated(first.get(), item, form, uri, instance);
                    }
                }
                List<Problem> problems = new ArrayList<>(form.problems);
                boolean validated = false;
                if (gate.isOpen()) {
                    try {
                        List<Problem> found = resolver.problems(item);
                        boolean noFile = form.problems.stream().anyMatch(p -> p.field().equals(UploadForm.FILE));
                        found.stream().filter(p -> !(noFile && p.field().equals(UploadForm.FILE)))
                                .map(p -> forRequest(p, sourceName)).forEach(problems::add);
                        validated = true;
                    } catch (RuntimeException e) {
                        IngestException failure = Failures.asIngestException(e);
                        if (failure.isPermanent() || !spoolWhileDown) {
                            return failure.isPermanent() ? Problems.response(Problems.problem("mayan-refused",
                                    "Mayan refused a check", 502, failure.reason(), failure.fix(), instance))
                                    : unavailable(failure.reason(), failure.fix(), instance);
                        }
                    }
                }
                if (!problems.isEmpty()) {
                    LOG.infof("Upload %s refused (422, client %s): %s", item.describe(), who.client(),
                            SafeNames.visible(String.join("; ", problems.stream().map(Problem::reason).toList())));
                    return Problems.response(Problems.invalid(problems, instance));
                }
                // Marked before its row exists, so resume() never rebuilds it from a row still without its mapping.
                deciding = UUID.randomUUID().toString();
                intake.accepting(deciding);
                ledger.beginAs(item, deciding);
                if (validated) {
                    ledger.validated(item);
                } else {
                    ledger.mappingAccepted(item);
                }
                accepted = true;
            }
            // The answer is the state at acceptance: once submitted, the item belongs to the pipeline.
            URI status = statusUri(uri, sourceName, item.getIngestId());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("ingestId", item.getIngestId());
            answer.put("status", UploadStatus.status(io.mayaningest.core.LedgerState.valueOf(item.getState())));
            answer.put("statusUrl", status.toString());
            LOG.infof("Upload %s accepted as ingest %s (client %s, %d bytes%s)", item.describe(), item.getIngestId(),
                    who.client(), item.getSize(), validated(item) ? "" : ", kept until Mayan is back");
            intake.submit(item);
            return Response.accepted(answer).type(MediaType.APPLICATION_JSON_TYPE).location(status).build();
        } catch (IOException e) {
            // The client went away or its body broke off: nothing was accepted.
            LOG.infof("Upload to source %s broke off: %s", sourceName, e.getMessage());
            return Response.fromResponse(Problems.response(Problems.problem("broken-upload", "The upload broke off", 400,
                    "the request body could not be read to its end: " + e.getMessage(), "send the request again",
                    instance))).header("Connection", "close").build();
        } finally {
            if (!accepted) {
                intake.deleteSpoolDir(dir);
            }
            if (deciding != null) {
                intake.accepted(deciding);
            }
        }
    }

    /**
     * The resolver's fixes speak of mappings, file-name patterns and sidecars, as a folder's user
     * needs them; a program sending a request is told which field to send instead.
     */
    static Problem forRequest(Problem p, String sourceName) {
        String field = p.field();
        String name = field.startsWith("metadata.") ? field.substring("metadata.".length()) : field;
        String fix = p.fix();
        if (fix.startsWith("correct the value")) {
            fix = "send a value the metadata type accepts in " + field;
        } else if (fix.startsWith("give it a value")) {
            fix = "send " + field + " (or \"" + name + "\" in the metadata object), or give it a default in ingest.sources."
                    + sourceName + ".metadata." + name;
        } else if (fix.endsWith("or remove it from the mapping")) {
            fix = fix.replace("or remove it from the mapping", "or leave " + field + " out of the request");
        } else if (fix.equals("create the document type in Mayan or correct document_type / document-type")) {
            fix = "send the label of an existing document type in document_type, or create the type in Mayan";
        }
        return new Problem(field, p.reason(), fix);
    }

    private static boolean validated(IngestRequest item) {
        return !io.mayaningest.core.LedgerState.RECEIVED.name().equals(item.getState());
    }

    /** The item the request describes: the source's mapping first, the request's fields on top. */
    private IngestRequest item(String sourceName, SourceConfig source, UploadForm form, String idempotencyKey,
            String client) {
        IngestRequest item = new IngestRequest();
        item.setSourceName(sourceName);
        item.setSourceKind(HttpSourceRoutes.KIND);
        item.setFileName(form.fileName == null ? UploadForm.DEFAULT_FILE_NAME : form.fileName);
        if (form.file != null) {
            item.setPayload(form.file.path());
            item.setSize(form.file.size());
            item.setSha256(form.file.sha256());
        }
        // An idempotency key is the client's: two clients using the same key are two requests.
        item.setSourceKey(idempotencyKey != null ? HttpIntake.KEY_PREFIX + client + ":" + idempotencyKey
                : HttpIntake.UPLOAD_PREFIX + UUID.randomUUID());
        try {
            Map<String, String> values = new LinkedHashMap<>(FileNames.fileNameValues(item.getFileName(), null,
                    source, sourceName, form.describes()));
            values.remove("file.parent");
            mapping.apply(item, values);
        } catch (IngestException e) {
            form.problems.add(new Problem(UploadForm.FILE, e.reason(), e.fix()));
        }
        form.applyTo(item);
        return item;
    }

    /** A retry with a key seen before: the first request's status for the same content, 409 for other content. */
    private Response repeated(Ledger.Entry first, IngestRequest item, UploadForm form, UriInfo uri, String instance) {
        boolean same = form.problems.isEmpty() && Objects.equals(first.sha256(), item.getSha256())
                && (first.mapping() == null || first.mapping().equals(ledger.mappingOf(item)));
        if (!same) {
            return Problems.response(Problems.problem("idempotency-key-reused", "Idempotency-Key used with other content",
                    409, "the Idempotency-Key was first used for ingest " + first.id() + " (\"" + SafeNames.visible(first.fileName())
                            + "\") with other content or fields",
                    "send a new key for a new upload; send exactly the first request again to learn its status", instance));
        }
        URI status = statusUri(uri, first.source(), first.id());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ingestId", first.id());
        answer.put("status", UploadStatus.status(first.state()));
        answer.put("statusUrl", status.toString());
        return Response.accepted(answer).type(MediaType.APPLICATION_JSON_TYPE).location(status)
                .header("Idempotent-Replayed", "true").build();
    }

    @GET
    @Path("sources/{source}/documents/{ingestId}")
    @Blocking
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    @Operation(summary = "The status of an upload", description = "Where the upload is (validated, uploading, uploaded,"
            + " file-confirmed, enriched, done, failed), with the Mayan document id, file id, checksum and the document's"
            + " URL once done, and the reason and fix once failed.")
    @APIResponse(responseCode = "200", description = "The upload's status", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "done", value = "{\"ingestId\": \"5f0c7a8e-2b7e-4d56-9a61-0c3f4a1b2c3d\", \"source\":"
                    + " \"scans\", \"status\": \"done\", \"final\": true, \"statusUrl\": \"http://ingest.example:8080/api/sources/scans/"
                    + "documents/5f0c7a8e-2b7e-4d56-9a61-0c3f4a1b2c3d\", \"fileName\": \"4711.pdf\", \"size\": 48213, \"checksum\":"
                    + " \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\", \"checksumAlgorithm\": \"SHA-256\","
                    + " \"label\": \"Invoice 4711\", \"documentId\": 412, \"fileId\": 433, \"documentUrl\":"
                    + " \"https://mayan.example/#/documents/documents/412/preview/\", \"documentApiUrl\":"
                    + " \"https://mayan.example/api/v4/documents/412/\", \"attempts\": 0, \"receivedAt\": \"2026-12-02T14:03:11.201Z\","
                    + " \"updatedAt\": \"2026-12-02T14:03:13.877Z\"}")))
    @APIResponse(responseCode = "404", description = "No upload with this id on this source")
    public CompletionStage<Response> status(@PathParam("source") String sourceName, @PathParam("ingestId") String ingestId,
            @Parameter(description = "Long-poll: answer once the upload is done or failed, at the latest after this long"
                    + " (e.g. 30s, 500ms, 2m; at most 2m)", schema = @Schema(type = SchemaType.STRING, example = "30s"))
            @QueryParam("wait") String wait,
            @HeaderParam("Authorization") String authorization,
            @Context UriInfo uri) {
        String instance = "/api/sources/" + sourceName + "/documents/" + ingestId;
        UploadAuth.Decision who = auth.decide(sourceName, authorization);
        if (!who.allowed()) {
            return CompletableFuture.completedFuture(Problems.response(Problems.auth(who, instance)));
        }
        Duration max;
        try {
            max = waitOf(wait);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Problems.response(Problems.problem("bad-wait", "Unusable wait", 400,
                    "wait=" + SafeNames.visible(wait) + " is not a duration", "send e.g. wait=30s, wait=500ms or wait=2m",
                    instance)));
        }
        String statusUrl = statusUri(uri, sourceName, ingestId).toString();
        return awaitStatus(sourceName, ingestId, statusUrl, Instant.now().plus(max), instance);
    }

    private CompletionStage<Response> awaitStatus(String sourceName, String ingestId, String statusUrl, Instant deadline,
            String instance) {
        Duration left = Duration.between(Instant.now(), deadline);
        // Registered before the row is read: a change between the read and the wait is not missed.
        CompletableFuture<Void> change = left.isNegative() || left.isZero() ? null : intake.nextChange(ingestId, left);
        Optional<Ledger.Entry> entry = ledger.find(ingestId).filter(e -> e.source().equals(sourceName));
        if (entry.isEmpty()) {
            return CompletableFuture.completedFuture(Problems.response(Problems.problem("no-such-upload", "No such upload",
                    404, "source \"" + sourceName + "\" has no upload " + SafeNames.visible(ingestId),
                    "use the statusUrl the upload's 202 answer gave", instance)));
        }
        if (change == null || HttpIntake.settled(entry.get().state())) {
            return CompletableFuture.completedFuture(Response.ok(UploadStatus.view(entry.get(), statusUrl, mayanUrl,
                    mayanApiUrl)).type(MediaType.APPLICATION_JSON_TYPE).build());
        }
        return change.thenCompose(v -> awaitStatus(sourceName, ingestId, statusUrl, deadline, instance));
    }

    static Duration waitOf(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        Matcher m = WAIT.matcher(wait.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(wait);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    }

    private Response unavailable(String reason, String fix, String instance) {
        long seconds = Math.max(1, (mayan.healthInterval().toMillis() + 999) / 1000);
        return Response.fromResponse(Problems.response(Problems.problem("mayan-unavailable", "Mayan cannot take documents now",
                503, reason, "send the request again after Retry-After seconds (" + fix + ")", instance)))
                .header("Retry-After", String.valueOf(seconds)).build();
    }

    private Response sourceDown(String sourceName, String instance) {
        io.mayaningest.source.SourceHealth.Status status = mappingCheck.status(sourceName);
        long seconds = Math.max(1, (mayan.healthInterval().toMillis() + 999) / 1000);
        return Response.fromResponse(Problems.response(Problems.problem("source-down",
                "The source cannot take documents now", 503, status.reason(),
                "send the request again once the operator fixed it (" + status.fix() + ")", instance)))
                .header("Retry-After", String.valueOf(seconds)).build();
    }

    private static URI statusUri(UriInfo uri, String sourceName, String ingestId) {
        return uri.getBaseUriBuilder().path("api/sources/{source}/documents/{id}").build(sourceName, ingestId);
    }

    /** The form of a request, for the OpenAPI description only. */
    @Schema(name = "UploadForm", description = "multipart/form-data; only file is required. What the request leaves"
            + " out, the source's mapping (ingest.sources.<name>.document-type, label, metadata.*, tags, cabinets) fills in.")
    public static class UploadFormSchema {
        @Schema(required = true, type = SchemaType.STRING, format = "binary", description = "The document")
        public String file;
        @Schema(description = "Label of a Mayan document type", example = "Invoice")
        public String document_type;
        @Schema(description = "The document's label; default the source's label template (the file name)", example = "Invoice 4711")
        public String label;
        @Schema(example = "Scanned at the front desk")
        public String description;
        @Schema(description = "ISO 639-3 code, as Mayan stores it", example = "deu")
        public String language;
        @Schema(description = "A JSON object: metadata type name (not label) to value. Or one field metadata.<name> per value",
                example = "{\"invoice_number\": \"4711\", \"currency\": \"EUR\"}")
        public String metadata;
        @Schema(description = "Tag labels, comma-separated or the field repeated", example = "scanned,urgent")
        public String tags;
        @Schema(description = "Cabinet paths, levels separated by /, comma-separated or the field repeated",
                example = "Finance/Invoices")
        public String cabinets;
        @Schema(description = "A new file of this existing Mayan document instead of a new document", example = "412")
        public Long document_id;
        @Schema(description = "With document_id: replace (default), append or keep", enumeration = { "replace", "append",
                "keep" })
        public String action;
    }
}
