package io.mayaningest.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The cluster kind, the namespaces and the Kubernetes labels, without Camel. */
class LeadershipTest {

    @Test
    void theKindIsOneOfThreeAndAnUnknownOneNamesThePropertyAndTheAllowedValues() {
        assertThat(ClusterKind.of("none")).isEqualTo(ClusterKind.NONE);
        assertThat(ClusterKind.of(" File ")).isEqualTo(ClusterKind.FILE);
        assertThat(ClusterKind.of("kubernetes")).isEqualTo(ClusterKind.KUBERNETES);
        assertThatThrownBy(() -> ClusterKind.of("k8s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ingest.cluster.kind=k8s is not a cluster kind; allowed: none, file, kubernetes");
    }

    @Test
    void eachSourceHasANamespaceOfItsOwnThatIsAValidFileAndLeaseName() {
        assertThat(Leadership.namespace("mailbox")).isEqualTo("mayan-ingest-mailbox");
        String odd = Leadership.namespace("Finance_Mail");
        String other = Leadership.namespace("finance-mail");
        assertThat(odd).matches("[a-z0-9.-]+").isNotEqualTo(other).startsWith("mayan-ingest-finance-mail-");
    }

    @Test
    void clusterLabelsAreKeyValuePairs() {
        assertThat(ClusterServices.labels(List.of("app.kubernetes.io/name=mayan-ingest", " tier = intake ")))
                .isEqualTo(Map.of("app.kubernetes.io/name", "mayan-ingest", "tier", "intake"));
        assertThatThrownBy(() -> ClusterServices.labels(List.of("mayan-ingest")))
                .hasMessageContaining("ingest.cluster.kubernetes.cluster-labels: \"mayan-ingest\" is not key=value");
    }
}
