package io.mayaningest.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mayaningest.config.IngestConfig;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;

/**
 * Builds Camel's own cluster services from our keys; nothing here decides who leads.
 * <p>
 * kind=file is Camel's {@link FileLockClusterService}, built here rather than by the
 * camel-quarkus-file-cluster-service extension: the extension's settings
 * ({@code quarkus.camel.cluster.file.*}) are fixed at build time and it creates its service whenever
 * it is enabled, while the kind is chosen at run time; so the extension is disabled in
 * application.properties ({@code quarkus.camel.cluster.file.enabled=false}) and only provides the
 * classes. kind=kubernetes is Camel's {@link KubernetesClusterService} on coordination.k8s.io Leases
 * (its default {@link LeaseResourceType#Lease}), on the Kubernetes client Quarkus configures for the pod
 * (in-cluster service account, or {@code quarkus.kubernetes-client.*} / KUBERNETES_MASTER outside).
 */
public final class ClusterServices {

    public static final String SERVICE_ID = "mayan-ingest";

    private ClusterServices() {
    }

    /** kind=file: a lock file per namespace in {@code root}, which must exist or be creatable. */
    public static FileLockClusterService file(IngestConfig.ClusterFile settings, String memberId) throws Exception {
        String root = settings.root().filter(r -> !r.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "ingest.cluster.file.root is required with ingest.cluster.kind=file: a directory every replica shares"));
        Path dir = Files.createDirectories(Path.of(root).toAbsolutePath().normalize());
        FileLockClusterService service = new FileLockClusterService();
        service.setId(memberId);
        service.setRoot(dir.toString());
        service.setAcquireLockDelay(positive(settings.acquireLockDelay(), "ingest.cluster.file.acquire-lock-delay", true),
                TimeUnit.MILLISECONDS);
        service.setAcquireLockInterval(positive(settings.acquireLockInterval(),
                "ingest.cluster.file.acquire-lock-interval", false), TimeUnit.MILLISECONDS);
        return service;
    }

    /** kind=kubernetes settings, as plain values (what {@link #kubernetes} needs). */
    public record LeaseSettings(Optional<String> namespace, Duration leaseDuration, Duration renewDeadline,
            Duration retryPeriod, Optional<String> podName, String leasePrefix, Map<String, String> clusterLabels) {

        public static LeaseSettings of(IngestConfig.ClusterKubernetes k) {
            return new LeaseSettings(k.namespace().filter(s -> !s.isBlank()), k.leaseDuration(), k.renewDeadline(),
                    k.retryPeriod(), k.podName().filter(s -> !s.isBlank()), k.leasePrefix(), labels(k.clusterLabels()));
        }
    }

    /**
     * kind=kubernetes: Camel's lease-based cluster service on the given client, which it owns from then
     * on: Camel closes it when the service stops.
     * <p>
     * How Camel (4.14) decides, read in its KubernetesLeadershipController: the members are the pods the
     * cluster labels select that are Running and Ready; a Lease holder stays leader while its pod is
     * among them (the renew time alone does not end it). When it is not, another member takes the Lease
     * at its next look (retry period, jittered by 1.2) and starts its consumers a lease duration later,
     * leaving the old leader that long to stop. A pod that is not Ready never leads.
     */
    public static KubernetesClusterService kubernetes(LeaseSettings s, KubernetesClient client) {
        String pod = s.podName().or(() -> Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()))
                .orElseThrow(() -> new IllegalArgumentException("ingest.cluster.kubernetes.pod-name is required with"
                        + " ingest.cluster.kind=kubernetes when HOSTNAME is not set"));
        String namespace = s.namespace().or(() -> Optional.ofNullable(client.getNamespace()))
                .orElseThrow(() -> new IllegalArgumentException("ingest.cluster.kubernetes.namespace is required with"
                        + " ingest.cluster.kind=kubernetes outside a pod"));
        long lease = positive(s.leaseDuration(), "ingest.cluster.kubernetes.lease-duration", false);
        long renew = positive(s.renewDeadline(), "ingest.cluster.kubernetes.renew-deadline", false);
        long retry = positive(s.retryPeriod(), "ingest.cluster.kubernetes.retry-period", false);
        // Camel checks these too (at the first view), but its message names its own fields, not our keys.
        if (!(retry < renew && renew < lease)) {
            throw new IllegalArgumentException("ingest.cluster.kubernetes: retry-period (" + s.retryPeriod()
                    + ") < renew-deadline (" + s.renewDeadline() + ") < lease-duration (" + s.leaseDuration()
                    + ") is required");
        }
        KubernetesConfiguration configuration = new KubernetesConfiguration();
        configuration.setKubernetesClient(client);
        KubernetesClusterService service = new KubernetesClusterService(configuration);
        service.setId(SERVICE_ID + "-" + pod);
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setKubernetesNamespace(namespace);
        service.setKubernetesResourceName(s.leasePrefix());
        service.setPodName(pod);
        service.setClusterLabels(s.clusterLabels());
        service.setLeaseDurationMillis(lease);
        service.setRenewDeadlineMillis(renew);
        service.setRetryPeriodMillis(retry);
        return service;
    }

    /** {@code key=value} entries as a map; a malformed one is a configuration error. */
    static Map<String, String> labels(List<String> entries) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String entry : entries) {
            String e = entry.strip();
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("ingest.cluster.kubernetes.cluster-labels: \"" + e
                        + "\" is not key=value");
            }
            labels.put(e.substring(0, eq).strip(), e.substring(eq + 1).strip());
        }
        return labels;
    }

    private static long positive(Duration d, String property, boolean zeroAllowed) {
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(property + "=" + d + " must be " + (zeroAllowed ? "0 or more" : "more than 0"));
        }
        return d.toMillis();
    }

    /** Type of the service, for logs. */
    static String describe(CamelClusterService service) {
        return service.getClass().getSimpleName() + " " + service.getId();
    }
}
