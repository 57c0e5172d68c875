package io.mayaningest.source.route;

import io.mayaningest.source.SourceMapper;
import io.mayaningest.source.FileNames;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.mayan.MayanGate;
import io.mayaningest.pipeline.Failures;
import io.mayaningest.core.IngestException;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.source.Mapping;
import io.mayaningest.source.MayanHeaders;
import io.mayaningest.core.SafeNames;
import io.mayaningest.source.Spool;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

/**
 * Turns an exchange sent to {@code direct:mayan-ingest} into an {@link IngestRequest} and back: the
 * body is spooled (64 KiB at a time, SHA-256 on the way), the {@code Mayan*} headers are the item's
 * mapping on top of its source's, and the caller gets the result headers or an
 * {@link IngestFailedException}.
 * <p>
 * Which settings apply: an {@code ingest.sources.<MayanSource>} of kind {@code route} gives the
 * mapping, duplicates policy, size limit and spool path; without one, the defaults of every source
 * (type "Default", label the file name, duplicates skip, no size limit).
 */
@ApplicationScoped
public class RouteSourceMapper implements SourceMapper {

    static final String ITEM_PROPERTY = "mayanIngestRouteItem";
    /** The defaults of {@code ingest.sources.*.document-type} and {@code label}, for a source without an entry. */
    static final String DEFAULT_TYPE = "Default";
    static final String DEFAULT_FILE_NAME = "document.bin";

    private static final Pattern SOURCE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Logger LOG = Logger.getLogger(RouteSourceMapper.class);

    private final IngestConfig config;
    private final Mapping mapping;
    private final MayanGate gate;
    private final ProducerTemplate producer;

    private final io.mayaningest.source.MappingCheck mappingCheck;
    private final ObjectMapper json;

    public RouteSourceMapper(IngestConfig config, Mapping mapping, MayanGate gate, ProducerTemplate producer,
            io.mayaningest.source.MappingCheck mappingCheck, ObjectMapper json) {
        this.mappingCheck = mappingCheck;
        this.json = json;
        this.config = config;
        this.mapping = mapping;
        this.gate = gate;
        this.producer = producer;
    }

    /** Spools the body and says what the item is; the caller's body stays as it was sent. */
    @Override
    public void read(Exchange exchange) {
        Message in = exchange.getMessage();
        String sourceName = sourceName(exchange);
        SourceConfig source = config.sources().get(sourceName);
        if (source != null && !RouteSourceRoutes.KIND.equals(source.kind())) {
            throw failed(IngestException.permanent("the header " + MayanHeaders.SOURCE + " \"" + sourceName
                    + "\" names a source of kind " + source.kind(),
                    "give the route a source name of its own (a route id or MayanSource), or declare it with"
                            + " ingest.sources." + sourceName + ".kind=route"));
        }
        IngestRequest item = new IngestRequest();
        item.setSourceName(sourceName);
        item.setSourceKind(RouteSourceRoutes.KIND);
        item.setFileName(SafeNames.fileName(fileName(exchange), DEFAULT_FILE_NAME));

        Path dir = spoolRoot(sourceName, source).resolve(SafeNames.segment(exchange.getExchangeId()));
        // The copy lives as long as the caller's exchange (a redelivery of it writes it again).
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                try {
                    Spool.deleteTree(dir);
                } catch (IOException e) {
                    LOG.warnf("Could not remove the spooled copy %s: %s", dir, e.getMessage());
                }
            }
        });
        long limit = source == null ? 0 : source.maxFileSize();
        Spool.Spooled spooled;
        try (InputStream body = in.getMandatoryBody(InputStream.class)) {
            spooled = Spool.copy(body, dir.resolve(item.getFileName()), limit);
        } catch (Spool.TooLarge e) {
            throw failed(IngestException.permanent("the document has more than the limit of " + limit
                    + " bytes of source \"" + sourceName + "\"",
                    "raise ingest.sources." + sourceName + ".max-file-size or split the document"));
        } catch (InvalidPayloadException e) {
            Object body = in.getBody();
            throw failed(IngestException.permanent("the body " + (body == null ? "is empty (null)"
                    : "is a " + body.getClass().getName() + ", which Camel cannot read as a stream"),
                    "send the document as a File, GenericFile, InputStream or byte[] body"));
        } catch (IOException e) {
            throw failed(IngestException.transientFailure("the document could not be spooled to " + dir + ": " + e,
                    "check free space and permissions of the spool directory, then send it again", e));
        }
        item.setPayload(spooled.path());
        item.setSize(spooled.size());
        item.setSha256(spooled.sha256());
        String key = in.getHeader(MayanHeaders.SOURCE_KEY, String.class);
        // Same content under the same name is the same item: sent again, it resumes and is never uploaded twice.
        item.setSourceKey(key != null && !key.isBlank() ? key.strip() : spooled.sha256() + "|" + item.getFileName());
        exchange.setProperty(ITEM_PROPERTY, item);
    }

    /** Runs the item in its own exchange (see {@link RouteSourceRoutes}) and reports the outcome to the caller. */
    public void ingest(Exchange exchange) {
        IngestRequest item = exchange.getProperty(ITEM_PROPERTY, IngestRequest.class);
        Map<String, Object> headers = new HashMap<>(exchange.getMessage().getHeaders());
        Exchange result = producer.send(RouteSourceRoutes.ITEM, e -> {
            e.getMessage().setHeaders(headers);
            e.getMessage().setBody(item);
        });
        Message out = exchange.getMessage();
        if (item.getIngestId() != null) {
            out.setHeader(MayanHeaders.INGEST_ID, item.getIngestId());
        }
        Throwable caught = result.getException() != null ? result.getException()
                : result.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (caught != null) {
            IngestException failure = Failures.asIngestException(caught);
            out.setHeader(MayanHeaders.INGEST_STATUS, failure.isPermanent() ? "failed" : "retry-later");
            throw new IngestFailedException(failure, item.getIngestId());
        }
        out.setHeader(MayanHeaders.DOCUMENT_ID, item.getDocumentId());
        out.setHeader(MayanHeaders.FILE_ID, item.getFileId());
        out.setHeader(MayanHeaders.INGEST_STATUS, "done");
    }

    /** The source's mapping (if it has an entry), then the headers on top; in the item's exchange, so retried. */
    @Override
    public void map(Exchange exchange) {
        IngestRequest item = exchange.getMessage().getBody(IngestRequest.class);
        if (!gate.isOpen()) {
            MayanGate.State state = gate.state();
            throw IngestException.transientFailure("Mayan cannot take documents now: " + state.reason(), state.fix(),
                    null);
        }
        // The caller keeps its document and gets "retry-later", as while Mayan is unreachable (MappingCheck).
        mappingCheck.admit(item.getSourceName(), false);
        Message in = exchange.getMessage();
        SourceConfig source = config.sources().get(item.getSourceName());
        if (source != null) {
            // Headers describe the item as a sidecar does: then the name need not match a filename-pattern.
            boolean described = MayanHeaders.MAPPING.stream().anyMatch(h -> {
                String v = in.getHeader(h, String.class);
                return v != null && !v.isBlank();
            });
            Map<String, String> values = new LinkedHashMap<>(FileNames.fileNameValues(item.getFileName(), null,
                    source, item.getSourceName(), described));
            values.remove("file.parent");
            mapping.apply(item, values);
        } else {
            item.setDocumentType(DEFAULT_TYPE);
            item.setLabel(item.getFileName());
        }
        MayanHeaders.override(item, name -> in.getHeader(name, String.class), "header", json);
    }

    /** {@code MayanSource}, else the id of the route that sent the exchange. */
    static String sourceName(Exchange exchange) {
        String name = exchange.getMessage().getHeader(MayanHeaders.SOURCE, String.class);
        if (name == null || name.isBlank()) {
            name = exchange.getFromRouteId();
        }
        if (name == null || !SOURCE_NAME.matcher(name.strip()).matches()) {
            throw failed(IngestException.permanent("the source name \"" + name + "\" (header " + MayanHeaders.SOURCE
                    + ", else the calling route's id) is not a name of letters, digits, '.', '_' and '-'",
                    "give the route an id or set the header " + MayanHeaders.SOURCE + ", e.g. invoices-folder"));
        }
        return name.strip();
    }

    /** {@code MayanFileName}, else the name the consumer gave the body (a file, an upload), else the body's own. */
    static String fileName(Exchange exchange) {
        Message in = exchange.getMessage();
        for (String header : new String[] {MayanHeaders.FILE_NAME, Exchange.FILE_NAME_ONLY, Exchange.FILE_NAME}) {
            String value = in.getHeader(header, String.class);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        Object body = in.getBody();
        if (body instanceof GenericFile<?> file) {
            return file.getFileNameOnly();
        }
        if (body instanceof File file) {
            return file.getName();
        }
        if (body instanceof Path path && path.getFileName() != null) {
            return path.getFileName().toString();
        }
        return null;
    }

    private Path spoolRoot(String sourceName, SourceConfig source) {
        return (source == null ? java.util.Optional.<String>empty() : source.spoolPath()).map(Path::of)
                .orElseGet(() -> Path.of(config.dataDir(), "spool", SafeNames.segment(sourceName)))
                .toAbsolutePath().normalize();
    }

    private static IngestFailedException failed(IngestException failure) {
        return new IngestFailedException(failure, null);
    }
}
