package io.mayaningest.metrics;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mayaningest.FakeMayanResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The metrics a dashboard reads, read back from {@code /q/metrics} in Prometheus format after a known
 * run: n good files and k bad ones in one folder source give exactly n ingested and k failed.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class IngestMetricsTest {

    private static final String AUTH = "Bearer " + FakeMayanResource.OPERATOR_TOKEN;
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Path plain = FakeMayanResource.inbox("plain");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    @Test
    void afterAKnownRunTheCountersAndGaugesSayExactlyWhatHappened() throws IOException {
        int n = 3;
        int k = 2;
        List<Sample> before = scrape();
        double ingested0 = value(before, "mayan_ingest_items_total", "source", "plain", "outcome", "ingested");
        double failed0 = value(before, "mayan_ingest_items_total", "source", "plain", "outcome", "failed");
        double permanent0 = value(before, "mayan_ingest_failures_total", "source", "plain", "cause", "permanent");
        double quarantined0 = value(before, "mayan_ingest_quarantined", "source", "plain");
        double timed0 = value(before, "mayan_ingest_ingest_duration_seconds_count", "source", "plain");
        double waited0 = value(before, "mayan_ingest_file_wait_seconds_count", "source", "plain");

        String marker = UUID.randomUUID().toString().substring(0, 8);
        List<String> good = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "metrics_" + marker + "_good" + i + ".pdf";
            good.add(name);
            drop(plain, name, pdf(name));
        }
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            String name = "metrics_" + marker + "_bad" + i + ".pdf";
            bad.add(name);
            drop(plain, name, new byte[0]); // empty: refused permanently, quarantined with a reason
        }
        good.forEach(name -> awaitDone(plain, name));
        for (String name : bad) {
            awaitError(plain, name);
        }

        // The counters are written in the item's thread before the source is acknowledged; the in-flight
        // gauge drops when the source route's exchange completes, just after.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Sample> after = scrape();
            assertThat(value(after, "mayan_ingest_items_total", "source", "plain", "outcome", "ingested") - ingested0)
                    .isEqualTo(n);
            assertThat(value(after, "mayan_ingest_items_total", "source", "plain", "outcome", "failed") - failed0)
                    .isEqualTo(k);
            assertThat(value(after, "mayan_ingest_failures_total", "source", "plain", "cause", "permanent") - permanent0)
                    .isEqualTo(k);
            assertThat(value(after, "mayan_ingest_quarantined", "source", "plain") - quarantined0).isEqualTo(k);
            assertThat(value(after, "mayan_ingest_ingest_duration_seconds_count", "source", "plain") - timed0)
                    .isEqualTo(n);
            assertThat(value(after, "mayan_ingest_file_wait_seconds_count", "source", "plain") - waited0)
                    .isEqualTo(n);
            assertThat(value(after, "mayan_ingest_in_flight", "source", "plain")).isZero();
            assertThat(value(after, "mayan_ingest_oldest_waiting_seconds", "source", "plain")).isZero();
            // Calls by endpoint template: ids are folded so the label's values stay few.
            assertThat(after).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("mayan_ingest_mayan_calls_total");
                assertThat(s.labels().get("endpoint")).contains("{id}");
                assertThat(s.labels().get("status")).isEqualTo("200");
            });
            assertThat(after).noneSatisfy(s -> assertThat(s.labels().getOrDefault("endpoint", "")).containsPattern("/\\d+/"));
            assertThat(after).anySatisfy(s -> assertThat(s.name()).isEqualTo("mayan_ingest_ingest_duration_seconds_bucket"));
        });
        theDashboardAndTheAlertRulesUseOnlyMetricsTheServiceExposes(scrape());
    }

    /** docker/grafana's dashboard and docker/prometheus' alert rules name only metrics that exist. */
    private static void theDashboardAndTheAlertRulesUseOnlyMetricsTheServiceExposes(List<Sample> exposed) throws IOException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        exposed.forEach(s -> names.add(s.name()));
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of("docker/grafana/mayan-ingest-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        com.fasterxml.jackson.databind.JsonNode rules = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(Path.of("docker/prometheus/alerts.yml").toFile());
        rules.path("groups").forEach(g -> g.path("rules").forEach(r -> expressions.add(r.path("expr").asText())));
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(12);
        Pattern metric = Pattern.compile("mayan_ingest_[a-z_]+");
        java.util.Set<String> used = new java.util.TreeSet<>();
        for (String expr : expressions) {
            Matcher m = metric.matcher(expr);
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertThat(used).as("metrics named by the dashboard and the alert rules").isNotEmpty();
        assertThat(names).as("metrics exposed on /q/metrics").containsAll(used);
    }

    @Test
    void theMetricsNeedTheOperatorsCredentials() {
        given().get("/q/metrics").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").get("/q/metrics").then().statusCode(401);
    }

    static List<Sample> scrape() {
        String text = given().header("Authorization", AUTH).get("/q/metrics").then().statusCode(200).extract().asString();
        return parse(text);
    }

    /** Prometheus' text format: {@code name{label="value",...} number}, comments skipped. */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return samples;
    }

    /** The sample's value with exactly these labels among its own (0 when absent: a counter not yet counted). */
    static double value(List<Sample> samples, String name, String... labelPairs) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        }).mapToDouble(Sample::value).sum();
    }
}
