package io.mayaningest.source.sftp;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mayaningest.cluster.Leadership;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.source.SourceHealth;
import io.mayaningest.source.SourceKinds;
import io.mayaningest.source.SourceRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;
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
public class SftpSourceRoutes extends RouteBuilder {

    public static final String TEMPLATE = "sftp-source";
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

    public SftpSourceRoutes(IngestConfig config, SftpSources sources, SftpSourceMapper mapper,
            SftpAcknowledger acknowledger, SourceHealth health, io.mayaningest.mayan.MayanGate gate,
            io.mayaningest.ledger.Ledger ledger, io.mayaningest.source.MappingCheck mappingCheck, Leadership leadership, SourceKinds kinds) {
        this.kinds = kinds;
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
        RouteDefinition template = routeTemplate(TEMPLATE)
                .templateParameter("source")
                .templateParameter("server")
                .templateParameter("directory")
                .templateParameter("options")
                .templateParameter("leader")
                .from("{{leader}}sftp:{{server}}/{{directory}}?{{options}}");
        SourceRoutes.ingestAndAcknowledge(template, mapper, acknowledger, ledger);

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
            String filterBean = "mayanIngestSftpFilter-" + name;
            String pollStrategyBean = "mayanIngestSftpPollStrategy-" + name;
            getCamelContext().getRegistry().bind(filterBean, new SftpSourceFilter(source.include().orElse(List.of()),
                    source.exclude().orElse(List.of()), List.of(settings.donePath(), settings.errorPath()),
                    () -> gate.isOpen() && mappingCheck.ready(name)));
            getCamelContext().getRegistry().bind(pollStrategyBean, new SftpPollStrategy(settings, health));
            getCamelContext().getRegistry().bind(pollStrategyBean + "-errors", new SftpPollStrategy.QuietExceptionHandler(
                    name, health));
            // The secrets go to the registry and the URI names them (#bean:...): they are never in the
            // route's parameters, its endpoint URI, Camel's summaries, health data or log lines.
            // (Camel's URI masking is no guard: it ends a RAW(...) value at its first ')'.)
            settings.password().ifPresent(p -> getCamelContext().getRegistry().bind(passwordBean(name), p));
            settings.privateKeyPassphrase().ifPresent(p -> getCamelContext().getRegistry().bind(passphraseBean(name), p));
            health.register(name);
            templatedRoute(TEMPLATE)
                    .routeId(SourceRoutes.routeId(name))
                    .parameter("source", name)
                    // "" or master:<namespace>: (leader-only on a cluster, see Leadership)
                    .parameter("leader", leadership.consumerPrefix(name))
                    .parameter("server", settings.host() + ":" + settings.port())
                    .parameter("directory", settings.path())
                    .parameter("options", options(settings, source, filterBean, pollStrategyBean));
            LOG.infof("Source %s polls sftp://%s/%s (done: %s, error: %s, host key: %s)", name, settings.server(),
                    settings.path(), settings.deleteAfterSuccess() ? "delete" : settings.donePath(),
                    settings.errorPath(), settings.strictHostKeyChecking() ? "checked against "
                            + settings.effectiveKnownHosts() : "NOT checked");
        }
    }

    static String passwordBean(String source) {
        return "mayanIngestSftpPassword-" + source;
    }

    static String passphraseBean(String source) {
        return "mayanIngestSftpPassphrase-" + source;
    }

    static String options(SftpSettings s, SourceConfig source, String filterBean, String pollStrategyBean) {
        long stable = source.stableFor().toMillis();
        List<String> options = new ArrayList<>();
        options.add("username=RAW(" + s.username() + ")");
        s.password().ifPresent(p -> options.add("password=#bean:" + passwordBean(s.name())));
        s.privateKeyFile().ifPresent(k -> options.add("privateKeyFile=" + k));
        s.privateKeyPassphrase().ifPresent(p -> options.add("privateKeyPassphrase=#bean:" + passphraseBean(s.name())));
        if (s.strictHostKeyChecking()) {
            options.add("strictHostKeyChecking=yes");
            if (s.knownHostsFile().isPresent()) {
                options.add("knownHostsFile=" + s.knownHostsFile().get());
                options.add("useUserKnownHostsFile=false");
            } else {
                options.add("useUserKnownHostsFile=true");
            }
        } else {
            options.add("strictHostKeyChecking=no");
            options.add("useUserKnownHostsFile=false");
        }
        options.add("noop=true");
        // Not idempotent: a file left in place after a transient failure must be picked up again.
        options.add("idempotent=false");
        options.add("recursive=" + source.recursive());
        options.add("filter=#" + filterBean);
        options.add("pollStrategy=#" + pollStrategyBean);
        // The poll strategy reports a failed poll once, with its reason; not a stack trace per poll.
        options.add("exceptionHandler=#" + pollStrategyBean + "-errors");
        // A source that cannot connect polls ten times less often after three failures in a row.
        options.add("backoffErrorThreshold=3");
        options.add("backoffMultiplier=10");
        // A failed login or host-key check must reach the poll strategy (readiness) rather than a log line.
        options.add("throwExceptionOnConnectFailed=true");
        options.add("maximumReconnectAttempts=0");
        // Never create the source directory on the server: a vanished directory is a fault to report.
        options.add("autoCreate=false");
        // Camel streams each file into the spool (claim check) and deletes that copy when the exchange
        // completes. (streamDownload=true handed us a stream that read as empty with jsch 2.27 + MINA.)
        options.add("localWorkDirectory=" + s.spoolPath().resolve(SftpSourceMapper.DOWNLOADS));
        options.add("stepwise=false");
        options.add("readLock=changed");
        options.add("readLockMinAge=" + stable);
        options.add("readLockMinLength=0");
        options.add("readLockCheckInterval=" + Math.max(100, Math.min(1000, stable / 2)));
        options.add("readLockTimeout=" + Math.max(10_000, stable * 10));
        options.add("readLockLoggingLevel=DEBUG");
        options.add("delay=" + source.pollInterval().toMillis());
        options.add("sortBy=file:modified");
        options.add("connectTimeout=15000");
        options.add("timeout=60000");
        return String.join("&", options);
    }
}
