package io.mayaningest.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The hand-written multipart reader on what clients really send, read in awkward pieces. */
class MultipartReaderTest {

    private static final String B = "----b0und4ry";

    /** Hands out at most a few bytes per read, so every boundary is split across reads somewhere. */
    private static InputStream trickle(byte[] bytes, long seed) {
        Random random = new Random(seed);
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    private record Read(String name, String fileName, byte[] content) {
    }

    private static List<Read> readAll(InputStream in) throws IOException {
        MultipartReader reader = new MultipartReader(in, B);
        List<Read> parts = new ArrayList<>();
        for (MultipartReader.Part p; (p = reader.next()) != null;) {
            parts.add(new Read(p.name(), p.fileName(), p.content().readAllBytes()));
        }
        return parts;
    }

    @Test
    void partsWithBoundaryLookalikesInTheirContentAreReadExactlyWhateverThePieces() throws IOException {
        byte[] file = new byte[200_000];
        new Random(3).nextBytes(file);
        // Content that almost is a delimiter: CRLF and dashes with part of the boundary, the boundary without its CRLF.
        byte[] tricky = ("x\r\n--" + B.substring(0, 8) + "\r\n-\r--" + B + " not at a line start\r\n-").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("preamble to skip\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\nÜber 4711\r\n"
                + "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Prüfbericht \\\"1\\\".pdf\"\r\n"
                + "Content-Type: application/pdf\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"tricky\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(tricky);
        body.writeBytes(("\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--" + B + "--\r\nepilogue")
                .getBytes(StandardCharsets.UTF_8));

        for (long seed = 0; seed < 5; seed++) {
            List<Read> parts = readAll(trickle(body.toByteArray(), seed));
            assertThat(parts).extracting(Read::name).containsExactly("label", "file", "tricky", "empty");
            assertThat(new String(parts.get(0).content(), StandardCharsets.UTF_8)).isEqualTo("Über 4711");
            assertThat(parts.get(1).fileName()).isEqualTo("Prüfbericht \"1\".pdf");
            assertThat(parts.get(1).content()).isEqualTo(file);
            assertThat(parts.get(2).content()).isEqualTo(tricky);
            assertThat(parts.get(3).content()).isEmpty();
        }
    }

    @Test
    void anRfc5987FileNameAndAnUnreadPartAreHandled() throws IOException {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.pdf\";"
                + " filename*=UTF-8''%E2%82%AC%20rechnung.pdf\r\n\r\nabc\r\n--" + B
                + "\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\na,b\r\n--" + B + "--";
        MultipartReader reader = new MultipartReader(trickle(body.getBytes(StandardCharsets.UTF_8), 9), B);
        MultipartReader.Part file = reader.next();
        assertThat(file.fileName()).isEqualTo("€ rechnung.pdf");
        // Not read: skipped by next().
        MultipartReader.Part tags = reader.next();
        assertThat(new String(tags.content().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a,b");
        assertThat(reader.next()).isNull();
    }

    @Test
    void aBodyThatEndsBeforeItsClosingBoundaryIsMalformed() {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\nhalf of it";
        assertThatThrownBy(() -> readAll(trickle(body.getBytes(StandardCharsets.UTF_8), 1)))
                .isInstanceOf(MultipartReader.Malformed.class).hasMessageContaining("closing boundary");
    }

    @Test
    void theBoundaryComesFromTheContentType() {
        assertThat(MultipartReader.boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk"))
                .isEqualTo("----WebKitFormBoundary7MA4YWxk");
        assertThat(MultipartReader.boundary("multipart/form-data; charset=utf-8; boundary=\"a b\"")).isEqualTo("a b");
        assertThat(MultipartReader.boundary("application/json")).isNull();
        assertThat(MultipartReader.boundary("multipart/form-data")).isNull();
    }
}
