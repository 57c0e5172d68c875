package io.mayaningest.source;

import java.util.regex.Pattern;

/**
 * File names that come from elsewhere (a remote server's listing, a JMS property) made safe to use as
 * a local file name and as the name Mayan shows: no directories, no control characters, not empty,
 * not {@code .} or {@code ..}, at most 200 characters (the extension kept).
 */
public final class SafeNames {

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029]");
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
        if (name.length() > MAX) {
            int dot = name.lastIndexOf('.');
            String ext = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
            name = name.substring(0, MAX - ext.length()) + ext;
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

    /** The name with each control character written as a Java escape (a tab as backslash, u, 0009), for messages. */
    public static String visible(String name) {
        return CONTROL.matcher(name).replaceAll(r -> java.util.regex.Matcher.quoteReplacement(
                String.format("\\u%04X", (int) r.group().charAt(0))));
    }

    /** Only letters, digits, '.', '_' and '-': for directory names made from ids. */
    public static String segment(String raw) {
        String s = UNSAFE_SEGMENT.matcher(raw == null ? "" : raw).replaceAll("_");
        return s.isEmpty() || s.equals(".") || s.equals("..") ? "_" : s;
    }
}
