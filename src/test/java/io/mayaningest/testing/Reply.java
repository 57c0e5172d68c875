package io.mayaningest.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link FakeMayan} sends back: a status, an optional JSON body and extra headers.
 * A {@code null} body means an empty body without {@code Content-Type}, which is what DRF sends for
 * {@code Response(status=...)} without data (it deletes the header when the rendered content is empty).
 */
record Reply(int status, JsonNode body, Map<String, String> headers, String rawBody, String rawContentType) {

    static Reply json(int status, JsonNode body) {
        return new Reply(status, body, new LinkedHashMap<>(), null, null);
    }

    static Reply ok(JsonNode body) {
        return json(200, body);
    }

    /** 201 with {@code Location}: DRF's {@code CreateModelMixin} copies the body's {@code url} there. */
    static Reply created(JsonNode body) {
        Reply reply = json(201, body);
        if (body.hasNonNull("url")) {
            reply.headers.put("Location", body.get("url").asText());
        }
        return reply;
    }

    static Reply empty(int status) {
        return new Reply(status, null, new LinkedHashMap<>(), null, null);
    }

    /** A non-JSON body (Django's HTML 500 page, the token view's browsable HTML). */
    static Reply raw(int status, String contentType, String body) {
        return new Reply(status, null, new LinkedHashMap<>(), body, contentType);
    }

    Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
