package io.mayaningest.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.it.ServiceProcess;
import org.junit.jupiter.api.Test;

/**
 * {@code concurrent-consumers} is the JMS name of {@code concurrency}: the packaged service refuses to
 * start when both are given with different numbers (or a number below 1), and when it is given to a
 * source of another kind, naming the properties.
 */
class JmsConsumersConfigIT {

    private static String startAndFail(Map<String, String> source) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "it", "jms-consumers-" + UUID.randomUUID()).toAbsolutePath());
        Map<String, String> config = new java.util.HashMap<>(Map.of("mayan.url", "http://127.0.0.1:9",
                "ingest.sources.orders.kind", "jms", "ingest.sources.orders.destination", "orders.in"));
        config.putAll(source);
        ServiceProcess service = new ServiceProcess(work, config, Map.of(), List.of("-Xmx128m"));
        int exit = service.runToExit(Duration.ofSeconds(120));
        String log = service.logText();
        assertThat(exit).as(log).isNotZero();
        assertThat(log).doesNotContain("Listening on");
        return log;
    }

    @Test
    void concurrentConsumersAndConcurrencyThatDisagreeStopStartUpNamingBoth() throws Exception {
        String log = startAndFail(Map.of(
                "ingest.sources.orders.concurrent-consumers", "4",
                "ingest.sources.orders.concurrency", "2"));
        assertThat(log).contains("ingest.sources.orders.concurrent-consumers=4 and ingest.sources.orders.concurrency=2"
                + " are the same setting of a jms source and disagree; set only one of them");
    }

    @Test
    void concurrentConsumersOnAFolderSourceStopsStartUpNamingConcurrency() throws Exception {
        String log = startAndFail(Map.of(
                "ingest.sources.inbox.kind", "file",
                "ingest.sources.inbox.path", "inbox",
                "ingest.sources.inbox.concurrent-consumers", "2"));
        assertThat(log).contains("ingest.sources.inbox.concurrent-consumers is a setting of sources of kind jms;"
                + " for kind file use ingest.sources.inbox.concurrency");
    }

    @Test
    void noConsumerAtAllStopsStartUp() throws Exception {
        String log = startAndFail(Map.of("ingest.sources.orders.concurrent-consumers", "0"));
        assertThat(log).contains("ingest.sources.orders.concurrent-consumers=0 is not allowed; use 1 or more");
    }
}
