package io.mayaningest.source.file;

import io.mayaningest.source.SourceKinds;
import io.mayaningest.source.SourceRoutes;
import io.mayaningest.source.NameFilter;
import io.mayaningest.source.MappingCheck;
import io.mayaningest.source.SourceValidation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.mayaningest.cluster.Leadership;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.mayan.MayanGate;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.jboss.logging.Logger;

/**
 * Watched folders. One route template; each {@code ingest.sources.<name>} of kind {@code file}
 * becomes a route {@code source-<name>} made from it.
 * <p>
 * The file consumer runs with {@code noop=true}: Camel never moves or deletes the file itself. The
 * pipeline's last step acknowledges it (done/ or delete) and quarantine moves it to error/, so a file
 * leaves the folder only after Mayan confirmed it, and a transient failure simply leaves it for the
 * next poll. {@code readLock=changed} waits until size and time stamp have been stable for
 * {@code stable-for}, so a file still being written is not taken.
 */
@ApplicationScoped
public class FileSourceRoutes extends RouteBuilder {

    public static final String TEMPLATE = "file-source";
    public static final String CONCURRENT_TEMPLATE = "file-source-concurrent";
    public static final String KIND = "file";
    static final Logger LOG = Logger.getLogger(FileSourceRoutes.class);

    private final IngestConfig config;
    private final FileSourceMapper mapper;
    private final FileAcknowledger acknowledger;
    private final Ledger ledger;
    private final MayanGate gate;
    private final MappingCheck mappingCheck;
    private final MayanConfig mayan;
    private final Leadership leadership;

    private final SourceKinds kinds;

    public FileSourceRoutes(IngestConfig config, FileSourceMapper mapper, FileAcknowledger acknowledger, Ledger ledger,
            MayanGate gate, MappingCheck mappingCheck, MayanConfig mayan, Leadership leadership, SourceKinds kinds) {
        this.kinds = kinds;
        this.leadership = leadership;
        this.mayan = mayan;
        this.gate = gate;
        this.mappingCheck = mappingCheck;
        this.config = config;
        this.mapper = mapper;
        this.acknowledger = acknowledger;
        this.ledger = ledger;
    }

    @Override
    public void configure() throws Exception {
        // One file at a time, in the folder's order (modification time): what duplicates=new-file needs.
        SourceRoutes.ingestAndAcknowledge(folder(routeTemplate(TEMPLATE)), mapper, acknowledger, ledger);
        // Several files of a poll at a time ({{concurrency}} threads); the order is not kept.
        SourceRoutes.ingestAndAcknowledgeConcurrently(folder(routeTemplate(CONCURRENT_TEMPLATE)
                .templateParameter("concurrency")), mapper, acknowledger, ledger);

        for (Map.Entry<String, SourceConfig> entry : kinds.ofKind(KIND).entrySet()) {
            String name = entry.getKey();
            SourceConfig source = entry.getValue();
            Path directory = Path.of(source.path().orElseThrow(() -> new IllegalArgumentException(
                    "ingest.sources." + name + ".path is required for a source of kind file"))).toAbsolutePath().normalize();
            Files.createDirectories(directory);
            acknowledger.reconcileAcknowledged(name, directory);
            Path done = FileAcknowledger.donePath(source);
            Path error = FileAcknowledger.errorPath(source);
            long stable = source.stableFor().toMillis();
            int concurrency = SourceValidation.concurrency(source, mayan.maxInFlight());
            var route = templatedRoute(concurrency > 1 ? CONCURRENT_TEMPLATE : TEMPLATE)
                    .routeId(SourceRoutes.routeId(name))
                    .parameter("source", name)
                    // "" or master:<namespace>: (leader-only on a cluster, see Leadership)
                    .parameter("leader", leadership.consumerPrefix(name))
                    .parameter("directory", directory.toString())
                    .parameter("recursive", String.valueOf(source.recursive()))
                    .parameter("stableFor", String.valueOf(stable))
                    .parameter("readLockCheckInterval", String.valueOf(Math.max(100, Math.min(1000, stable / 2))))
                    .parameter("readLockTimeout", String.valueOf(Math.max(10_000, stable * 10)))
                    .parameter("pollInterval", String.valueOf(source.pollInterval().toMillis()));
            if (concurrency > 1) {
                route.parameter("concurrency", String.valueOf(concurrency));
            }
            LOG.infof("Source %s watches %s (done: %s, error: %s, %s)", name, directory,
                    source.deleteAfterSuccess() ? "delete" : done, error,
                    SourceRoutes.describeConcurrency(concurrency));
        }
    }

    /**
     * The folder consumer both templates start with. Its options are typed, named template parameters
     * (milliseconds where they are times), the filter a template bean made per route from its source's
     * settings; what every folder source has in common is fixed here, with the reason:
     * <ul>
     * <li>{@code noop=true}: Camel never moves or deletes the file; FileAcknowledger does, after Mayan
     * confirmed it (see the class comment);</li>
     * <li>{@code idempotent=false}: a file left in place after a transient failure must be picked up
     * again; the in-progress repository still keeps a file from being taken twice at the same time;</li>
     * <li>{@code readLockMinLength=0}: Camel's default (1) would never take an empty file; we want it, to
     * report it as an error;</li>
     * <li>{@code readLockMarkerFile=false}: no .camelLock files in the user's folder (and no need for
     * write access to take a file).</li>
     * </ul>
     */
    private RouteDefinition folder(RouteTemplateDefinition template) {
        return template.templateParameter("source", null, "the source's name: ingest.sources.<source>")
                .templateParameter("directory", null, "the watched folder, absolute")
                .templateParameter("leader", "", "master:<namespace>: when only the cluster's leader reads it (Leadership)")
                .templateParameter("recursive", "false", "also read the folder's subfolders")
                .templateParameter("stableFor", "2000", "ms a file's size and time stamp must stay unchanged before it is read")
                .templateParameter("readLockCheckInterval", "1000", "ms between two looks at a file being written")
                .templateParameter("readLockTimeout", "20000", "ms to wait for a file to become stable in one poll")
                .templateParameter("pollInterval", "5000", "ms between two polls of the folder")
                // While the mapping names what Mayan lacks, the files wait unread too (MappingCheck).
                .templateBean("filter", NameFilter.class, rtc -> filter(rtc.getProperty("source", String.class)))
                .from("{{leader}}file:{{directory}}?noop=true&idempotent=false&recursive={{recursive}}"
                        + "&filter=#{{filter}}&readLock=changed&readLockMinAge={{stableFor}}&readLockMinLength=0"
                        + "&readLockMarkerFile=false&readLockCheckInterval={{readLockCheckInterval}}"
                        + "&readLockTimeout={{readLockTimeout}}&readLockLoggingLevel=DEBUG&delay={{pollInterval}}"
                        + "&sortBy=file:modified");
    }

    /** The filter of one folder source: its globs, its done/ and error/ folders skipped, open while Mayan is. */
    private NameFilter filter(String name) {
        SourceConfig source = config.sources().get(name);
        return new NameFilter(source.include().orElse(List.of()), source.exclude().orElse(List.of()),
                List.of(FileAcknowledger.donePath(source), FileAcknowledger.errorPath(source)),
                () -> gate.isOpen() && mappingCheck.ready(name), link -> acknowledger.linkedFolder(name, link));
    }
}
