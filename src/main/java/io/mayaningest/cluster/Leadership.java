package io.mayaningest.cluster;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Which sources only the leader replica reads, and the consumer URI prefix that makes it so: a source
 * with {@code leader-only=true} on a cluster (kind file or kubernetes) consumes through Camel's
 * {@code master:<namespace>:<its own uri>}, so its consumer runs only on the replica that holds the
 * source's lock or lease, and starts on another one when that replica goes away. The namespace is per
 * source ({@value #NAMESPACE_PREFIX}{@code <source>}): two mailboxes may be led by different replicas.
 * <p>
 * The delegate URI is the source's own, unchanged: its secrets stay in the registry ({@code #bean:...}).
 */
@ApplicationScoped
public class Leadership {

    public static final String NAMESPACE_PREFIX = "mayan-ingest-";
    /** The source kinds {@code leader-only} applies to, and whether it defaults to true for them. */
    private static final Map<String, Boolean> DEFAULT_LEADER_ONLY = Map.of("imap", true, "pop3", true,
            "file", false, "sftp", false);
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private final IngestConfig config;
    private final ClusterKind kind;
    private final Map<String, Boolean> leaderOnly;

    public Leadership(IngestConfig config) {
        this.config = config;
        this.kind = ClusterKind.of(config.cluster().kind());
        Map<String, Boolean> sources = new TreeMap<>();
        config.sources().forEach((name, source) -> leaderOnly(name, source).ifPresent(v -> sources.put(name, v)));
        this.leaderOnly = sources;
        if (kind == ClusterKind.NONE) {
            Set<String> asked = new java.util.TreeSet<>();
            sources.forEach((name, v) -> {
                if (v) {
                    asked.add(name);
                }
            });
            if (!asked.isEmpty()) {
                LOG.infof("ingest.cluster.kind=none: one instance reads every source; leader-only (%s) has no effect",
                        String.join(", ", asked));
            }
        }
    }

    private static Optional<Boolean> leaderOnly(String name, SourceConfig source) {
        Boolean byDefault = DEFAULT_LEADER_ONLY.get(source.kind());
        if (byDefault == null) {
            if (source.leaderOnly().orElse(false)) {
                throw new IllegalArgumentException("ingest.sources." + name + ".leader-only=true applies to sources of"
                        + " kind file, sftp, imap and pop3, not " + source.kind() + " (remove it)");
            }
            return Optional.empty();
        }
        return Optional.of(source.leaderOnly().orElse(byDefault));
    }

    public ClusterKind kind() {
        return kind;
    }

    /** Whether only the leader replica reads this source (never with kind none). */
    public boolean leaderOnly(String source) {
        return kind != ClusterKind.NONE && leaderOnly.getOrDefault(source, false);
    }

    /** The sources only the leader reads, by name. */
    public Set<String> leaderOnlySources() {
        Set<String> out = new java.util.TreeSet<>();
        for (String source : leaderOnly.keySet()) {
            if (leaderOnly(source)) {
                out.add(source);
            }
        }
        return out;
    }

    /** What goes before a source's consumer URI: {@code ""} or {@code master:<namespace>:}. */
    public String consumerPrefix(String source) {
        return leaderOnly(source) ? "master:" + namespace(source) + ":" : "";
    }

    /**
     * The cluster namespace of a source: the name of its lock file (kind file) and part of its Lease's
     * name (kind kubernetes, which allows lower-case letters, digits, '-' and '.'). A source name with
     * other characters gets a short hash so that two such names never share a namespace.
     */
    public static String namespace(String source) {
        String safe = source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        if (!safe.equals(source)) {
            safe = safe + "-" + String.format("%08x", source.hashCode());
        }
        return NAMESPACE_PREFIX + safe;
    }

    IngestConfig config() {
        return config;
    }
}
