package io.mayaningest.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.config.MayanConfig;
import io.mayaningest.mayan.MayanGate;
import io.mayaningest.mayan.MayanLookups;
import io.mayaningest.core.IngestException;
import io.mayaningest.pipeline.Resolver.Problem;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.jboss.logging.Logger;

/**
 * The configuration check against Mayan: every name a source's fixed mapping gives (its document type,
 * the metadata types of constant metadata values and their attachment to that type, constant tags and
 * cabinets) must exist in Mayan. A source naming something that does not is down (readiness, the
 * console) with every missing name and the property to correct, and takes nothing meanwhile; the other
 * sources run. Values with placeholders and what sidecars, headers or upload fields give are checked per
 * item, as before (Resolver).
 * <p>
 * Checked at start-up and then every {@code mayan.health-interval} while Mayan answers. The names come
 * from {@link MayanLookups}, so a check usually costs no request: the lists are read again when their
 * {@code mayan.lookup-cache-ttl} has passed, and at once for a name that is missing. So a type created in
 * Mayan brings its source back within one interval, and one deleted in Mayan takes it down once the
 * cache expires; no restart either way.
 * <p>
 * Why a down source waits rather than failing its items: the fault is the configuration's (or Mayan's
 * set-up), not the item's, and every item would fail the same way. Quarantining them would leave the
 * operator a pile to replay after the fix; waiting loses nothing and the fix alone resumes the source.
 * Folders and SFTP directories are not read (the files stay where they are), mails are left unseen, the
 * JMS consumer is suspended (messages stay on the queue, with no redelivery count spent), route callers
 * get a transient failure and upload clients a 503 (both keep their document and send it again).
 */
@Startup
@ApplicationScoped
public class MappingCheck {

    private static final Logger LOG = Logger.getLogger(MappingCheck.class);

    private final IngestConfig config;
    private final MayanLookups lookups;
    private final MayanGate gate;
    private final SourceHealth health;
    private final Instance<CamelContext> camel;
    private final ScheduledExecutorService checker;

    public MappingCheck(IngestConfig config, MayanConfig mayan, MayanLookups lookups, MayanGate gate,
            SourceHealth health, Instance<CamelContext> camel) {
        this.config = config;
        this.lookups = lookups;
        this.gate = gate;
        this.health = health;
        this.camel = camel;
        checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mapping-check");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, mayan.healthInterval().toMillis());
        // The first check runs at once, before a folder's first poll has a stable file (Camel's first poll
        // waits a second, then stable-for): a missing type is found before any item could fail on it.
        checker.scheduleWithFixedDelay(this::checkQuietly, 0, period, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        checker.shutdownNow();
    }

    /**
     * Whether a source that fetches its items (folder, SFTP, mail, JMS) may take one: once its mapping
     * has been checked, and not while it names something Mayan lacks. Before the first check (it runs
     * at start-up, and at once when Mayan first answers) such a source waits too, so an item present at
     * start-up is never taken before the check and quarantined for a name the check would have reported.
     */
    public boolean ready(String source) {
        return health.mappingChecked(source) && !health.mappingDown(source);
    }

    /**
     * Whether a source whose items are pushed to it (an upload, a route's exchange) may take one: not
     * while its mapping names something Mayan lacks. Before the first check an item is validated against
     * Mayan per item, as before; its sender gets the answer and keeps its document either way.
     */
    public boolean accepts(String source) {
        return !health.mappingDown(source);
    }

    public SourceHealth.Status status(String source) {
        return health.status(source);
    }

    /**
     * For an item already taken: a transient failure (the item stays with its sender or on its queue)
     * while the source may not take it. {@code pulled}: a folder, SFTP, mail or JMS source ({@link #ready}),
     * else {@link #accepts}.
     */
    public void admit(String source, boolean pulled) {
        if (pulled ? !ready(source) : !accepts(source)) {
            SourceHealth.Status status = health.status(source);
            throw IngestException.transientFailure(status == null || status.up()
                    ? "source " + source + " waits for its first mapping check"
                    : "source " + source + " takes nothing until its mapping is fixed: " + status.reason(),
                    status == null || status.up() ? "wait; it is checked once Mayan answers" : status.fix(), null);
        }
    }

    private void checkQuietly() {
        try {
            checkAll();
        } catch (RuntimeException e) {
            LOG.warnf(e, "The mapping check could not run; it is tried again");
        }
    }

    /** Checks every enabled source while Mayan answers; a source whose check fails keeps its last state. */
    public void checkAll() {
        if (!gate.isOpen()) {
            return;
        }
        for (Map.Entry<String, SourceConfig> e : new java.util.TreeMap<>(config.sources()).entrySet()) {
            if (!e.getValue().enabled()) {
                continue;
            }
            String name = e.getKey();
            List<Problem> problems;
            try {
                problems = problems(name, e.getValue());
            } catch (IngestException failure) {
                // Mayan did not answer a lookup: not the mapping's fault. The gate reports Mayan itself.
                LOG.debugf("Mapping check of source %s deferred: %s", name, failure.getMessage());
                return;
            } catch (RuntimeException bug) {
                // A check that cannot run must not hold the source back for ever: its items are then
                // validated one by one before their upload, as without this check.
                LOG.warnf(bug, "Mapping check of source %s failed; its items are checked one by one", name);
                problems = List.of();
            }
            if (problems.isEmpty()) {
                health.mappingUp(name);
            } else {
                health.mappingDown(name, String.join("; ", problems.stream().map(Problem::reason).toList()),
                        String.join("; ", problems.stream().map(Problem::fix).distinct().toList()));
            }
            suspendOrResume(name, e.getValue(), problems.isEmpty());
        }
    }

    /** What of the source's fixed mapping is missing in Mayan, each with the property that names it. */
    List<Problem> problems(String name, SourceConfig source) {
        String prefix = "ingest.sources." + name + ".";
        List<Problem> problems = new ArrayList<>();
        String typeLabel = source.documentType();
        Optional<MayanLookups.DocumentType> type = lookups.documentType(typeLabel);
        if (type.isEmpty()) {
            problems.add(new Problem("document_type", "document type \"" + typeLabel + "\" does not exist in Mayan",
                    "create the document type \"" + typeLabel + "\" in Mayan or correct " + prefix + "document-type"));
        }
        for (Map.Entry<String, String> m : new java.util.TreeMap<>(source.metadata()).entrySet()) {
            if (!constant(m.getValue())) {
                continue;
            }
            String property = prefix + "metadata." + m.getKey();
            Optional<MayanLookups.MetadataType> metadata = lookups.metadataType(m.getKey());
            if (metadata.isEmpty()) {
                problems.add(new Problem("metadata." + m.getKey(), "metadata type \"" + m.getKey()
                        + "\" does not exist in Mayan", "create the metadata type \"" + m.getKey()
                                + "\" in Mayan (its name, not its label) or correct " + property));
            } else if (type.isPresent() && lookups.attachment(type.get().id(), metadata.get().id()).isEmpty()) {
                problems.add(new Problem("metadata." + m.getKey(), "metadata type \"" + m.getKey()
                        + "\" is not attached to document type \"" + typeLabel + "\"", "attach it in Mayan (Setup,"
                                + " Document types, " + typeLabel + ", Metadata types) or remove " + property));
            }
        }
        for (String tag : source.tags().orElse(List.of())) {
            String label = tag.strip();
            if (!label.isEmpty() && constant(label) && lookups.tag(label).isEmpty()) {
                problems.add(new Problem("tags", "tag \"" + label + "\" does not exist in Mayan",
                        "create the tag \"" + label + "\" in Mayan or correct " + prefix + "tags"));
            }
        }
        for (String cabinet : source.cabinets().orElse(List.of())) {
            String path = MayanLookups.normalisePath(cabinet);
            if (!path.isEmpty() && constant(path) && lookups.cabinet(path).isEmpty()) {
                problems.add(new Problem("cabinets", "cabinet \"" + path + "\" does not exist in Mayan",
                        "create the cabinet \"" + path + "\" in Mayan (levels separated by \"/\") or correct " + prefix
                                + "cabinets"));
            }
        }
        return problems;
    }

    /** A value without placeholders: the same for every item, so it can be checked before any arrives. */
    static boolean constant(String template) {
        return template != null && !template.contains("{");
    }

    /**
     * A JMS listener cannot be held back by a filter the way a poll can: it is suspended, so messages stay
     * on the queue untouched, and resumed once the mapping is right.
     */
    private void suspendOrResume(String name, SourceConfig source, boolean ready) {
        if (!"jms".equals(source.kind()) || !camel.isResolvable()) {
            return;
        }
        CamelContext context = camel.get();
        String routeId = "source-" + name;
        try {
            ServiceStatus status = context.getRouteController().getRouteStatus(routeId);
            if (!ready && status == ServiceStatus.Started) {
                context.getRouteController().suspendRoute(routeId);
                LOG.infof("Source %s: its JMS consumer is suspended until its mapping is fixed", name);
            } else if (ready && status == ServiceStatus.Suspended) {
                context.getRouteController().resumeRoute(routeId);
                LOG.infof("Source %s: its JMS consumer resumes", name);
            }
        } catch (Exception e) {
            LOG.warnf(e, "Source %s: its JMS consumer could not be %s", name, ready ? "resumed" : "suspended");
        }
    }
}
