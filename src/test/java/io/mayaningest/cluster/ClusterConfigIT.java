package io.mayaningest.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.it.ServiceProcess;
import org.junit.jupiter.api.Test;

/**
 * A cluster configuration the service cannot honour stops the packaged service at start-up, naming the
 * property and what is allowed, instead of running every replica as the leader.
 */
class ClusterConfigIT {

    private static String startAndFail(Map<String, String> extra) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "it", "cluster-config-" + UUID.randomUUID()).toAbsolutePath());
        Map<String, String> config = new HashMap<>(Map.of("mayan.url", "http://127.0.0.1:9",
                "ingest.sources.mailbox.kind", "imap",
                "ingest.sources.mailbox.host", "127.0.0.1",
                "ingest.sources.mailbox.username", "intake"));
        config.putAll(extra);
        ServiceProcess service = new ServiceProcess(work, config, Map.of(), List.of("-Xmx128m"));
        int exit = service.runToExit(Duration.ofSeconds(120));
        String log = service.logText();
        assertThat(exit).as(log).isNotZero();
        assertThat(log).doesNotContain("Listening on");
        return log;
    }

    @Test
    void anUnknownClusterKindStopsStartUpWithTheAllowedKinds() throws Exception {
        String log = startAndFail(Map.of("ingest.cluster.kind", "zookeeper"));
        assertThat(log).contains("ingest.cluster.kind=zookeeper is not a cluster kind; allowed: none, file, kubernetes");
    }

    @Test
    void aFileClusterWithoutItsSharedRootStopsStartUpNamingIt() throws Exception {
        String log = startAndFail(Map.of("ingest.cluster.kind", "file"));
        assertThat(log).contains("ingest.cluster.file.root is required with ingest.cluster.kind=file");
    }
}
