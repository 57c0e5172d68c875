package io.mayaningest.it;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.Fixtures;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with {@code QUARKUS_LOG_CONSOLE_JSON=true}, as README says to switch JSON logs on:
 * every line it writes, from the first boot line to the last shutdown line, is one JSON object; the
 * lines about an item carry its ingest id, source and file name in {@code mdc}; one item's id never
 * rides on the next item's lines; and no secret is in any of them.
 */
class JsonLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String mayanToken = "jsonlog-mtok-" + UUID.randomUUID().toString().substring(0, 12);
    private final String operatorToken = "jsonlog-otok-" + UUID.randomUUID().toString().substring(0, 12);

    private FakeMayan mayan;
    private Path work;
    private Path inbox;

    @BeforeEach
    void setUp() throws Exception {
        mayan = FakeMayan.start().withToken(mayanToken);
        Fixtures.create(mayan);
        work = Files.createDirectories(Path.of("target", "it", "jsonlogs-" + UUID.randomUUID()).toAbsolutePath());
        inbox = work.resolve("inbox");
    }

    @AfterEach
    void tearDown() {
        mayan.close();
    }

    @Test
    void everyLineIsJsonAndItemLinesCarryTheirIngestIdSourceAndFile() throws Exception {
        Map<String, String> config = Map.of(
                "mayan.url", mayan.baseUrl(),
                "mayan.poll-initial-delay", "100ms",
                "mayan.poll-max-delay", "300ms",
                "ingest.sources.inbox.kind", "file",
                "ingest.sources.inbox.path", inbox.toString(),
                "ingest.sources.inbox.poll-interval", "200ms",
                "ingest.sources.inbox.stable-for", "300ms");
        ServiceProcess service = new ServiceProcess(work, config, Map.of("MAYAN_TOKEN", mayanToken,
                "INGEST_OPERATOR_TOKEN", operatorToken, "QUARKUS_LOG_CONSOLE_JSON", "true"), List.of("-Xmx128m"));
        String good = "good-" + UUID.randomUUID() + ".pdf";
        String bad = "bad-" + UUID.randomUUID() + ".pdf";
        try {
            service.start();
            drop(inbox, good, pdf(good));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(inbox.resolve(".done").resolve(good)));
            drop(inbox, bad + ".json", "{\"document_type\": \"Drawng\"}");
            drop(inbox, bad, pdf(bad));
            Path report = inbox.resolve(".error").resolve(bad + ".error.json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(report));
            String badId = JSON.readTree(report.toFile()).path("ingestId").asText();
            assertThat(badId).isNotEmpty();
            service.stop();

            List<JsonNode> lines = new ArrayList<>();
            for (String line : service.logText().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (Exception e) {
                    throw new AssertionError("not a JSON line: " + line, e);
                }
                assertThat(node.isObject()).as(line).isTrue();
                assertThat(node.path("timestamp").asText()).as(line).isNotEmpty();
                assertThat(node.path("level").asText()).as(line).isNotEmpty();
                assertThat(node.path("loggerName").asText()).as(line).isNotEmpty();
                assertThat(node.has("message")).as(line).isTrue();
                lines.add(node);
            }
            assertThat(lines.get(0).path("loggerName").asText()).as("the first line, written while Quarkus boots")
                    .doesNotStartWith("io.mayaningest");
            assertThat(lines.get(lines.size() - 1).path("message").asText()).contains("stopped");

            JsonNode ingested = only(lines, "Ingested", good);
            String goodId = ingested.path("mdc").path("ingestId").asText();
            assertThat(goodId).as(ingested.toString()).isNotEmpty();
            assertThat(ingested.path("mdc").path("source").asText()).isEqualTo("inbox");
            assertThat(ingested.path("mdc").path("file").asText()).isEqualTo(good);

            JsonNode failed = only(lines, "Drawng", bad);
            assertThat(failed.path("mdc").path("ingestId").asText()).as(failed.toString()).isEqualTo(badId);
            assertThat(failed.path("mdc").path("source").asText()).isEqualTo("inbox");
            assertThat(failed.path("mdc").path("file").asText()).isEqualTo(bad);

            for (JsonNode line : lines) {
                String message = line.path("message").asText();
                String id = line.path("mdc").path("ingestId").asText();
                if (!id.isEmpty()) {
                    // A line with an ingest id names its item by source and file, and never the other item.
                    assertThat(line.path("mdc").path("source").asText()).as(line.toString()).isEqualTo("inbox");
                    assertThat(line.path("mdc").path("file").asText()).as(line.toString())
                            .isEqualTo(id.equals(goodId) ? good : bad);
                    assertThat(message).as(line.toString()).doesNotContain(id.equals(goodId) ? bad : good);
                }
                if (message.contains(bad)) {
                    assertThat(id).as("a line about " + bad + ": " + line).isNotEqualTo(goodId);
                }
            }
            String all = service.logText();
            assertThat(all).doesNotContain(mayanToken).doesNotContain(operatorToken);
        } finally {
            service.stop();
        }
    }

    private static JsonNode only(List<JsonNode> lines, String marker, String name) {
        List<JsonNode> found = lines.stream().filter(l -> l.path("message").asText().contains(marker)
                && l.path("message").asText().contains(name)).toList();
        assertThat(found).as("lines with \"" + marker + "\" and " + name).isNotEmpty();
        return found.get(0);
    }
}
