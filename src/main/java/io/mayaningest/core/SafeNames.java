package io.mayaningest.core;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * File names that come from elsewhere (a remote server's listing, a JMS property) made safe to use as
 * a local file name and as the name Mayan shows: no directories, no control characters, not empty,
 * not {@code .} or {@code ..}, at most 200 bytes in UTF-8 (the extension kept).
 */
public final class SafeNames {

    /** C0 and C1 controls (U+0085, NEXT LINE, is one) and the Unicode line and paragraph separators. */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u2028\\u2029]");
    /**
     * What {@link #visible} escapes: the controls, and the bidirectional formatting characters, which
     * make a log viewer show a line's text in another order than it was written.
     */
    private static final Pattern INVISIBLE = Pattern.compile("[\\p{Cc}\\u2028\\u2029\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]");
    /** What a file name may have on the usual file systems (ext4, XFS, btrfs, APFS, NTFS in UTF-16 aside). */
    public static final int MAX_NAME_BYTES = 255;
    /** The longest extension kept when a name is shortened; a longer "extension" is part of the stem. */
    private static final int MAX_EXTENSION = 16;
    private static final Pattern UNSAFE_SEGMENT = Pattern.compile("[^A-Za-z0-9._-]");
    private static final int MAX = 200;

    private SafeNames() {
    }

    /** The last path segment of {@code raw} without control characters; {@code fallback} when nothing usable is left. */
    public static String fileName(String raw, String fallback) {
        if (raw == null) {
            return fallback;
        }
        String name = raw.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        name = CONTROL.matcher(name).replaceAll("").strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return fallback;
        }
        // Bytes, not characters: 200 characters of a non-Latin script would be 400 to 600 bytes on disk.
        if (utf8Length(name) > MAX) {
            name = fitBytes(name, "", MAX);
        }
        return name;
    }

    /**
     * The first control character of a name (a tab, a line break, a bell, U+2028/U+2029), as
     * {@code U+0009 at position 4}; empty when there is none.
     */
    public static java.util.Optional<String> controlCharacter(String name) {
        java.util.regex.Matcher m = CONTROL.matcher(name == null ? "" : name);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format("U+%04X at position %d", (int) m.group().charAt(0), m.start() + 1));
    }

    /**
     * The text with each control character (and bidirectional formatting character) written as a Java
     * escape (a tab as backslash, u, 0009): for every log line and message that shows a name, a reason or
     * a path that came from outside, so a line break in a file name cannot forge a log line.
     */
    public static String visible(Object text) {
        if (text == null) {
            return "null";
        }
        return INVISIBLE.matcher(text.toString()).replaceAll(r -> java.util.regex.Matcher.quoteReplacement(
                String.format("\\u%04X", (int) r.group().charAt(0))));
    }

    /** How many bytes the name takes on disk (UTF-8), which is what the file system's limit counts. */
    public static int utf8Length(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * A name that takes at most {@code maxBytes} bytes in UTF-8: the stem is cut at a character boundary
     * (never inside a UTF-8 sequence or a surrogate pair) and {@code tag} (e.g. {@code -<stamp>-<id>}, to
     * keep shortened names unique) and the extension are kept.
     */
    public static String fitBytes(String name, String tag, int maxBytes) {
        int dot = name.lastIndexOf('.');
        boolean hasExtension = dot > 0 && name.length() - dot <= MAX_EXTENSION;
        String stem = hasExtension ? name.substring(0, dot) : name;
        String ext = hasExtension ? name.substring(dot) : "";
        int room = maxBytes - utf8Length(tag) - utf8Length(ext);
        if (room < 1) {
            throw new IllegalArgumentException("no room for a name in " + maxBytes + " bytes");
        }
        return prefixWithin(stem, room) + tag + ext;
    }

    /**
     * The longest start of {@code text} that takes at most {@code maxBytes} bytes in UTF-8, cut at a
     * character boundary (never inside a UTF-8 sequence or a surrogate pair).
     */
    public static String prefixWithin(String text, int maxBytes) {
        StringBuilder kept = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < text.length();) {
            int cp = text.codePointAt(i);
            int len = utf8Length(new String(Character.toChars(cp)));
            if (bytes + len > maxBytes) {
                break;
            }
            kept.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return kept.toString();
    }

    /**
     * The name in both Unicode normal forms (composed first), without duplicates: macOS writes names
     * decomposed (NFD, "u" + combining diaeresis), Windows and most Linux tools composed (NFC).
     */
    public static java.util.List<String> normalForms(String name) {
        java.util.LinkedHashSet<String> forms = new java.util.LinkedHashSet<>();
        forms.add(name);
        forms.add(Normalizer.normalize(name, Normalizer.Form.NFC));
        forms.add(Normalizer.normalize(name, Normalizer.Form.NFD));
        return java.util.List.copyOf(forms);
    }

    /** Only letters, digits, '.', '_' and '-': for directory names made from ids. */
    public static String segment(String raw) {
        String s = UNSAFE_SEGMENT.matcher(raw == null ? "" : raw).replaceAll("_");
        return s.isEmpty() || s.equals(".") || s.equals("..") ? "_" : s;
    }
}
