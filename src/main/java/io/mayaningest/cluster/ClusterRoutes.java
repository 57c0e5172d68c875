package io.mayaningest.cluster;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mayaningest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.jboss.logging.Logger;

/**
 * Puts the configured cluster service into the Camel context (where the {@code master:} consumers of
 * the leader-only sources find it), and logs each change of a source's leader. No routes of its own.
 * <p>
 * Why not a CDI producer: Camel's main would pick a {@link CamelClusterService} bean up from the
 * registry, but a producer cannot leave the bean out for kind none at run time; adding it here does
 * exactly what Camel's main does with such a bean ({@code CamelContext#addService}), only when asked.
 */
@ApplicationScoped
public class ClusterRoutes extends RouteBuilder {

    private static final Logger LOG = Logger.getLogger(ClusterRoutes.class);

    private final Leadership leadership;
    private final IngestConfig config;
    private final Instance<KubernetesClient> kubernetes;
    /** Leader-only source → whether this replica leads it now (what readiness shows). */
    private final Map<String, Boolean> leading = new ConcurrentHashMap<>();
    private volatile CamelClusterService service;

    public ClusterRoutes(Leadership leadership, IngestConfig config, Instance<KubernetesClient> kubernetes) {
        this.leadership = leadership;
        this.config = config;
        this.kubernetes = kubernetes;
    }

    @Override
    public void configure() throws Exception {
        ClusterKind kind = leadership.kind();
        if (kind == ClusterKind.NONE) {
            return;
        }
        service = switch (kind) {
            case FILE -> ClusterServices.file(config.cluster().file(), memberId());
            // A client of its own, configured as Quarkus configures the pod's (in-cluster service account, or
            // quarkus.kubernetes-client.* / KUBERNETES_MASTER): Camel closes the client it is given when it stops.
            case KUBERNETES -> ClusterServices.kubernetes(ClusterServices.LeaseSettings.of(config.cluster().kubernetes()),
                    new KubernetesClientBuilder().withConfig(kubernetes.get().getConfiguration()).build());
            case NONE -> throw new IllegalStateException();
        };
        getCamelContext().addService(service);
        for (String source : leadership.leaderOnlySources()) {
            // Every replica starts so: a file-lock view says nothing until it holds the lock.
            LOG.infof("Source %s: standby (not leader) until this replica holds its %s", source,
                    kind == ClusterKind.FILE ? "lock" : "lease");
            service.getView(Leadership.namespace(source)).addEventListener(new LeaderLog(source));
        }
        LOG.infof("Cluster %s (%s): only the leader reads %s; the other sources are read by every replica",
                kind.value(), where(kind), leadership.leaderOnlySources().isEmpty() ? "no source"
                        : String.join(", ", leadership.leaderOnlySources()));
    }

    private String where(ClusterKind kind) {
        return kind == ClusterKind.FILE
                ? "lock files in " + config.cluster().file().root().orElse("") + ", member " + service.getId()
                : "Leases, member " + service.getId();
    }

    /** Leader-only sources and whether this replica leads each now; empty with kind none. */
    public Map<String, Boolean> leading() {
        Map<String, Boolean> out = new java.util.TreeMap<>();
        if (service != null) {
            leadership.leaderOnlySources().forEach(s -> out.put(s, leading.getOrDefault(s, false)));
        }
        return out;
    }

    public Optional<CamelClusterService> service() {
        return Optional.ofNullable(service);
    }

    /** kind=file: this replica's name in logs (the lock itself needs none): host and process id. */
    private static String memberId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    private final class LeaderLog implements CamelClusterEventListener.Leadership {
        private final String source;

        LeaderLog(String source) {
            this.source = source;
        }

        @Override
        public void leadershipChanged(CamelClusterView view, CamelClusterMember leader) {
            boolean mine = view.getLocalMember().isLeader();
            Boolean before = leading.put(source, mine);
            if (before == null || before != mine) {
                if (mine) {
                    LOG.infof("Source %s: this replica (%s) became leader and reads it now", source,
                            view.getLocalMember().getId());
                } else {
                    LOG.infof("Source %s: standby (not leader; leader: %s)", source,
                            leader == null ? "none yet" : leader.getId());
                }
            }
        }
    }
}
