package io.mayaningest.source;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * Decides what in a watched folder is a document: not hidden files or folders (our own .done and
 * .error live there, and so do editors' lock files), not sidecars, and only names the source's
 * include/exclude globs allow.
 */
public class FileSourceFilter implements GenericFileFilter<Object> {

    private static final List<String> SIDECAR_SUFFIXES = List.of(".json", ".yaml", ".yml");

    private final List<PathMatcher> includes;
    private final List<PathMatcher> excludes;
    private final List<Path> skippedDirs;
    private final java.util.function.BooleanSupplier open;

    public FileSourceFilter(List<String> includes, List<String> excludes, List<Path> skippedDirs,
            java.util.function.BooleanSupplier open) {
        this.open = open;
        this.includes = includes.stream().map(FileSourceFilter::glob).toList();
        this.excludes = excludes.stream().map(FileSourceFilter::glob).toList();
        this.skippedDirs = skippedDirs.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        String name = file.getFileNameOnly();
        if (name.startsWith(".")) {
            return false;
        }
        if (file.isDirectory()) {
            Path dir = Path.of(file.getAbsoluteFilePath()).normalize();
            return skippedDirs.stream().noneMatch(dir::equals);
        }
        if (isSidecarName(name) || !open.getAsBoolean()) {
            // While Mayan cannot take documents, files are not even read: they wait in the folder.
            return false;
        }
        Path fileName = Path.of(name);
        if (!includes.isEmpty() && includes.stream().noneMatch(m -> m.matches(fileName))) {
            return false;
        }
        return excludes.stream().noneMatch(m -> m.matches(fileName));
    }

    /**
     * {@code <file name>.json}, {@code .yaml} or {@code .yml} where the file name has an extension of
     * its own ({@code scan.pdf.json}). Such a file is never a document, even before its document has
     * arrived, so a sidecar written first is not uploaded by mistake.
     */
    public static boolean isSidecarName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String suffix : SIDECAR_SUFFIXES) {
            if (lower.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                return base.lastIndexOf('.') > 0;
            }
        }
        return false;
    }

    private static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern.strip());
    }
}
