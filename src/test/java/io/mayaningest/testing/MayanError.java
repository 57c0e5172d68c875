package io.mayaningest.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answer, thrown from anywhere in request handling and turned into a {@link Reply}.
 * The factory methods produce the body shapes of mayan-api.md §10.
 */
final class MayanError extends RuntimeException {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    final transient Reply reply;

    private MayanError(Reply reply) {
        super(null, null, false, false);
        this.reply = reply;
    }

    static MayanError of(Reply reply) {
        return new MayanError(reply);
    }

    /** {@code {"detail": "..."}}, DRF's shape for exceptions that are not validation errors. */
    static MayanError detail(int status, String message) {
        ObjectNode body = NODES.objectNode();
        body.put("detail", message);
        return new MayanError(Reply.json(status, body));
    }

    /** 404 as raised by {@code get_object_or_404}; DRF ≥ 3.15 keeps Django's message (§10). */
    static MayanError notFound(String model) {
        return detail(404, "No " + model + " matches the given query.");
    }

    /** 400 {@code {"<field>": ["..."]}}. */
    static MayanError field(String field, String message) {
        ObjectNode body = NODES.objectNode();
        body.putArray(field).add(message);
        return new MayanError(Reply.json(400, body));
    }

    static MayanError fields(ObjectNode errors) {
        return new MayanError(Reply.json(400, errors));
    }

    /** 400 {@code {"non_field_errors": ["..."]}}: a check in a serializer's {@code validate()} (§8). */
    static MayanError nonField(String message) {
        return field("non_field_errors", message);
    }

    /**
     * 400 {@code {"non_field_errors": ["{'__all__': ['...']}"]}}: a model's full_clean() error raised
     * inside the serializer's validate(). Real 4.12.2 sends the Python repr of the error dict as the
     * message (e2e/MAYAN-FINDINGS.md, Metadata).
     */
    static MayanError modelValidation(String message) {
        String quote = message.contains("'") ? "\"" : "'";
        return nonField("{'__all__': [" + quote + message + quote + "]}");
    }

    /** 400 with a bare JSON list: a Django ValidationError from a model's save(), via mayan_exception_handler (§8, §10). */
    static MayanError bareList(String message) {
        ArrayNode body = NODES.arrayNode();
        body.add(message);
        return new MayanError(Reply.json(400, body));
    }

    /** A crash inside Mayan: Django's generic HTML 500 page (DEBUG off), not JSON. */
    static MayanError serverError() {
        return new MayanError(Reply.raw(500, "text/html; charset=utf-8", "\n<!doctype html>\n<html lang=\"en\">"
                + "<head><title>Server Error (500)</title></head><body><h1>Server Error (500)</h1><p></p></body></html>\n"));
    }
}
