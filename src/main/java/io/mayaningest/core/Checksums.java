package io.mayaningest.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the checksum Mayan computes for every file (mayan-api.md §5) and the one the ledger and the
 * duplicate policy compare. The one place the service makes a digest: sources hash while they spool,
 * the pipeline re-reads a payload to see that it has not changed.
 */
public final class Checksums {

    private Checksums() {
    }

    /** A fresh digest, to feed while a stream is copied (so a document is read once, never held). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The hex SHA-256 of a file, read as a stream. */
    public static String sha256(Path path) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return hex(digest);
    }

    /** The hex SHA-256 of a short text (a key, not a document). */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
