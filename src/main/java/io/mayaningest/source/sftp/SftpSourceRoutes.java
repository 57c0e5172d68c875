package io.mayaningest.source.sftp;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import io.mayaningest.cluster.Leadership;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceHealth;
import io.mayaningest.source.SourceKinds;
import io.mayaningest.source.SourceRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.builder.endpoint.dsl.SftpEndpointBuilderFactory.SftpEndpointConsumerBuilder;
import org.apache.camel.model.RouteDefinition;
import org.jboss.logging.Logger;

/**
 * SFTP drops. One route template; each {@code ingest.sources.<name>} of kind {@code sftp} becomes a
 * route {@code source-<name>} made from it, exactly like the folder source.
 * <p>
 * As there, Camel never moves or deletes the remote file ({@code noop=true}, not idempotent): the
 * pipeline's acknowledgement does, after Mayan confirmed the item, and a transient failure leaves the
 * file for the next poll. {@code readLock=changed} with a minimum age skips files still being
 * uploaded. {@code localWorkDirectory} streams the file into the local spool (never into memory). Host keys are checked against {@code known-hosts-file} unless
 * {@code strict-host-key-checking=false} is set explicitly.
 */
@ApplicationScoped
public class SftpSourceRoutes extends EndpointRouteBuilder {

    public static final String TEMPLATE = "sftp-source";
    /** Several files at a time: the consumer only takes each file ... */
    public static final String CONCURRENT_TEMPLATE = "sftp-source-concurrent";
    /** ... and the items' route runs them, {@code concurrency} at a time. */
    public static final String ITEMS_TEMPLATE = "sftp-source-items";
    public static final String KIND = "sftp";
    private static final Logger LOG = Logger.getLogger(SftpSourceRoutes.class);

    private final IngestConfig config;
    private final SftpSources sources;
    private final SftpSourceMapper mapper;
    private final SftpAcknowledger acknowledger;
    private final io.mayaningest.ledger.Ledger ledger;
    private final SourceHealth health;

    private final io.mayaningest.mayan.MayanGate gate;
    private final io.mayaningest.source.MappingCheck mappingCheck;

    private final Leadership leadership;

    private final SourceKinds kinds;
    private final io.mayaningest.config.MayanConfig mayan;

    public SftpSourceRoutes(IngestConfig config, SftpSources sources, SftpSourceMapper mapper,
            SftpAcknowledger acknowledger, SourceHealth health, io.mayaningest.mayan.MayanGate gate,
            io.mayaningest.ledger.Ledger ledger, io.mayaningest.source.MappingCheck mappingCheck, Leadership leadership,
            SourceKinds kinds, io.mayaningest.config.MayanConfig mayan) {
        this.kinds = kinds;
        this.mayan = mayan;
        this.leadership = leadership;
        this.mappingCheck = mappingCheck;
        this.ledger = ledger;
        this.gate = gate;
        this.config = config;
        this.sources = sources;
        this.mapper = mapper;
        this.acknowledger = acknowledger;
        this.health = health;
    }

    @Override
    public void configure() throws Exception {
        // The endpoint is a parameter because its options depend on how the source logs in (password or
        // key, known hosts or not): it is built per source with the Endpoint DSL (sftpEndpoint), typed,
        // and its beans are this route's own (templatedRoute(...).bean), referred to by their local names.
        SourceRoutes.ingestAndAcknowledge(consumer(routeTemplate(TEMPLATE)), mapper, acknowledger, ledger);

        // Several files at a time. Camel's FTP/SFTP consumer routes each exchange synchronously (its client
        // is not thread-safe), so the Threads EIP of the folder source would still hold the polling thread
        // until the item is in Mayan. Instead the consumer's exchange only takes the file (Camel has streamed
        // it into the spool) and puts it on a SEDA queue that blocks when full (the back-pressure); the
        // items' route runs {{concurrency}} of them at a time. With waitForTaskToComplete=Never the SEDA
        // producer hands the file consumer's completion over to the queued exchange, so the file stays in
        // the consumer's in-progress repository (no poll takes it again) and its downloaded copy stays in the
        // spool until the item's exchange ends: after the acknowledgement, which, as with one file at a
        // time, moves the remote file only once Mayan confirmed it. A crash loses only the queue in memory:
        // the files are still on the server and the ledger resumes the uploads that had reached Mayan.
        consumer(routeTemplate(CONCURRENT_TEMPLATE)
                .templateParameter("concurrency", null, "files of this source ingested at the same time"))
                .to(ITEMS_QUEUE + "?waitForTaskToComplete=Never&blockWhenFull=true&size={{concurrency}}");
        RouteDefinition items = routeTemplate(ITEMS_TEMPLATE)
                .templateParameter("source", null, "the source's name: ingest.sources.<source>")
                .templateParameter("concurrency", null, "files of this source ingested at the same time")
                .from(ITEMS_QUEUE + "?concurrentConsumers={{concurrency}}&size={{concurrency}}");
        SourceRoutes.ingestAndAcknowledge(items, mapper, acknowledger, ledger);

        for (Map.Entry<String, SourceConfig> entry : kinds.ofKind(KIND).entrySet()) {
            String name = entry.getKey();
            SourceConfig source = entry.getValue();
            SftpSettings settings = sources.settings(name);
            Files.createDirectories(settings.spoolPath());
            if (!settings.strictHostKeyChecking()) {
                LOG.warnf("Source %s does NOT check the host key of %s (strict-host-key-checking=false): anyone"
                        + " between the service and the server can read and change the documents", name,
                        settings.server());
            }
            if (source.path().orElse("").strip().startsWith("/")) {
                LOG.warnf("ingest.sources.%s.path \"%s\" is read relative to the login directory of %s, as \"%s\"",
                        name, source.path().get(), settings.server(), settings.path());
            }
            health.register(name);
            int concurrency = io.mayaningest.source.SourceValidation.concurrency(source, mayan.maxInFlight());
            if (concurrency > 1) {
                // Made first, so it starts before the consumer and is stopped after it.
                templatedRoute(ITEMS_TEMPLATE)
                        .routeId(itemsRouteId(name))
                        .parameter("source", name)
                        .parameter("concurrency", String.valueOf(concurrency));
            }
            var route = templatedRoute(concurrency > 1 ? CONCURRENT_TEMPLATE : TEMPLATE)
                    .routeId(SourceRoutes.routeId(name))
                    .parameter("source", name)
                    // "" or master:<namespace>: (leader-only on a cluster, see Leadership)
                    .parameter("leader", leadership.consumerPrefix(name))
                    .parameter("endpoint", sftpEndpoint(settings, source).getRawUri())
                    .bean(FILTER, new SftpSourceFilter(source.include().orElse(List.of()),
                            source.exclude().orElse(List.of()), List.of(settings.donePath(), settings.errorPath()),
                            () -> gate.isOpen() && mappingCheck.ready(name)))
                    .bean(POLL_STRATEGY, new SftpPollStrategy(settings, health))
                    .bean(ERRORS, new SftpPollStrategy.QuietExceptionHandler(name, health));
            if (concurrency > 1) {
                route.parameter("concurrency", String.valueOf(concurrency));
            }
            // The secrets are beans of the route and the URI names them (#bean:...): they are never in the
            // route's parameters, its endpoint URI, Camel's summaries, health data or log lines.
            // (Camel's URI masking is no guard: it ends a RAW(...) value at its first ')'.)
            settings.password().ifPresent(p -> route.bean(PASSWORD, secret(p)));
            settings.privateKeyPassphrase().ifPresent(p -> route.bean(PASSPHRASE, secret(p)));
            LOG.infof("Source %s polls sftp://%s/%s (done: %s, error: %s, host key: %s, %s)", name, settings.server(),
                    settings.path(), settings.deleteAfterSuccess() ? "delete" : settings.donePath(),
                    settings.errorPath(), settings.strictHostKeyChecking() ? "checked against "
                            + settings.effectiveKnownHosts() : "NOT checked",
                    SourceRoutes.describeConcurrency(concurrency));
        }
    }

    /** The SFTP consumer both consumer templates start with; its endpoint is built per source (sftpEndpoint). */
    private static RouteDefinition consumer(org.apache.camel.model.RouteTemplateDefinition template) {
        return template.templateParameter("source", null, "the source's name: ingest.sources.<source>")
                .templateParameter("endpoint", null, "the SFTP consumer, from SftpSourceRoutes#sftpEndpoint")
                .templateParameter("leader", "", "master:<namespace>: when only the cluster's leader reads it (Leadership)")
                .from("{{leader}}{{endpoint}}");
    }

    /**
     * A secret as a bean supplier: given a plain String, Camel's bean factory would read it as the name
     * of a class to create (and say so with the value in its error).
     */
    private static java.util.function.Supplier<Object> secret(String value) {
        return () -> value;
    }

    /** The SEDA queue between a concurrent source's consumer and its items' route. */
    static final String ITEMS_QUEUE = "seda:sftp-items-{{source}}";

    /** The route that runs the items of a concurrent SFTP source {@code <name>}: {@code sftp-items-<name>}. */
    public static String itemsRouteId(String source) {
        return "sftp-items-" + source;
    }

    /** The local names of a source route's own beans. */
    static final String FILTER = "sftpFilter";
    static final String POLL_STRATEGY = "sftpPollStrategy";
    static final String ERRORS = "sftpPollErrors";
    static final String PASSWORD = "sftpPassword";
    static final String PASSPHRASE = "sftpPassphrase";

    /** One source's SFTP consumer, built with the Endpoint DSL; secrets are only named ({@code #bean:}). */
    static org.apache.camel.builder.endpoint.AbstractEndpointBuilder sftpEndpoint(SftpSettings s, SourceConfig source) {
        long stable = source.stableFor().toMillis();
        SftpEndpointConsumerBuilder e = org.apache.camel.builder.endpoint.StaticEndpointBuilders.sftp(s.host() + ":" + s.port() + "/" + s.path())
                .username("RAW(" + s.username() + ")");
        s.password().ifPresent(p -> e.password("#bean:{{" + PASSWORD + "}}"));
        s.privateKeyFile().ifPresent(k -> e.privateKeyFile(k.toString()));
        s.privateKeyPassphrase().ifPresent(p -> e.privateKeyPassphrase("#bean:{{" + PASSPHRASE + "}}"));
        if (s.strictHostKeyChecking()) {
            e.strictHostKeyChecking("yes");
            if (s.knownHostsFile().isPresent()) {
                e.knownHostsFile(s.knownHostsFile().get().toString()).useUserKnownHostsFile(false);
            } else {
                e.useUserKnownHostsFile(true);
            }
        } else {
            e.strictHostKeyChecking("no").useUserKnownHostsFile(false);
        }
        // As the folder source: Camel never moves or deletes the file (the acknowledger does, after Mayan
        // confirmed it), and a file left in place after a transient failure must be picked up again.
        e.noop(true).idempotent(false).recursive(source.recursive()).filter("#{{" + FILTER + "}}")
                // A source that cannot connect polls ten times less often after three failures in a row.
                .backoffErrorThreshold(3).backoffMultiplier(10)
                .readLock("changed").readLockMinAge(stable).readLockMinLength(0)
                .readLockCheckInterval(Math.max(100, Math.min(1000, stable / 2)))
                .readLockTimeout(Math.max(10_000, stable * 10)).readLockLoggingLevel(LoggingLevel.DEBUG)
                .delay(source.pollInterval().toMillis()).sortBy("file:modified");
        e.advanced()
                .pollStrategy("#{{" + POLL_STRATEGY + "}}")
                // The poll strategy reports a failed poll once, with its reason; not a stack trace per poll.
                .exceptionHandler("#{{" + ERRORS + "}}")
                // A failed login or host-key check must reach the poll strategy (readiness) rather than a log line.
                .throwExceptionOnConnectFailed(true).maximumReconnectAttempts(0)
                // Never create the source directory on the server: a vanished directory is a fault to report.
                .autoCreate(false)
                // Camel streams each file into the spool (claim check) and deletes that copy when the exchange
                // completes. (streamDownload=true handed us a stream that read as empty with jsch 2.27 + MINA.)
                .localWorkDirectory(s.spoolPath().resolve(SftpSourceMapper.DOWNLOADS).toString())
                .stepwise(false)
                .connectTimeout(15000)
                .timeout(60000);
        return (org.apache.camel.builder.endpoint.AbstractEndpointBuilder) e;
    }
}
