package io.mayaningest.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming {@code multipart/form-data} parser.
 *
 * <p>File parts go straight to a temporary file while their SHA-256 is computed, through a fixed
 * 64 KiB window: the service under test uploads files of hundreds of MB and the test JVM runs with a
 * small heap, so no part is ever held in memory whole. Text parts are kept in memory up to Django's
 * {@code DATA_UPLOAD_MAX_MEMORY_SIZE} (2.5 MB).
 *
 * <p>It follows what Django's {@code MultiPartParser} accepts: CRLF (or bare LF) line ends, a preamble
 * before the first boundary, {@code filename="..."} with raw UTF-8 bytes, {@code filename*=UTF-8''...}
 * (RFC 2231/5987, which wins over {@code filename}), path segments stripped from file names, and a
 * part with an empty file name dropped entirely (so a field sent that way counts as "not submitted").
 */
final class Multipart {

    /** Django's DATA_UPLOAD_MAX_MEMORY_SIZE default. */
    static final int MAX_FIELD_BYTES = 2_621_440;
    private static final int MAX_HEADER_LINE = 16 * 1024;
    private static final int WINDOW = 64 * 1024;

    /** One uploaded file, already on disk. */
    record UploadedFile(String fieldName, String filename, String contentType, Path path, long size, String sha256) {
    }

    /** The parsed form: text fields and files, the last part winning for a repeated name (like QueryDict.get). */
    static final class Form {
        final Map<String, String> fields = new LinkedHashMap<>();
        final Map<String, UploadedFile> files = new LinkedHashMap<>();
    }

    /** The body is not valid multipart; DRF answers 400 "Multipart form parse error - ...". */
    static final class MalformedException extends IOException {
        MalformedException(String message) {
            super(message);
        }
    }

    private Multipart() {
    }

    /** The {@code boundary} parameter of a {@code multipart/form-data} Content-Type, or null. */
    static String boundary(String contentType) {
        if (contentType == null) {
            return null;
        }
        String boundary = headerParams(contentType).get("boundary");
        return boundary == null || boundary.isEmpty() ? null : boundary;
    }

    /**
     * Parses the whole body. On any failure the temporary files written so far are deleted.
     */
    static Form parse(InputStream in, String boundary, Path tempDir) throws IOException {
        return parse(in, boundary, tempDir, StandardCharsets.UTF_8);
    }

    /**
     * Like Django's MultiPartParser, field values and file names are decoded with the charset of the
     * request's {@code multipart/form-data} Content-Type (default UTF-8), whatever the parts say: a
     * client that announces {@code charset=ISO-8859-1} but sends UTF-8 gets mojibake in real Mayan
     * (seen with HttpClient 5.5, e2e/MAYAN-FINDINGS.md), and here too.
     */
    static Form parse(InputStream in, String boundary, Path tempDir, Charset requestCharset) throws IOException {
        Form form = new Form();
        List<Path> written = new ArrayList<>();
        try {
            parseInto(form, written, in, boundary, tempDir, requestCharset);
            return form;
        } catch (IOException | RuntimeException e) {
            for (Path p : written) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
    }

    private static void parseInto(Form form, List<Path> written, InputStream in, String boundary, Path tempDir,
            Charset requestCharset) throws IOException {
        // The virtual leading CRLF lets the first boundary be found with the same delimiter as the others.
        Window window = new Window(in, new byte[] {'\r', '\n'});
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        if (!window.copyUntil(delimiter, null)) {
            throw new MalformedException("Invalid boundary in multipart: None");
        }
        while (true) {
            String afterBoundary = window.readLine();
            if (afterBoundary == null || afterBoundary.startsWith("--")) {
                return; // closing delimiter (a missing epilogue CRLF is tolerated, as Django does)
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = window.readLine(); ; line = window.readLine()) {
                if (line == null) {
                    throw new MalformedException("Unexpected end of headers");
                }
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            Map<String, String> disposition = headerParams(headers.getOrDefault("content-disposition", ""));
            String name = disposition.get("name");
            String filename = fileName(disposition);
            if (filename != null && !requestCharset.equals(StandardCharsets.UTF_8)) {
                filename = new String(filename.getBytes(StandardCharsets.UTF_8), requestCharset);
            }
            if (name == null) {
                // Django skips parts without a name; their content still has to be consumed.
                requireDelimiter(window.copyUntil(delimiter, null));
            } else if (filename != null) {
                if (filename.isEmpty()) {
                    requireDelimiter(window.copyUntil(delimiter, null));
                    continue;
                }
                Path target = Files.createTempFile(tempDir, "upload-", ".bin");
                written.add(target);
                MessageDigest sha256 = sha256();
                try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(target), WINDOW), sha256)) {
                    requireDelimiter(window.copyUntil(delimiter, out));
                }
                UploadedFile previous = form.files.put(name, new UploadedFile(name, filename, headers.get("content-type"),
                        target, Files.size(target), HexFormat.of().formatHex(sha256.digest())));
                if (previous != null) {
                    Files.deleteIfExists(previous.path());
                }
            } else {
                LimitedBuffer value = new LimitedBuffer();
                requireDelimiter(window.copyUntil(delimiter, value));
                form.fields.put(name, value.toString(requestCharset));
            }
        }
    }

    private static void requireDelimiter(boolean found) throws MalformedException {
        if (!found) {
            throw new MalformedException("Unexpected end of multipart body: closing boundary not found");
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Charset charsetOf(String contentType) {
        if (contentType != null) {
            String charset = headerParams(contentType).get("charset");
            if (charset != null) {
                try {
                    return Charset.forName(charset);
                } catch (RuntimeException ignored) {
                    // fall through to UTF-8, Django's DEFAULT_CHARSET
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** The file name like Django computes it: {@code filename*} first, then {@code filename}, path stripped. */
    private static String fileName(Map<String, String> disposition) {
        String name = null;
        String extended = disposition.get("filename*");
        if (extended != null) {
            name = decodeRfc5987(extended);
        }
        if (name == null) {
            name = disposition.get("filename");
        }
        if (name == null) {
            return null;
        }
        // Django's sanitize_file_name: keep only the last path segment (old browsers sent full paths).
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        return ".".equals(name) || "..".equals(name) ? "" : name;
    }

    /** {@code charset'language'percent-encoded}; null when it cannot be decoded. */
    static String decodeRfc5987(String value) {
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0) {
            return null;
        }
        Charset charset;
        try {
            charset = Charset.forName(value.substring(0, first).trim());
        } catch (RuntimeException e) {
            return null;
        }
        String encoded = value.substring(second + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                try {
                    bytes.write(HexFormat.fromHexDigits(encoded, i + 1, i + 3));
                } catch (IllegalArgumentException e) {
                    return null;
                }
                i += 2;
            } else {
                bytes.write(c); // percent-decoding only: '+' stays '+', unlike form encoding
            }
        }
        return bytes.toString(charset);
    }

    /**
     * Parses {@code value; a=b; c="d"} into lower-case keys; the first element is stored under "".
     * Quoted strings are unescaped the way Django does ({@code \\} and {@code \"}).
     */
    static Map<String, String> headerParams(String header) {
        Map<String, String> params = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"' && (i == 0 || header.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        params.put("", parts.get(0).trim());
        for (String part : parts.subList(1, parts.size())) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\\\", "\\").replace("\\\"", "\"");
            }
            params.put(key, value);
        }
        return params;
    }

    /** Collects a text field, refusing more than {@link #MAX_FIELD_BYTES}. */
    private static final class LimitedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (bytes.size() + len > MAX_FIELD_BYTES) {
                throw new MalformedException("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.");
            }
            bytes.write(b, off, len);
        }

        String toString(Charset charset) {
            return bytes.toString(charset);
        }
    }

    /**
     * A sliding window over the body: finds the delimiter while forwarding everything before it, and
     * never holds more than {@link #WINDOW} bytes.
     */
    private static final class Window {
        private final InputStream in;
        private final byte[] buf = new byte[WINDOW];
        private int start;
        private int end;

        Window(InputStream in, byte[] prefix) {
            this.in = in;
            System.arraycopy(prefix, 0, buf, 0, prefix.length);
            end = prefix.length;
        }

        /** Reads more bytes after compacting; false at end of stream. */
        private boolean fill() throws IOException {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buf.length) {
                throw new MalformedException("Multipart header line too long");
            }
            int read = in.read(buf, end, buf.length - end);
            if (read < 0) {
                return false;
            }
            end += read;
            return true;
        }

        private int indexOf(byte[] needle, int from) {
            byte first = needle[0];
            outer:
            for (int i = from; i <= end - needle.length; i++) {
                if (buf[i] != first) {
                    continue;
                }
                for (int j = 1; j < needle.length; j++) {
                    if (buf[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        /**
         * Forwards bytes to {@code sink} (null discards them) up to the delimiter, and consumes it.
         * Returns false if the stream ends first.
         */
        boolean copyUntil(byte[] delimiter, OutputStream sink) throws IOException {
            int searchFrom = start;
            while (true) {
                int at = indexOf(delimiter, searchFrom);
                if (at >= 0) {
                    if (sink != null) {
                        sink.write(buf, start, at - start);
                    }
                    start = at + delimiter.length;
                    return true;
                }
                // Bytes that cannot be the start of a delimiter are safe to forward now.
                int safe = Math.max(start, end - delimiter.length + 1);
                if (sink != null && safe > start) {
                    sink.write(buf, start, safe - start);
                }
                start = safe;
                if (!fill()) {
                    return false;
                }
                searchFrom = start;
            }
        }

        /** One header line without its line end (UTF-8, so raw UTF-8 file names survive); null at end of stream. */
        String readLine() throws IOException {
            int searchFrom = start;
            while (true) {
                for (int i = searchFrom; i < end; i++) {
                    if (buf[i] == '\n') {
                        int lineEnd = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                        String line = new String(buf, start, lineEnd - start, StandardCharsets.UTF_8);
                        start = i + 1;
                        return line;
                    }
                }
                if (end - start > MAX_HEADER_LINE) {
                    throw new MalformedException("Multipart header line too long");
                }
                searchFrom = end - start; // offset relative to start; fill() moves start to 0
                if (!fill()) {
                    if (start == end) {
                        return null;
                    }
                    String rest = new String(buf, start, end - start, StandardCharsets.UTF_8);
                    start = end;
                    return rest;
                }
            }
        }
    }
}
