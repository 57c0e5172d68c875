package io.mayaningest.source.mail;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Attachment file names come from whoever sent the mail. They become a spool file name and the
 * document's file name in Mayan, so they are reduced to one harmless path segment: the last segment
 * of whatever path the sender wrote ({@code ../../etc/passwd} → {@code passwd},
 * {@code C:\x\y.pdf} → {@code y.pdf}), without control characters, without characters that are
 * reserved on common file systems, without leading dots (no hidden files, never {@code ..}), and
 * {@code attachment-<n>} when nothing is left.
 */
public final class AttachmentNames {

    /** Generous for any file system (255 bytes) even with the spool's index prefix and UTF-8. */
    static final int MAX_LENGTH = 120;

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
        if (name.length() > MAX_LENGTH) {
            int dot = name.lastIndexOf('.');
            String ext = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
            name = name.substring(0, MAX_LENGTH - ext.length()) + ext;
        }
        return name;
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
