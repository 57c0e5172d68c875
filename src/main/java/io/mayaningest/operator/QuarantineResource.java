package io.mayaningest.operator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.pipeline.Acknowledgers;
import io.mayaningest.core.SafeNames;
import io.mayaningest.pipeline.SourceAcknowledger;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * The operator's view of quarantine: list the items that failed for good, look at one (reason, fix,
 * mapping, Mayan ids reached, attempts), replay one or all after fixing the cause, or discard one.
 * Replay puts the payload back at its source; the ledger makes the item resume from the step it had
 * reached, so a replay never duplicates a document. Authenticated by {@link OperatorAuth}.
 */
@Path("/api/quarantine")
@Produces(MediaType.APPLICATION_JSON)
public class QuarantineResource {

    private static final Logger LOG = Logger.getLogger(QuarantineResource.class);

    public record ReplayRequest(String reason, String source) {
    }

    private final Ledger ledger;
    private final Acknowledgers acknowledgers;
    private final ObjectMapper json;

    public QuarantineResource(Ledger ledger, Acknowledgers acknowledgers, ObjectMapper json) {
        this.ledger = ledger;
        this.acknowledgers = acknowledgers;
        this.json = json;
    }

    @GET
    public Map<String, Object> list(@QueryParam("source") String source, @QueryParam("limit") @DefaultValue("50") int limit,
            @QueryParam("offset") @DefaultValue("0") int offset) {
        int size = Math.max(1, Math.min(limit, 500));
        List<Ledger.Entry> entries = source == null
                ? ledger.findByState(LedgerState.FAILED, size, Math.max(0, offset))
                : ledger.findByStateAndSource(LedgerState.FAILED, source, size, Math.max(0, offset));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", ledger.count(LedgerState.FAILED));
        body.put("items", entries.stream().map(e -> view(e, false)).toList());
        return body;
    }

    @GET
    @Path("{id}")
    public Response show(@PathParam("id") String id) {
        return ledger.find(id).map(e -> Response.ok(view(e, true)).build()).orElse(notFound(id));
    }

    @POST
    @Path("{id}/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response replay(@PathParam("id") String id, ReplayRequest request) {
        Optional<Ledger.Entry> entry = ledger.find(id);
        if (entry.isEmpty()) {
            return notFound(id);
        }
        if (entry.get().state() != LedgerState.FAILED) {
            return problem(Response.Status.CONFLICT, id + " is " + entry.get().state() + ", not quarantined");
        }
        String reason = reason(request);
        try {
            acknowledger(entry.get()).replay(entry.get());
        } catch (UnsupportedOperationException e) {
            return problem(Response.Status.NOT_IMPLEMENTED, e.getMessage());
        } catch (Exception e) {
            return problem(Response.Status.CONFLICT, "cannot replay " + id + ": " + e.getMessage());
        }
        ledger.replayRequested(id, reason);
        LOG.infof("Replay of %s (%s from source %s) requested: %s", id, SafeNames.visible(entry.get().fileName()),
                entry.get().source(), SafeNames.visible(reason));
        return Response.accepted(Map.of("id", id, "replayed", true, "reason", reason)).build();
    }

    @POST
    @Path("replay")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> replayAll(ReplayRequest request) {
        String source = request == null ? null : request.source();
        List<String> replayed = new ArrayList<>();
        List<Map<String, String>> skipped = new ArrayList<>();
        List<Ledger.Entry> entries = source == null ? ledger.findByState(LedgerState.FAILED, 10_000, 0)
                : ledger.findByStateAndSource(LedgerState.FAILED, source, 10_000, 0);
        for (Ledger.Entry e : entries) {
            Response r = replay(e.id(), request);
            if (r.getStatus() == 202) {
                replayed.add(e.id());
            } else {
                skipped.add(Map.of("id", e.id(), "why", String.valueOf(((Map<?, ?>) r.getEntity()).get("error"))));
            }
        }
        return Map.of("replayed", replayed, "skipped", skipped);
    }

    @DELETE
    @Path("{id}")
    public Response discard(@PathParam("id") String id) {
        Optional<Ledger.Entry> entry = ledger.find(id);
        if (entry.isEmpty()) {
            return notFound(id);
        }
        if (entry.get().state() != LedgerState.FAILED) {
            return problem(Response.Status.CONFLICT, id + " is " + entry.get().state() + ", not quarantined");
        }
        try {
            acknowledger(entry.get()).discard(entry.get());
        } catch (UnsupportedOperationException e) {
            return problem(Response.Status.NOT_IMPLEMENTED, e.getMessage());
        } catch (Exception e) {
            return problem(Response.Status.CONFLICT, "cannot discard " + id + ": " + e.getMessage());
        }
        ledger.discarded(id);
        LOG.infof("Discarded quarantined %s (%s from source %s)", id, SafeNames.visible(entry.get().fileName()),
                entry.get().source());
        return Response.ok(Map.of("id", id, "discarded", true)).build();
    }

    private SourceAcknowledger acknowledger(Ledger.Entry entry) {
        return acknowledgers.forKind(entry.sourceKind());
    }

    private Map<String, Object> view(Ledger.Entry e, boolean detail) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id());
        v.put("source", e.source());
        v.put("kind", e.sourceKind());
        v.put("file", e.fileName());
        v.put("label", e.label());
        v.put("state", e.state());
        v.put("reason", e.lastError());
        v.put("fix", e.fix());
        v.put("documentId", e.documentId());
        v.put("fileId", e.fileId());
        v.put("attempts", e.attempts());
        v.put("payload", e.payloadRef());
        v.put("failedAt", e.updatedAt().toString());
        if (detail) {
            v.put("sha256", e.sha256());
            v.put("size", e.size());
            v.put("sourceKey", e.sourceKey());
            v.put("mapping", mapping(e.mapping()));
            v.put("receivedAt", e.createdAt().toString());
        }
        return v;
    }

    private JsonNode mapping(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String reason(ReplayRequest request) {
        return request == null || request.reason() == null || request.reason().isBlank() ? "(no reason given)"
                : request.reason().strip();
    }

    private static Response notFound(String id) {
        return problem(Response.Status.NOT_FOUND, "no ledger item " + id);
    }

    private static Response problem(Response.Status status, String message) {
        return Response.status(status).entity(Map.of("error", message)).build();
    }
}
