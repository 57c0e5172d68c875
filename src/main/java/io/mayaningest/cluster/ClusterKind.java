package io.mayaningest.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code ingest.cluster.kind}: how replicas agree on the one that reads each leader-only source. */
public enum ClusterKind {
    /** One instance: every source reads here; {@code leader-only} has no effect. */
    NONE,
    /** A lock file per source in a directory all replicas share (Camel's FileLockClusterService). */
    FILE,
    /** A coordination.k8s.io Lease per source (Camel's KubernetesClusterService). */
    KUBERNETES;

    public static final String PROPERTY = "ingest.cluster.kind";

    /** The configured kind; an unknown value is a configuration error naming the property and the allowed values. */
    public static ClusterKind of(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (ClusterKind kind : values()) {
            if (kind.value().equals(v)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(PROPERTY + "=" + value + " is not a cluster kind; allowed: "
                + Arrays.stream(values()).map(ClusterKind::value).collect(Collectors.joining(", ")));
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
