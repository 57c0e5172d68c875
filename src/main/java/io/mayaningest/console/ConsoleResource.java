package io.mayaningest.console;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.source.SourceHealth;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import io.mayaningest.mayan.MayanGate;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import io.mayaningest.cluster.ClusterRoutes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The operator console's JSON API, also usable on its own: what each source is doing and what
 * happened to each item, read from the ledger. Authenticated like every JAX-RS resource of the
 * service ({@link io.mayaningest.operator.JaxRsGuard}, {@link io.mayaningest.operator.OperatorAuth}).
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleResource {

    /** Recent items the console pages through: the last 200 by default, at most 500 a page. */
    static final int MAX_PAGE = 500;

    private final Ledger ledger;
    private final SourceHealth health;
    private final MayanGate gate;
    private final IngestConfig config;
    private final String mayanUrl;
    private final ClusterRoutes cluster;

    public ConsoleResource(Ledger ledger, SourceHealth health, MayanGate gate, IngestConfig config, MayanClient mayan,
            ClusterRoutes cluster) {
        this.cluster = cluster;
        this.ledger = ledger;
        this.health = health;
        this.gate = gate;
        this.config = config;
        // The client's base URL: trailing slashes and any user info of mayan.url already cut off.
        this.mayanUrl = mayan.baseUrl();
    }

    @GET
    @Path("items")
    public Response items(@QueryParam("source") String source, @QueryParam("state") String state,
            @QueryParam("q") String q, @QueryParam("limit") @DefaultValue("200") int limit,
            @QueryParam("offset") @DefaultValue("0") int offset) {
        LedgerState wanted = null;
        if (blank(state) == null) {
            wanted = null;
        } else {
            try {
                wanted = LedgerState.valueOf(state.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Response.status(400).entity(Map.of("error", "unknown state '" + state + "'; use one of "
                        + java.util.Arrays.toString(LedgerState.values()))).build();
            }
        }
        int size = Math.max(1, Math.min(limit, MAX_PAGE));
        int from = Math.max(0, offset);
        String s = blank(source);
        String text = blank(q);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", ledger.countSearch(s, wanted, text));
        body.put("limit", size);
        body.put("offset", from);
        body.put("items", ledger.search(s, wanted, text, size, from).stream().map(this::view).toList());
        return Response.ok(body).build();
    }

    @GET
    @Path("sources")
    public Map<String, Object> sources() {
        Instant midnight = LocalDate.now(ZoneId.systemDefault()).atStartOfDay(ZoneId.systemDefault()).toInstant();
        Map<String, long[]> today = ledger.countsSince(midnight);
        Map<String, Instant> oldest = ledger.oldestWaiting();
        MayanGate.State mayan = gate.state();
        Map<String, Boolean> leading = cluster.leading();
        List<Map<String, Object>> sources = new ArrayList<>();
        for (Map.Entry<String, IngestConfig.SourceConfig> e : new java.util.TreeMap<>(config.sources()).entrySet()) {
            String name = e.getKey();
            SourceHealth.Status status = health.status(name);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", name);
            v.put("kind", e.getValue().kind());
            if (status != null && !status.up()) {
                v.put("state", "down");
                v.put("reason", status.reason());
                v.put("fix", status.fix());
                v.put("since", status.since().toString());
            } else if (!mayan.open()) {
                v.put("state", "paused");
                v.put("reason", "Mayan is unreachable: " + mayan.reason());
                v.put("fix", mayan.fix());
                v.put("since", mayan.since().toString());
            } else if (Boolean.FALSE.equals(leading.get(name))) {
                // leader-only on a cluster: another replica reads it; this one takes over if that one goes.
                v.put("state", "standby");
                v.put("reason", "another replica is this source's leader (leader-only); this one takes over if it goes");
            } else {
                v.put("state", "running");
            }
            // SourceHealth stamps each successful poll of the sources that report one (remote ones).
            Instant lastPoll = health.lastPoll(name);
            v.put("lastPoll", lastPoll == null ? null : lastPoll.toString());
            long[] counts = today.getOrDefault(name, new long[3]);
            v.put("today", Map.of("ingested", counts[0], "skipped", counts[1], "failed", counts[2]));
            Instant waiting = oldest.get(name);
            v.put("oldestWaiting", waiting == null ? null : waiting.toString());
            v.put("oldestWaitingSeconds", waiting == null ? null : Math.max(0, Instant.now().getEpochSecond() - waiting.getEpochSecond()));
            sources.add(v);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", mayanUrl);
        m.put("reachable", mayan.open());
        m.put("reason", mayan.reason());
        m.put("fix", mayan.fix());
        m.put("version", mayan.version());
        body.put("mayan", m);
        body.put("quarantined", ledger.count(LedgerState.FAILED));
        body.put("sources", sources);
        return body;
    }

    /** Mayan's web UI (a single-page app) shows a document at this fragment. */
    String documentLink(Long documentId) {
        return documentId == null ? null : mayanUrl + "/#/documents/documents/" + documentId + "/preview/";
    }

    private Map<String, Object> view(Ledger.Entry e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id());
        v.put("source", e.source());
        v.put("kind", e.sourceKind());
        v.put("file", e.fileName());
        v.put("label", e.label());
        v.put("state", e.state());
        v.put("duplicateOf", e.duplicateOf());
        v.put("documentId", e.documentId());
        v.put("documentUrl", documentLink(e.documentId()));
        v.put("fileId", e.fileId());
        v.put("reason", e.lastError());
        v.put("fix", e.fix());
        v.put("attempts", e.attempts());
        Map<String, Object> times = new LinkedHashMap<>();
        times.put("received", e.createdAt().toString());
        times.put("uploading", e.uploadingAt() == null ? null : e.uploadingAt().toString());
        times.put("acknowledged", e.acknowledgedAt() == null ? null : e.acknowledgedAt().toString());
        times.put("updated", e.updatedAt().toString());
        v.put("times", times);
        return v;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
