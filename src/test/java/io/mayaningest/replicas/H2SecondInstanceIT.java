package io.mayaningest.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.Test;

/**
 * H2 stays the one-instance ledger: a second process on the same H2 file is refused at start with a
 * message that names the file and says to use PostgreSQL for replicas; the first goes on unharmed.
 */
class H2SecondInstanceIT {

    @Test
    void aSecondInstanceOnTheSameH2LedgerIsRefused() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "it", "h2-second-" + UUID.randomUUID()).toAbsolutePath());
        Path data = work.resolve("shared-data");
        try (FakeMayan mayan = FakeMayan.start().withToken("t")) {
            Map<String, String> config = Map.of("mayan.url", mayan.baseUrl(), "ingest.data-dir", data.toString());
            List<String> jvm = List.of("-Xmx128m", "-XX:+UseSerialGC");
            try (ServiceProcess first = new ServiceProcess(work.resolve("first"), config, Map.of("MAYAN_TOKEN", "t"), jvm);
                    ServiceProcess second = new ServiceProcess(work.resolve("second"), config, Map.of("MAYAN_TOKEN", "t"),
                            jvm)) {
                first.start();
                int exit = second.runToExit(Duration.ofMinutes(2));
                String log = second.logText();
                String line = log.lines().filter(l -> l.contains("is open in another Mayan Ingest process")).findFirst()
                        .orElse("");
                System.out.println("REPLICAS: second instance on one H2 ledger: exit " + exit + ": " + line);
                assertThat(exit).as("the second instance's exit code").isNotZero();
                assertThat(line).as("the refusal in %s", second.log())
                        .contains(data.resolve("ledger.mv.db").toString()).contains("use PostgreSQL")
                        .contains("quarkus.datasource.pg.");
                assertThat(first.status("/q/health/live")).as("the first instance still runs").isEqualTo(200);
            }
        }
    }
}
