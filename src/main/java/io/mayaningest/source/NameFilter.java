package io.mayaningest.source;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * Decides what in a watched folder (or an SFTP listing, without the link checks) is a document: not hidden files or folders (our own .done and
 * .error live there, and so do editors' lock files), not sidecars, not what a link to a folder leads
 * to, and only names the source's include/exclude globs allow. Links to files are let through: the
 * mapper refuses them with a reason, so they end in the error folder instead of being ignored.
 */
public class NameFilter implements GenericFileFilter<Object> {

    private final List<PathMatcher> includes;
    private final List<PathMatcher> excludes;
    private final List<Path> skippedDirs;
    private final java.util.function.BooleanSupplier open;
    private final java.util.function.Consumer<Path> linkedFolder;

    /** For names only (a remote server's listing): no local link checks. */
    public NameFilter(List<String> includes, List<String> excludes, List<Path> skippedDirs,
            java.util.function.BooleanSupplier open) {
        this(includes, excludes, skippedDirs, open, null);
    }

    /**
     * @param linkedFolder told of each symbolic link to a folder met in a recursive scan: such a link is
     *            never entered (Camel would, and the files found there would then be moved out of the
     *            folder they really are in), and Camel never hands a folder to the route, so the filter is
     *            the one place that sees it
     */
    public NameFilter(List<String> includes, List<String> excludes, List<Path> skippedDirs,
            java.util.function.BooleanSupplier open, java.util.function.Consumer<Path> linkedFolder) {
        this.open = open;
        this.linkedFolder = linkedFolder;
        this.includes = includes.stream().map(NameFilter::glob).toList();
        this.excludes = excludes.stream().map(NameFilter::glob).toList();
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
            if (linkedFolder != null && java.nio.file.Files.isSymbolicLink(dir)) {
                if (open.getAsBoolean()) {
                    linkedFolder.accept(dir);
                }
                return false;
            }
            return skippedDirs.stream().noneMatch(dir::equals);
        }
        if (Sidecar.isSidecarName(name) || !open.getAsBoolean()) {
            // While Mayan cannot take documents, files are not even read: they wait in the folder.
            return false;
        }
        Path fileName = Path.of(name);
        if (!includes.isEmpty() && includes.stream().noneMatch(m -> m.matches(fileName))) {
            return false;
        }
        return excludes.stream().noneMatch(m -> m.matches(fileName));
    }

    private static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern.strip());
    }
}
