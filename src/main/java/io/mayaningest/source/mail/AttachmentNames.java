package io.mayaningest.source.mail;

import java.nio.file.Path;
import java.util.Locale;

import io.mayaningest.source.Spool;

/**
 * Attachment file names come from whoever sent the mail. They become a spool file name and the
 * document's file name in Mayan, so they are reduced to one harmless path segment: the last segment
 * of whatever path the sender wrote ({@code ../../etc/passwd} → {@code passwd},
 * {@code C:\x\y.pdf} → {@code y.pdf}), without control characters, without characters that are
 * reserved on common file systems, without leading dots (no hidden files, never {@code ..}), and
 * {@code attachment-<n>} when nothing is left.
 */
public final class AttachmentNames {

    /**
     * In UTF-8 bytes: the name goes to Mayan (label and file name hold 255 characters) and is shown to
     * people; the spool uses a shorter name of its own ({@link Spool#spoolName}).
     */
    static final int MAX_BYTES = Spool.MAX_NAME_BYTES;

    private AttachmentNames() {
    }

    public static String sanitise(String raw, int index) {
        String fallback = "attachment-" + index;
        if (raw == null) {
            return fallback;
        }
        String name = raw;
        int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (cut >= 0) {
            name = name.substring(cut + 1);
        }
        StringBuilder clean = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                    || cp == Character.LINE_SEPARATOR || cp == Character.PARAGRAPH_SEPARATOR) {
                return;
            }
            clean.appendCodePoint("<>:\"|?*".indexOf(cp) >= 0 ? '_' : cp);
        });
        name = clean.toString().strip();
        // No hidden files and never "." or "..": drop leading dots; trailing dots and blanks confuse Windows shares.
        name = name.replaceAll("^[.\\s]+", "").replaceAll("[.\\s]+$", "");
        if (name.isEmpty()) {
            return fallback;
        }
        return Spool.shorten(name, MAX_BYTES);
    }

    /**
     * The spool file of an attachment, checked to be inside the mail's spool folder: the last line of
     * defence should {@link #sanitise} ever let a separator through.
     */
    public static Path inside(Path folder, String fileName) {
        Path root = folder.toAbsolutePath().normalize();
        Path target = root.resolve(fileName).normalize();
        if (!target.startsWith(root) || target.equals(root) || !target.getParent().equals(root)) {
            throw new IllegalArgumentException("attachment name \"" + fileName + "\" would leave the spool folder " + root);
        }
        return target;
    }

    static boolean isMetadataAttachment(String name) {
        return name.toLowerCase(Locale.ROOT).equals("metadata.yaml");
    }
}
