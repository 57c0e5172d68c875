package io.mayaningest.source;

import io.mayaningest.core.Checksums;

import io.mayaningest.core.SafeNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
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

    /**
     * The longest file name most file systems take (ext4, XFS, btrfs, ZFS: 255 bytes; NTFS and APFS:
     * 255 UTF-16 units or UTF-8 bytes). Counted in UTF-8 bytes, because "文" is one character but three
     * bytes, and a name that is short in characters can still be refused with "File name too long".
     * It is also the size of Mayan's label and file name fields (255 characters).
     */
    public static final int MAX_NAME_BYTES = SafeNames.MAX_NAME_BYTES;
    /**
     * A spool file's name: short enough that a prefix ({@code 3-}) and {@code .error.json} still fit
     * in {@link #MAX_NAME_BYTES}, on any file system. The full name travels in the request, not here.
     */
    public static final int SPOOL_NAME_BYTES = 100;
    private static final int MAX_EXTENSION_BYTES = 16;

    /** A spooled file could not be written (as opposed to the source failing while it was read). */
    public static class WriteFailed extends IOException {
        private final Path target;

        public WriteFailed(Path target, IOException cause) {
            super(cause.toString(), cause);
            this.target = target;
        }

        public Path target() {
            return target;
        }

        /** The file system is full (or a quota is used up): freeing space fixes it, so it is worth retrying. */
        public boolean isOutOfSpace() {
            return Spool.isOutOfSpace(getCause());
        }
    }

    private Spool() {
    }

    /**
     * {@code name} cut to at most {@code maxBytes} UTF-8 bytes, on a character boundary, keeping its
     * extension (up to 16 bytes) so that Mayan still recognises the type.
     */
    public static String shorten(String name, int maxBytes) {
        if (utf8Length(name) <= maxBytes) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 && utf8Length(name.substring(dot)) <= MAX_EXTENSION_BYTES ? name.substring(dot) : "";
        String base = ext.isEmpty() ? name : name.substring(0, dot);
        return SafeNames.prefixWithin(base, maxBytes - utf8Length(ext)).strip() + ext;
    }

    /** The name a payload is spooled under: the original, shortened to {@link #SPOOL_NAME_BYTES}. */
    public static String spoolName(String name) {
        return shorten(name, SPOOL_NAME_BYTES);
    }

    static int utf8Length(String s) {
        return SafeNames.utf8Length(s);
    }

    /**
     * ENOSPC ("No space left on device") or EDQUOT ("Disk quota exceeded"): Java reports both only as
     * an IOException's message, so the message is what can be checked.
     */
    static boolean isOutOfSpace(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(java.util.Locale.ROOT);
            if (m.contains("no space left") || m.contains("quota exceeded") || m.contains("not enough space")) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a failed spool write means for the item: a full disk is transient (the source keeps the
     * payload and offers it again once there is space); anything else (a name or path the file system
     * refuses, a permission, a read-only file system) does not get better by retrying, so it is
     * permanent and the payload goes where the source keeps failed items.
     */
    public static io.mayaningest.core.IngestException failure(WriteFailed e, String what, String keptWhere) {
        Path dir = e.target().getParent();
        if (e.isOutOfSpace()) {
            return io.mayaningest.core.IngestException.transientFailure("the spool folder " + dir
                    + " is full: " + what + " could not be written (" + e.getCause().getMessage() + ")",
                    "free space on the file system of " + dir + " (ingest.data-dir or the source's spool-path);"
                            + " the item is tried again and nothing is lost meanwhile", e);
        }
        return io.mayaningest.core.IngestException.permanent(what + " could not be written to the spool folder "
                + dir + ": " + e.getCause(),
                "check that the service may write to " + dir + " (ingest.data-dir or the source's spool-path); "
                        + keptWhere, e);
    }

    /** Copies {@code in} to {@code target}; {@code limit} 0 means no limit. */
    public static Spooled copy(InputStream in, Path target, long limit) throws IOException {
        MessageDigest digest = Checksums.sha256();
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        try (OutputStream out = open(target)) {
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

    /**
     * Creates the spool file (and its folder). Every failure to create, write or close it is a
     * {@link WriteFailed}, so a caller can tell a spool problem from the source failing while it is read
     * (a dropped IMAP connection, a broker gone), which is only ever transient.
     */
    public static OutputStream open(Path target) throws WriteFailed {
        OutputStream file;
        try {
            Files.createDirectories(target.getParent());
            file = Files.newOutputStream(target);
        } catch (IOException e) {
            throw new WriteFailed(target, e);
        }
        return new java.io.FilterOutputStream(file) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw new WriteFailed(target, e);
                }
            }

            @Override
            public void write(int b) throws IOException {
                try {
                    out.write(b);
                } catch (IOException e) {
                    throw new WriteFailed(target, e);
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    out.close();
                } catch (IOException e) {
                    throw new WriteFailed(target, e);
                }
            }
        };
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
