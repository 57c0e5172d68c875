package io.mayaningest.source;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.core.IngestException;

/**
 * The values every source kind takes from an item's file name for the mapping's templates
 * ({@code file.name}, {@code file.basename}, {@code file.parent} and the named groups of the source's
 * {@code filename-pattern}). One place, used by folders, SFTP, mail, JMS, HTTP, routes and the console's
 * preview alike.
 */
public final class FileNames {

    private FileNames() {
    }

    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    /** Values of the file name for templates: {@code file.*} and the pattern's named groups. */
    public static Map<String, String> fileNameValues(String name, Path parent, SourceConfig source, String sourceName) {
        return fileNameValues(name, parent, source, sourceName, false);
    }

    /**
     * As {@link #fileNameValues(String, Path, SourceConfig, String)}; {@code described} says the item
     * brings its own mapping (a sidecar, Mayan* headers). Then a name that does not match the pattern is
     * no error: the pattern's groups are simply absent, {@link Mapping} leaves out the templates that
     * need them, and what is still missing fails later with its real cause (type, metadata, value).
     */
    public static Map<String, String> fileNameValues(String name, Path parent, SourceConfig source, String sourceName,
            boolean described) {
        Map<String, String> values = new LinkedHashMap<>();
        int dot = name.lastIndexOf('.');
        values.put("file.name", name);
        values.put("file.basename", dot > 0 ? name.substring(0, dot) : name);
        values.put("file.parent", parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString());
        if (source.filenamePattern().isPresent()) {
            Pattern pattern = Pattern.compile(source.filenamePattern().get());
            Matcher m = pattern.matcher(name);
            if (!m.matches() && described) {
                return values;
            }
            if (!m.matches()) {
                throw IngestException.permanent("the file name does not match the filename-pattern "
                        + pattern.pattern() + " of source \"" + sourceName + "\"",
                        "rename the file to match the pattern, or give it a sidecar");
            }
            for (String group : groupNames(pattern)) {
                values.put(group, m.group(group) == null ? "" : m.group(group));
            }
        }
        return values;
    }

    /** Named groups of a pattern (Java 17 has no Pattern.namedGroups()). */
    public static java.util.List<String> groupNames(Pattern pattern) {
        java.util.List<String> names = new java.util.ArrayList<>();
        Matcher m = GROUP_NAME.matcher(pattern.pattern());
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
