package io.mayaningest.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kind=kubernetes against the Kubernetes API test server (fabric8's mock server in CRUD mode, from
 * quarkus-test-kubernetes-client): two Camel contexts, each with the cluster service that
 * {@link ClusterServices#kubernetes} builds for its pod, each with a {@code master:} route on the same
 * namespace. Exactly one holds the coordination.k8s.io Lease and runs its consumer; when it stops and
 * its pod goes away, the other takes the lease within retry period + lease duration and starts its consumer.
 */
class KubernetesLeaseTest {

    private static final String NAMESPACE = "intake";
    private static final String SOURCE = "mailbox";
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration RENEW = Duration.ofSeconds(3);
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "mayan-ingest");

    private KubernetesMockServer server;
    private KubernetesClient client;
    private final Map<String, CamelContext> contexts = new HashMap<>();
    private final Map<String, AtomicInteger> consumed = new HashMap<>();

    @BeforeEach
    void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init();
        client = server.createClient().inNamespace(NAMESPACE);
        // The pods of the deployment: Camel lets a pod lead only while it is among the pods the cluster
        // labels select that are Running and Ready.
        for (String pod : List.of("pod-a", "pod-b")) {
            client.pods().resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(NAMESPACE)
                    .withLabels(LABELS).endMetadata()
                    .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
                    .endCondition().endStatus().build()).create();
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (CamelContext c : contexts.values()) {
            c.stop();
        }
        client.close();
        server.destroy();
    }

    private CamelContext replica(String pod) throws Exception {
        ClusterServices.LeaseSettings settings = new ClusterServices.LeaseSettings(Optional.of(NAMESPACE), LEASE, RENEW,
                RETRY, Optional.of(pod), "leaders", ClusterServices.labels(List.of("app.kubernetes.io/name=mayan-ingest")));
        // A client per replica, as each pod has its own: Camel closes the client when the service stops.
        KubernetesClusterService service = ClusterServices.kubernetes(settings, server.createClient());
        CamelContext context = new DefaultCamelContext();
        context.addService(service);
        AtomicInteger count = new AtomicInteger();
        consumed.put(pod, count);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // What a leader-only source's route starts with (Leadership#consumerPrefix), on a timer.
                from("master:" + Leadership.namespace(SOURCE) + ":timer:" + pod + "?period=100").routeId("source-" + pod)
                        .process(e -> count.incrementAndGet());
            }
        });
        context.start();
        contexts.put(pod, context);
        return context;
    }

    private static boolean leads(CamelContext context) {
        return context.hasService(KubernetesClusterService.class).isLeader(Leadership.namespace(SOURCE));
    }

    private Optional<String> holder() {
        Lease lease = client.leases().withName("leaders-" + Leadership.namespace(SOURCE)).get();
        return Optional.ofNullable(lease).map(l -> l.getSpec().getHolderIdentity());
    }

    @Test
    void oneReplicaHoldsTheLeaseAndTheOtherTakesItWhenTheFirstStops() throws Exception {
        CamelContext a = replica("pod-a");
        await().atMost(Duration.ofSeconds(20)).until(() -> holder().isPresent() && leads(a));
        CamelContext b = replica("pod-b");
        assertThat(holder()).contains("pod-a");
        // While pod-a holds the lease, pod-b stays standby through more than a lease duration: one leader only.
        await().during(LEASE.plus(RETRY.multipliedBy(2))).atMost(LEASE.plusSeconds(5))
                .until(() -> leads(a) && !leads(b) && consumed.get("pod-b").get() == 0);
        assertThat(consumed.get("pod-a").get()).isPositive();

        // The first pod goes away as Kubernetes ends a pod (rollout, scale-down, drain): its process stops
        // and the pod leaves the API. Camel takes a lease only from a holder whose pod is no longer among
        // the Running and Ready pods of the cluster labels (not on renew time alone), then waits a
        // lease duration before it starts its consumers.
        long stopped = System.nanoTime();
        a.stop();
        contexts.remove("pod-a");
        client.pods().withName("pod-a").delete();
        await().atMost(LEASE.plus(RETRY.multipliedBy(4)).plusSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> leads(b));
        long handOverMs = (System.nanoTime() - stopped) / 1_000_000;
        await().atMost(Duration.ofSeconds(10)).until(() -> consumed.get("pod-b").get() > 0);
        long consumingMs = (System.nanoTime() - stopped) / 1_000_000;
        assertThat(holder()).contains("pod-b");
        System.out.printf("LEASE: lease-duration %d ms, renew-deadline %d ms, retry-period %d ms; leader pod stopped and deleted ->"
                + " other pod leads after %d ms, its consumer runs after %d ms (Lease %s held by %s)%n", LEASE.toMillis(),
                RENEW.toMillis(), RETRY.toMillis(), handOverMs, consumingMs, "leaders-" + Leadership.namespace(SOURCE),
                holder().orElse("?"));
        // The documented bound: retry period (jittered by Camel's factor 1.2) + lease duration, not more;
        // and not less than the lease duration Camel waits for the old leader to shut down.
        assertThat(handOverMs).isGreaterThanOrEqualTo(LEASE.toMillis())
                .isLessThan(LEASE.plus(RETRY.multipliedBy(3)).toMillis() + 1000);
    }
}
