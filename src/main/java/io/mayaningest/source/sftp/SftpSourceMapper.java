package io.mayaningest.source.sftp;

import io.mayaningest.source.SourceMapper;
import io.mayaningest.source.SourceRoutes;
import io.mayaningest.source.FileNames;
import io.mayaningest.core.Checksums;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.source.Mapping;
import io.mayaningest.core.SafeNames;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.GenericFile;

/**
 * Turns a file on an SFTP server into an {@link IngestRequest}: Camel has streamed it into the
 * source's local spool; its SHA-256 is computed reading that copy (never the whole file in memory), fetches its sidecar if the
 * server has one, then applies the same mapping as the folder source.
 */
@ApplicationScoped
public class SftpSourceMapper implements SourceMapper {

    static final String[] SIDECAR_SUFFIXES = {".json", ".yaml", ".yml"};
    /** Below the spool: sidecars fetched by the service; Camel's own downloads go to {@link #DOWNLOADS}. */
    static final String SIDECARS = "sidecars";
    static final String DOWNLOADS = "downloads";

    private final Mapping mapping;
    private final SftpSources sources;

    public SftpSourceMapper(Mapping mapping, SftpSources sources) {
        this.mapping = mapping;
        this.sources = sources;
    }

    /** Step 1: download. The body becomes the request before anything can fail. */
    @Override
    public void read(Exchange exchange) throws Exception {
        String sourceName = exchange.getProperty(SourceRoutes.SOURCE_PROPERTY, String.class);
        SftpSettings settings = sources.settings(sourceName);
        SourceConfig source = mapping.source(sourceName);
        GenericFile<?> file = exchange.getProperty(FileComponent.FILE_EXCHANGE_FILE, GenericFile.class);
        String relative = file.getRelativeFilePath().replace('\\', '/');
        String remote = SftpSettings.join(settings.path(), relative);

        IngestRequest item = new IngestRequest();
        item.setSourceName(sourceName);
        item.setSourceKind(SftpSourceRoutes.KIND);
        // A file changed in place is a new item; the same bytes at the same place after a restart are not.
        // The key alone does not decide: the ledger also compares the content's SHA-256 (Ledger#begin).
        item.setSourcePath(relative);
        item.setSourceModified(file.getLastModified());
        item.setSourceKey(relative + "|" + file.getFileLength() + "|" + file.getLastModified());
        item.setSize(file.getFileLength());
        String name = SafeNames.fileName(file.getFileNameOnly(), null);
        item.setFileName(name == null ? "unnamed" : name);
        exchange.getMessage().setBody(item);
        if (name == null || !name.equals(file.getFileNameOnly())) {
            throw IngestException.permanent("the remote file name \"" + file.getFileNameOnly()
                    + "\" contains control characters or is not a file name", "rename the file on the server");
        }

        // Camel has streamed the remote file into the spool (localWorkDirectory); it deletes that copy
        // when the exchange completes, i.e. after the acknowledgement.
        Path local = localCopy(exchange, file);
        item.setPayload(local);
        long limit = source.maxFileSize();
        try {
            long size = Files.size(local);
            item.setSize(size);
            if (limit > 0 && size > limit) {
                throw IngestException.permanent("the file has " + size + " bytes, more than the limit of " + limit
                        + " bytes of source \"" + sourceName + "\"",
                        "raise ingest.sources." + sourceName + ".max-file-size or split the document");
            }
            item.setSha256(Checksums.sha256(local));
        } catch (IOException e) {
            throw IngestException.transientFailure("the downloaded copy of " + remote + " could not be read: "
                    + e.getMessage(), "the file is tried again at the next poll", e);
        }
        Path dir = settings.spoolPath().resolve(SIDECARS).resolve(UUID.randomUUID().toString());
        for (String suffix : SIDECAR_SUFFIXES) {
            Path sidecar = dir.resolve(name + suffix);
            try {
                if (sources.remote(sourceName).fetchIfExists(remote + suffix, sidecar)) {
                    item.getCompanions().add(sidecar);
                    break;
                }
            } catch (Exception e) {
                throw IngestException.transientFailure("the sidecar " + remote + suffix + " could not be read from "
                        + settings.server() + ": " + e.getMessage(), "the file is tried again at the next poll", e);
            }
        }
    }

    /** Step 2: the mapping: source defaults, then file-name pattern templates, then the sidecar. */
    @Override
    public void map(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        SourceConfig source = mapping.source(item.getSourceName());
        String relative = relativePath(item);
        int slash = relative.lastIndexOf('/');
        String parent = slash > 0 ? relative.substring(0, slash) : sources.settings(item.getSourceName()).path();
        Map<String, String> values = FileNames.fileNameValues(item.getFileName(),
                Path.of(parent.isEmpty() ? "." : parent), source, item.getSourceName(), Mapping.hasSidecar(item));
        mapping.apply(item, values);
    }

    /** The file's path below the source's directory (parsed from the end of {@code relative|size|mtime} if unset). */
    static String relativePath(IngestRequest item) {
        if (item.getSourcePath() != null) {
            return item.getSourcePath();
        }
        String key = item.getSourceKey();
        int last = key.lastIndexOf('|');
        return key.substring(0, key.lastIndexOf('|', last - 1));
    }

    private static Path localCopy(Exchange exchange, GenericFile<?> file) throws Exception {
        Object body = file.getBody();
        if (body instanceof File f) {
            return f.toPath();
        }
        return exchange.getContext().getTypeConverter().mandatoryConvertTo(File.class, exchange, file).toPath();
    }
}
