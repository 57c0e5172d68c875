package io.mayaningest.source.sftp;

import java.util.List;

import io.mayaningest.source.NameFilter;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * The folder source's rules (no hidden files, no sidecars, include/exclude globs) on the server, plus
 * never descending into the source's own done/ and error/ folders when they are not hidden.
 */
public class SftpSourceFilter implements GenericFileFilter<Object> {

    private final NameFilter names;
    private final List<String> skippedDirs;

    /** {@code open}: while Mayan cannot take documents, nothing is downloaded (see MayanGate). */
    public SftpSourceFilter(List<String> includes, List<String> excludes, List<String> skippedDirs,
            java.util.function.BooleanSupplier open) {
        this.names = new NameFilter(includes, excludes, List.of(), open);
        this.skippedDirs = skippedDirs.stream().map(SftpSourceFilter::normal).toList();
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        if (file.isDirectory() && skippedDirs.contains(normal(file.getAbsoluteFilePath()))) {
            return false;
        }
        return names.accept(file);
    }

    private static String normal(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
