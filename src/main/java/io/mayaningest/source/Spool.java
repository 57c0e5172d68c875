package io.mayaningest.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The claim check of remote payloads (design.md, principle 4): a stream is copied to a local file in
 * 64 KiB chunks, its SHA-256 computed on the way, so the pipeline (and every retry of it) reads a
 * local file and the payload is never held in memory.
 */
public final class Spool {

    public record Spooled(Path path, long size, String sha256) {
    }

    /** Writes more than the limit: the copy stops there (the caller quarantines the item). */
    public static class TooLarge extends IOException {
        public TooLarge(long limit) {
            super("larger than " + limit + " bytes");
        }
    }

    private Spool() {
    }

    /** Copies {@code in} to {@code target}; {@code limit} 0 means no limit. */
    public static Spooled copy(InputStream in, Path target, long limit) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int n; (n = in.read(buffer)) != -1;) {
                size += n;
                if (limit > 0 && size > limit) {
                    throw new TooLarge(limit);
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return new Spooled(target, size, HexFormat.of().formatHex(digest.digest()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes a spool directory and what is in it; a missing one is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
