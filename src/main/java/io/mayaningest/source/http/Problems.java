package io.mayaningest.source.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.pipeline.Resolver.Problem;
import jakarta.ws.rs.core.Response;

/**
 * The upload API's errors as RFC 9457 problem details ({@code application/problem+json}): {@code type},
 * {@code title}, {@code status}, {@code detail}, {@code instance}, plus {@code fix} (what to do) and,
 * for a request that cannot be ingested as sent, {@code errors}: every problem with its field, reason and fix.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "urn:mayan-ingest:problem:";

    private Problems() {
    }

    static Map<String, Object> problem(String type, String title, int status, String detail, String fix, String instance) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", TYPE_PREFIX + type);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        if (fix != null) {
            p.put("fix", fix);
        }
        p.put("instance", instance);
        return p;
    }

    static Map<String, Object> auth(UploadAuth.Decision decision, String instance) {
        return switch (decision.status()) {
            case 401 -> problem("unauthenticated", "Credentials of an API client are required", 401,
                    decision.reason(), decision.fix(), instance);
            case 403 -> problem("forbidden", "This API client may not upload to this source", 403,
                    decision.reason(), decision.fix(), instance);
            default -> problem("no-such-source", "No such upload source", decision.status(), decision.reason(),
                    decision.fix(), instance);
        };
    }

    /** 422: everything wrong with the request, each problem on its own. */
    static Map<String, Object> invalid(List<Problem> problems, String instance) {
        Map<String, Object> p = problem("invalid-upload", "The upload cannot be ingested as sent", 422,
                problems.size() == 1 ? problems.get(0).reason()
                        : problems.size() + " problems: " + String.join("; ", problems.stream().map(Problem::reason).toList()),
                "correct every field listed in errors and send the request again; nothing was stored in Mayan",
                instance);
        p.put("errors", problems.stream().map(x -> {
            Map<String, String> e = new LinkedHashMap<>();
            e.put("field", x.field());
            e.put("reason", x.reason());
            e.put("fix", x.fix());
            return e;
        }).toList());
        return p;
    }

    /** The entity stays a map: Quarkus REST writes it with Quarkus' ObjectMapper (application/*+json is JSON to it). */
    static Response response(Map<String, Object> problem) {
        return Response.status((Integer) problem.get("status")).type(MEDIA_TYPE).entity(problem).build();
    }

    /** For answers written outside JAX-RS (the Vert.x route filter of {@link UploadAuth}). */
    static String json(ObjectMapper json, Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
