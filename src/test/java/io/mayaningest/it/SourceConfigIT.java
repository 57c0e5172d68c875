package io.mayaningest.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * A source configuration the service cannot honour stops the packaged service at start-up, with a
 * message naming the property and what is allowed, instead of running with part of it ignored.
 */
class SourceConfigIT {

    private static String startAndFail(Map<String, String> sources) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "it", "config-" + UUID.randomUUID()).toAbsolutePath());
        Map<String, String> config = new HashMap<>(Map.of("mayan.url", "http://127.0.0.1:9"));
        config.putAll(sources);
        ServiceProcess service = new ServiceProcess(work, config, Map.of(), List.of("-Xmx128m"));
        int exit = service.runToExit(Duration.ofSeconds(120));
        String log = service.logText();
        assertThat(exit).as(log).isNotZero();
        assertThat(log).doesNotContain("Listening on");
        return log;
    }

    @Test
    void anUnknownKindStopsStartUpWithTheAllowedKinds() throws Exception {
        String log = startAndFail(Map.of(
                "ingest.sources.partner.kind", "ftp",
                "ingest.sources.partner.path", "outgoing"));
        assertThat(log).contains("ingest.sources.partner.kind=ftp is not a source kind;"
                + " allowed: file, http, imap, jms, pop3, route, sftp");
    }

    @Test
    void anUnknownKeyStopsStartUpNamingItWithItsFileAndLine() throws Exception {
        String log = startAndFail(Map.of(
                "ingest.sources.inbox.kind", "file",
                "ingest.sources.inbox.path", "inbox",
                "ingest.sources.inbox.pol-interval", "1s"));
        // SmallRye Config refuses it before the service's own check runs.
        assertThat(log).containsPattern("SRCFG00050: ingest.sources.inbox.pol-interval in PropertiesConfigSource"
                + "\\[source=file:[^\\]]*/config/application.properties]:\\d+ does not map to any root");
    }

    @Test
    void aMissingRequiredKeyStopsStartUpNamingIt() throws Exception {
        String log = startAndFail(Map.of(
                "ingest.sources.orders.kind", "jms",
                "ingest.sources.orders.dead-letter-destination", "orders.failed"));
        assertThat(log).contains("ingest.sources.orders.destination is required for a source of kind jms"
                + " (its required settings: destination)");
    }

    @Test
    void anHttpSourceWithoutClientsOrWithAnUnknownClientStopsStartUpNamingIt() throws Exception {
        String log = startAndFail(Map.of(
                "ingest.sources.scans.kind", "http",
                "ingest.sources.scans.when-mayan-unreachable", "queue",
                "ingest.sources.erp.kind", "http",
                "ingest.sources.erp.clients", "sap",
                "ingest.api-clients.scanner.username", "scanner"));
        assertThat(log).contains("ingest.sources.scans.clients is required for a source of kind http")
                .contains("ingest.sources.scans.anonymous=true")
                .contains("ingest.sources.scans.when-mayan-unreachable=queue is not allowed; allowed: refuse, spool")
                .contains("ingest.sources.erp.clients names \"sap\", but there is no ingest.api-clients.sap.token"
                        + " (or .username and .password); configured clients: scanner");
    }
}
