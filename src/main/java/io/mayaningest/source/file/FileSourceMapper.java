package io.mayaningest.source.file;

import io.mayaningest.source.SourceMapper;
import io.mayaningest.source.SourceRoutes;
import io.mayaningest.source.Sidecar;
import io.mayaningest.source.FileNames;
import io.mayaningest.source.Mapping;
import io.mayaningest.core.Checksums;

import io.mayaningest.core.SafeNames;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;

/**
 * Turns a file of a watched folder into an {@link IngestRequest}: reads it once to compute its
 * SHA-256 (streaming, never the whole file in memory), then applies the source's mapping, the
 * file-name pattern and the sidecar, in that order.
 */
@ApplicationScoped
public class FileSourceMapper implements SourceMapper {

    static final String KIND = "file";

    private final Mapping mapping;

    public FileSourceMapper(Mapping mapping) {
        this.mapping = mapping;
    }

    /** Step 1: what the file is. The body becomes the request before anything can fail. */
    @Override
    public void read(Exchange exchange) {
        String sourceName = exchange.getProperty(SourceRoutes.SOURCE_PROPERTY, String.class);
        GenericFile<?> file = exchange.getMessage().getBody(GenericFile.class);
        Path path = Path.of(file.getAbsoluteFilePath());
        Path root = Path.of(source(sourceName).path().orElseThrow()).toAbsolutePath().normalize();

        IngestRequest item = new IngestRequest();
        item.setSourceName(sourceName);
        item.setSourceKind(KIND);
        item.setPayload(path);
        item.setFileName(path.getFileName().toString());
        exchange.getMessage().setBody(item);

        Path sidecar = Sidecar.find(path);
        if (sidecar != null) {
            item.getCompanions().add(sidecar);
        }
        try {
            boolean follow = source(sourceName).followSymlinks();
            BasicFileAttributes attributes = attributes(path, follow);
            item.setSize(attributes.size());
            // A file changed in place is a new item; the same bytes at the same place after a restart are not.
            // The key alone does not decide: the ledger also compares the content's SHA-256 (Ledger#begin).
            String relative = root.relativize(path.toAbsolutePath().normalize()).toString();
            item.setSourcePath(relative);
            item.setSourceModified(attributes.lastModifiedTime().toMillis());
            item.setSourceKey(relative + "|" + attributes.size() + "|" + attributes.lastModifiedTime().toMillis());
            refuseLinksAndSpecialFiles(item, attributes, sidecar, follow);
            // A folder's files keep their own names (unlike a mail's or a remote server's, which SafeNames
            // cleans), and Mayan would show a tab or a line break in the label and the file name; nothing
            // downstream handles such a name well, so it is refused with the one fix that works.
            java.util.Optional<String> control = SafeNames.controlCharacter(item.getFileName());
            if (control.isPresent()) {
                throw IngestException.permanent("the file name \"" + SafeNames.visible(item.getFileName())
                        + "\" contains a control character (" + control.get() + ")",
                        "rename the file without tabs, line breaks or other control characters and put it back into"
                                + " the folder (rename its sidecar the same way)");
            }
            long limit = source(sourceName).maxFileSize();
            if (limit > 0 && attributes.size() > limit) {
                throw IngestException.permanent("the file has " + attributes.size() + " bytes, more than the limit of "
                        + limit + " bytes of source \"" + sourceName + "\"",
                        "raise ingest.sources." + sourceName + ".max-file-size or split the document");
            }
            item.setSha256(Checksums.sha256(path));
        } catch (AccessDeniedException e) {
            throw IngestException.permanent("the service may not read the file (" + e.getMessage() + ")",
                    "give the service's user read permission on it", e);
        } catch (IOException e) {
            throw IngestException.transientFailure("the file could not be read: " + SafeNames.visible(e),
                    "the file is tried again", e);
        }
    }

    /**
     * The attributes the item is known by: a link's own, unless the source follows links and the
     * link's target exists (a dangling link is refused by {@link #refuseLinksAndSpecialFiles}).
     */
    private static BasicFileAttributes attributes(Path path, boolean follow) throws IOException {
        BasicFileAttributes own = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (own.isSymbolicLink() && follow && Files.exists(path)) {
            return Files.readAttributes(path, BasicFileAttributes.class);
        }
        return own;
    }

    /**
     * Before a byte is read: a symbolic link in the folder (or as a sidecar) is not followed unless the
     * source says {@code follow-symlinks=true}. Anyone who may write into the folder could otherwise
     * link the service's own configuration (its token included) or any file the service's user may
     * read, and have it uploaded to Mayan or quoted in an error report. Quarantine then moves the link
     * itself, never its target. A named pipe or a device is refused too: reading one would block the
     * source or never end.
     */
    private void refuseLinksAndSpecialFiles(IngestRequest item, BasicFileAttributes attributes, Path sidecar,
            boolean follow) throws IOException {
        Path path = item.getPayload();
        String option = "ingest.sources." + item.getSourceName() + ".follow-symlinks";
        String name = "\"" + SafeNames.visible(item.getFileName()) + "\"";
        if (Files.isSymbolicLink(path)) {
            String target = SafeNames.visible(Files.readSymbolicLink(path));
            if (!follow) {
                throw IngestException.permanent(name + " is a symbolic link (to " + target
                        + "); links are not followed", "put the file itself into the folder instead of a link (the"
                                + " link was moved to the error folder, its target was not touched), or set " + option
                                + "=true to ingest what links point to");
            }
            if (!Files.exists(path)) {
                throw IngestException.permanent(name + " is a symbolic link to " + target + ", which does not exist",
                        "restore the link's target or delete the link");
            }
        }
        if (!attributes.isRegularFile()) {
            throw IngestException.permanent(name + " is not a regular file (a named pipe, a device or a socket)",
                    "put the document into the folder as an ordinary file");
        }
        if (sidecar != null && Files.isSymbolicLink(sidecar) && !follow) {
            throw IngestException.permanent("sidecar " + SafeNames.visible(sidecar.getFileName())
                    + " is a symbolic link (to " + SafeNames.visible(Files.readSymbolicLink(sidecar))
                    + "); links are not followed", "put the sidecar itself beside the document instead of a link"
                            + " (the link was moved to the error folder with the document, its target was not touched),"
                            + " or set " + option + "=true");
        }
    }

    /** Step 2: the mapping: source defaults, then file-name pattern templates, then the sidecar. */
    @Override
    public void map(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        mapping.apply(item, templateValues(item, source(item.getSourceName())));
    }

    private Map<String, String> templateValues(IngestRequest item, SourceConfig source) {
        return FileNames.fileNameValues(item.getFileName(), item.getPayload().getParent(), source, item.getSourceName(),
                Mapping.hasSidecar(item));
    }

    SourceConfig source(String name) {
        return mapping.source(name);
    }
}
