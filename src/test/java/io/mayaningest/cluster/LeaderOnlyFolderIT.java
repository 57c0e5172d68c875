package io.mayaningest.cluster;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.mayaningest.Fixtures;
import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.Test;

/**
 * A folder source with leader-only=true on a file-lock cluster: the packaged service consumes it
 * through master: (its file consumer unchanged behind it) once it holds the source's lock, and a
 * folder without leader-only next to it is read directly.
 */
class LeaderOnlyFolderIT {

    @Test
    void aLeaderOnlyFolderIsReadByTheLockHolderThroughMaster() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "it", "leader-folder-" + UUID.randomUUID()).toAbsolutePath());
        Path led = Files.createDirectories(work.resolve("led"));
        Path free = Files.createDirectories(work.resolve("free"));
        try (FakeMayan mayan = FakeMayan.start().withToken("t")) {
            Fixtures.create(mayan);
            Map<String, String> c = new HashMap<>();
            c.put("mayan.url", mayan.baseUrl());
            c.put("mayan.health-interval", "1s");
            c.put("ingest.cluster.kind", "file");
            c.put("ingest.cluster.file.root", work.resolve("cluster").toString());
            c.put("ingest.cluster.file.acquire-lock-delay", "0s");
            c.put("ingest.cluster.file.acquire-lock-interval", "1s");
            for (Map.Entry<String, Path> s : Map.of("led", led, "free", free).entrySet()) {
                String p = "ingest.sources." + s.getKey() + ".";
                c.put(p + "kind", "file");
                c.put(p + "path", s.getValue().toString());
                c.put(p + "poll-interval", "200ms");
                c.put(p + "stable-for", "200ms");
            }
            c.put("ingest.sources.led.leader-only", "true");
            ServiceProcess service = new ServiceProcess(work.resolve("service"), c, Map.of("MAYAN_TOKEN", "t"),
                    List.of("-Xmx160m", "-XX:+UseSerialGC"));
            try (service) {
                service.start();
                Set<String> expected = new HashSet<>();
                for (Path folder : List.of(led, free)) {
                    for (int i = 0; i < 3; i++) {
                        byte[] content = pdf(folder.getFileName() + " " + i + " " + UUID.randomUUID());
                        drop(folder, "doc" + i + ".pdf", content);
                        expected.add(sha256(content));
                    }
                }
                // Done: in Mayan with its checksum and moved to .done/ (the acknowledgement after Mayan confirmed it).
                await().atMost(Duration.ofSeconds(60)).until(() -> done(led) == 3 && done(free) == 3);
                assertThat(mayan.documents()).extracting(d -> d.latestFile().map(f -> f.sha256()).orElse(""))
                        .containsExactlyInAnyOrderElementsOf(expected);
                String log = service.logText();
                assertThat(log).contains("Started source-led (master:mayan-ingest-led:file:")
                        .contains("Source led: this replica (")
                        .containsPattern("Started source-free \\(file:");
                // The readiness check ingest-leader names only the leader-only source.
                assertThat(service.get("/q/health/ready")).contains("\"source.led\": \"leader\"")
                        .doesNotContain("\"source.free\": \"leader\"").doesNotContain("\"source.free\": \"standby");
                System.out.println("LEADER: leader-only folder through master: and a plain folder: "
                        + mayan.documents().size() + " documents of " + expected.size());
            }
        }
    }

    private static long done(Path folder) throws java.io.IOException {
        Path done = folder.resolve(".done");
        if (!Files.isDirectory(done)) {
            return 0;
        }
        try (var files = Files.list(done)) {
            return files.count();
        }
    }
}
