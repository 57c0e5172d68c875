package io.mayaningest.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * One API request: query parameters, path parameters, the authenticated user and the parsed body,
 * plus DRF-like field readers that collect errors into one 400 body, the way a serializer does.
 */
final class ApiRequest {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpExchange exchange;
    final String method;
    final String rawPath;
    final String rawQuery;
    final Map<String, List<String>> query;
    /** The user name, or null for an anonymous request. */
    String user;
    Matcher pathParams;

    private final Path tempDir;
    private Body body;

    ApiRequest(HttpExchange exchange, Path tempDir) {
        this.exchange = exchange;
        this.tempDir = tempDir;
        this.method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        this.rawPath = exchange.getRequestURI().getRawPath();
        this.rawQuery = exchange.getRequestURI().getRawQuery();
        this.query = parseQuery(rawQuery);
    }

    /** {@code path?query}, raw, as recorded. */
    String target() {
        return rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
    }

    /** Scheme and authority from the Host header, as Django's build_absolute_uri() uses them (§2). */
    String origin() {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null || host.isBlank()) {
            host = exchange.getLocalAddress().getHostString() + ":" + exchange.getLocalAddress().getPort();
        }
        return "http://" + host;
    }

    /** Absolute URL of the API root, e.g. {@code http://127.0.0.1:1234/api/v4}, for serializer URLs. */
    String api() {
        return origin() + FakeMayan.API_PREFIX;
    }

    String absoluteUri() {
        return origin() + target();
    }

    /** The last value of a query parameter, like Django's {@code QueryDict.get}. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    long pathId(String group) {
        return Long.parseLong(pathParams.group(group));
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return result;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            result.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return result;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Reads what is left of the body so the connection stays usable after an early answer. */
    void drain() {
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the client is gone; nothing to keep usable
        }
    }

    /** The parsed body (JSON, urlencoded or multipart, as DRF's default parsers accept). */
    Body body() throws IOException {
        if (body == null) {
            body = parseBody();
        }
        return body;
    }

    /** Deletes uploaded temporary files that no handler took ownership of. */
    void cleanup() {
        if (body != null) {
            for (Multipart.UploadedFile file : body.files.values()) {
                try {
                    Files.deleteIfExists(file.path());
                } catch (IOException ignored) {
                    // best effort; close() removes the whole directory anyway
                }
            }
            body.files.clear();
        }
    }

    private Body parseBody() throws IOException {
        String contentType = header("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        Body parsed = new Body();
        try (InputStream in = exchange.getRequestBody()) {
            if (mediaType.equals("multipart/form-data")) {
                String boundary = Multipart.boundary(contentType);
                if (boundary == null) {
                    throw MayanError.detail(400, "Multipart form parse error - Invalid boundary in multipart: None");
                }
                try {
                    Multipart.Form form = Multipart.parse(in, boundary, tempDir, Multipart.charsetOf(contentType));
                    form.fields.forEach(parsed.data::put);
                    parsed.files.putAll(form.files);
                } catch (Multipart.MalformedException e) {
                    throw MayanError.detail(400, "Multipart form parse error - " + e.getMessage());
                }
                return parsed;
            }
            byte[] bytes = in.readNBytes(Multipart.MAX_FIELD_BYTES + 1);
            if (bytes.length > Multipart.MAX_FIELD_BYTES) {
                throw MayanError.detail(400, "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.");
            }
            if (bytes.length == 0 && mediaType.isEmpty()) {
                return parsed;
            }
            switch (mediaType) {
                case "application/json" -> {
                    JsonNode node;
                    try {
                        node = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw MayanError.detail(400, "JSON parse error - " + e.getOriginalMessage());
                    }
                    if (!(node instanceof ObjectNode object)) {
                        // A list or scalar body fails the serializer's "must be a dict" check.
                        throw MayanError.nonField("Invalid data. Expected a dictionary, but got "
                                + (node.isArray() ? "list" : "str") + ".");
                    }
                    parsed.data.setAll(object);
                }
                case "application/x-www-form-urlencoded" ->
                        parseQuery(new String(bytes, StandardCharsets.US_ASCII)).forEach(
                                (k, v) -> parsed.data.put(k, v.get(v.size() - 1)));
                default -> throw MayanError.detail(415, "Unsupported media type \"" + contentType + "\" in request.");
            }
        }
        return parsed;
    }

    /** A request body: scalar fields (JSON values or form strings) and uploaded files. */
    static final class Body {
        final ObjectNode data = JSON.createObjectNode();
        final Map<String, Multipart.UploadedFile> files = new LinkedHashMap<>();

        boolean has(String field) {
            return data.has(field);
        }

        /** The value as text; null when absent or JSON null. */
        String text(String field) {
            JsonNode node = data.get(field);
            return node == null || node.isNull() ? null : node.isValueNode() ? node.asText() : node.toString();
        }

        /** Takes ownership of an uploaded file: the caller must keep or delete it. */
        Multipart.UploadedFile takeFile(String field) {
            return files.remove(field);
        }
    }

    /** Accumulates field errors like a DRF serializer, so one 400 lists every bad field. */
    static final class Errors {
        final ObjectNode body = JSON.createObjectNode();

        void add(String field, String message) {
            if (!body.has(field)) {
                body.putArray(field);
            }
            ((com.fasterxml.jackson.databind.node.ArrayNode) body.get(field)).add(message);
        }

        boolean has(String field) {
            return body.has(field);
        }

        void throwIfAny() {
            if (!body.isEmpty()) {
                throw MayanError.fields(body);
            }
        }

        /** DRF CharField: required / not blank / max length. */
        String text(Body in, String field, boolean required, boolean allowBlank, int maxLength) {
            String value = in.text(field);
            if (value == null) {
                if (required) {
                    add(field, in.has(field) ? "This field may not be null." : "This field is required.");
                }
                return null;
            }
            if (value.isEmpty() && !allowBlank) {
                add(field, "This field may not be blank.");
                return null;
            }
            if (maxLength > 0 && value.length() > maxLength) {
                add(field, "Ensure this field has no more than " + maxLength + " characters.");
                return null;
            }
            return value;
        }

        /** DRF IntegerField. */
        Long integer(Body in, String field, boolean required) {
            String value = in.text(field);
            if (value == null) {
                if (required) {
                    add(field, "This field is required.");
                }
                return null;
            }
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                add(field, "A valid integer is required.");
                return null;
            }
        }

        /**
         * DRF PrimaryKeyRelatedField, first half: the raw pk. The existence check needs the store, see
         * {@link #invalidPk}.
         */
        Long pk(Body in, String field, boolean required) {
            JsonNode node = in.data.get(field);
            if (node == null || node.isNull()) {
                if (required) {
                    add(field, node == null ? "This field is required." : "This field may not be null.");
                }
                return null;
            }
            if (node.isIntegralNumber()) {
                return node.asLong();
            }
            if (node.isTextual()) {
                try {
                    return Long.parseLong(node.asText().trim());
                } catch (NumberFormatException e) {
                    // Django's pk lookup raises ValueError, which DRF reports as "incorrect type".
                    add(field, "Incorrect type. Expected pk value, received str.");
                    return null;
                }
            }
            add(field, "Incorrect type. Expected pk value, received " + pythonType(node) + ".");
            return null;
        }

        void invalidPk(String field, Object pk) {
            add(field, "Invalid pk \"" + pk + "\" - object does not exist.");
        }

        /** DRF BooleanField. */
        Boolean bool(Body in, String field, boolean defaultValue) {
            JsonNode node = in.data.get(field);
            if (node == null) {
                return defaultValue;
            }
            if (node.isBoolean()) {
                return node.asBoolean();
            }
            String text = node.asText().trim().toLowerCase(Locale.ROOT);
            switch (text) {
                case "true", "1", "yes", "y", "t", "on":
                    return true;
                case "false", "0", "no", "n", "f", "off":
                    return false;
                default:
                    add(field, "Must be a valid boolean.");
                    return null;
            }
        }

        private static String pythonType(JsonNode node) {
            if (node.isBoolean()) {
                return "bool";
            }
            if (node.isNumber()) {
                return "float";
            }
            if (node.isArray()) {
                return "list";
            }
            return node.isObject() ? "dict" : "str";
        }
    }
}
