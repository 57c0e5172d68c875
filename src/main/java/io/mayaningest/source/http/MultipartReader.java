package io.mayaningest.source.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578) part by part from the request stream: each
 * part's content is a stream that ends at the next boundary, so a 1 GiB file goes straight to the
 * spool through a 64 KiB buffer and its size can be checked while it is read.
 * <p>
 * Hand-written because what Quarkus gives does not fit: Quarkus REST's multipart support
 * ({@code @RestForm FileUpload}) first writes the whole body to {@code quarkus.http.body.uploads-directory}
 * under the one global {@code quarkus.http.limits.max-body-size}, before the resource method runs. The
 * upload API needs the source's own {@code max-file-size} enforced while the bytes arrive, the file
 * written once (to the source's spool, SHA-256 on the way), and an answer (a closed Mayan gate, a
 * refused size) before the body is taken. Camel's platform-http buffers attachments the same way.
 */
final class MultipartReader {

    /** The headers of one part are small; more is not a form a client meant to send. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** The part being read: its form field name, file name (if it is a file) and content type. */
    record Part(String name, String fileName, String contentType, InputStream content) {
    }

    /** The body is not the multipart form it says it is. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    private final InputStream in;
    /** CRLF, "--" and the boundary: what ends a part (RFC 2046 §5.1.1). */
    private final byte[] delimiter;
    private final byte[] buf = new byte[64 * 1024 + 256];
    private int pos;
    private int end;
    private boolean eof;
    private boolean finished;
    private PartStream current;

    MultipartReader(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The first boundary has no CRLF before it (unless a preamble does): one is put in front so that
        // every boundary looks the same, and whatever comes before the first one is skipped as preamble.
        buf[0] = '\r';
        buf[1] = '\n';
        end = 2;
        current = new PartStream();
    }

    /** The boundary parameter of a {@code multipart/form-data} content type, or null. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        String boundary = parameters(contentType).get("boundary");
        return boundary == null || boundary.isEmpty() || boundary.length() > 200 ? null : boundary;
    }

    /**
     * The next part, or null after the last one. The previous part's content is skipped if it was not
     * read to its end.
     */
    Part next() throws IOException {
        if (finished) {
            return null;
        }
        current.skipRest();
        // After a delimiter: "--" closes the body; else optional white space and CRLF, then the headers.
        ensure(2);
        if (end - pos >= 2 && buf[pos] == '-' && buf[pos + 1] == '-') {
            finished = true;
            return null;
        }
        String line = readLine();
        if (!line.isBlank()) {
            throw new Malformed("unexpected text after a multipart boundary");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = 0;
        for (String header; !(header = readLine()).isEmpty();) {
            headerBytes += header.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new Malformed("the headers of a multipart part are longer than " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
            }
        }
        String disposition = headers.get("content-disposition");
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw new Malformed("a multipart part has no Content-Disposition: form-data header");
        }
        Map<String, String> params = parameters(disposition);
        String fileName = params.containsKey("filename*") ? extendedValue(params.get("filename*")) : params.get("filename");
        current = new PartStream();
        return new Part(params.get("name"), fileName, headers.get("content-type"), current);
    }

    /** One header line (CRLF removed), read as UTF-8: browsers and requests send non-ASCII file names so. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            ensure(1);
            if (end - pos == 0) {
                throw new Malformed("the multipart body ended inside a part's headers");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
            if (line.size() > MAX_HEADER_BYTES) {
                throw new Malformed("a multipart header line is longer than " + MAX_HEADER_BYTES + " bytes");
            }
        }
    }

    /** At least {@code n} bytes buffered, unless the body ends first. */
    private void ensure(int n) throws IOException {
        while (end - pos < n && !eof) {
            fill();
        }
    }

    /** Moves what is left to the front and reads once more from the request. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    /** Where the delimiter starts in the buffered bytes, or -1. */
    private int indexOfDelimiter() {
        byte first = delimiter[0];
        int last = end - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A part's content: the bytes up to the next delimiter, which it consumes at its end. */
    private final class PartStream extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                // Read more while less than half the buffer is there: fewer, larger reads from the request.
                if (!eof && end - pos < buf.length / 2) {
                    fill();
                }
                int at = indexOfDelimiter();
                if (at == pos) {
                    pos += delimiter.length;
                    done = true;
                    return -1;
                }
                // Without a delimiter in sight, the last delimiter-length - 1 bytes may be the start of one.
                int available = at >= 0 ? at - pos : end - pos - (delimiter.length - 1);
                if (available > 0) {
                    int n = Math.min(len, available);
                    System.arraycopy(buf, pos, b, off, n);
                    pos += n;
                    return n;
                }
                if (eof) {
                    throw new Malformed("the multipart body ended before its closing boundary (an interrupted upload?)");
                }
                fill();
            }
        }

        void skipRest() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // drained
            }
        }
    }

    /** Parameters of a header value ({@code form-data; name="file"; filename="a b.pdf"}), names in lower case. */
    static Map<String, String> parameters(String value) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = value.indexOf(';');
        while (i >= 0 && i < value.length()) {
            i++;
            while (i < value.length() && value.charAt(i) == ' ') {
                i++;
            }
            int eq = value.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = value.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            int j = eq + 1;
            StringBuilder v = new StringBuilder();
            if (j < value.length() && value.charAt(j) == '"') {
                j++;
                while (j < value.length() && value.charAt(j) != '"') {
                    // Browsers do not escape (they percent-encode '"'); a backslash escapes only a quote or itself.
                    if (value.charAt(j) == '\\' && j + 1 < value.length()
                            && (value.charAt(j + 1) == '"' || value.charAt(j + 1) == '\\')) {
                        j++;
                    }
                    v.append(value.charAt(j++));
                }
                j = value.indexOf(';', j);
            } else {
                int semi = value.indexOf(';', j);
                v.append(value, j, semi < 0 ? value.length() : semi);
                j = semi;
            }
            params.putIfAbsent(name, name.equals("boundary") || name.equals("filename") ? v.toString() : v.toString().strip());
            i = j;
        }
        return params;
    }

    /** RFC 5987 {@code UTF-8''a%20b.pdf}. */
    private static String extendedValue(String value) {
        int quote = value.indexOf("''");
        if (quote < 0) {
            return value;
        }
        try {
            String charset = value.substring(0, quote);
            return URLDecoder.decode(value.substring(quote + 2).replace("+", "%2B"),
                    charset.isEmpty() ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(charset));
        } catch (RuntimeException e) {
            return value;
        }
    }
}
