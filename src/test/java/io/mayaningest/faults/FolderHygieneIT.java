package io.mayaningest.faults;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.testing.FakeDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the folder source does with hostile or odd input, seen from outside: the packaged service as a
 * process, the Mayan test double, and what ends up in Mayan, in done/ and error/, and in the service's
 * log. One process for all tests, four sources: {@code plain} (defaults), {@code tree} (recursive),
 * {@code linked} ({@code follow-symlinks=true}) and the fault tests' drawings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FolderHygieneIT {

    /** Identifier characters only, so that a JSON parser's message would quote all of it. */
    private static final String SECRET = "s3cr3t" + UUID.randomUUID().toString().replace("-", "");
    private static final String FORGED = "2026-01-01 00:00:00,000 ERROR [forged]";

    private FaultRun run;
    private Path plain;
    private Path tree;
    private Path linked;
    private Path outside;

    @BeforeAll
    void start() throws IOException {
        run = new FaultRun("hygiene");
        plain = Files.createDirectories(run.work.resolve("plain"));
        tree = Files.createDirectories(run.work.resolve("tree"));
        linked = Files.createDirectories(run.work.resolve("linked"));
        outside = Files.createDirectories(run.work.resolve("outside"));
        Map<String, String> config = new HashMap<>();
        source(config, "plain", plain);
        source(config, "tree", tree);
        config.put("ingest.sources.tree.recursive", "true");
        source(config, "linked", linked);
        config.put("ingest.sources.linked.follow-symlinks", "true");
        // The token in the service's own configuration file, as many installations have it.
        config.put("mayan.token", FaultRun.TOKEN);
        run.service(config, Map.of()).start();
    }

    @AfterAll
    void stop() throws Exception {
        run.close();
    }

    @Test
    void symbolicLinksAreNotFollowedAndOnlyTheLinkMoves() throws Exception {
        Path configFile = run.work.resolve("config").resolve("application.properties");
        Files.createSymbolicLink(plain.resolve("config.pdf"), configFile);

        Path secret = Files.writeString(outside.resolve("secret.json"), SECRET);
        Files.createSymbolicLink(plain.resolve("linked-sidecar.pdf.json"), secret);
        drop(plain, "linked-sidecar.pdf", pdf("linked sidecar"));

        Path elsewhere = Files.createDirectories(run.work.resolve("elsewhere"));
        drop(elsewhere, "outside.pdf", pdf("outside"));
        Files.createSymbolicLink(tree.resolve("elsewhere"), elsewhere);

        JsonNode config = awaitError(plain, "config.pdf");
        assertThat(config.path("reason").asText()).contains("\"config.pdf\" is a symbolic link (to " + configFile,
                "links are not followed");
        assertThat(config.path("fix").asText()).contains("ingest.sources.plain.follow-symlinks=true");
        assertThat(plain.resolve(".error").resolve("config.pdf")).isSymbolicLink();
        assertThat(configFile).isRegularFile();

        JsonNode sidecar = awaitError(plain, "linked-sidecar.pdf");
        assertThat(sidecar.path("reason").asText()).contains("sidecar linked-sidecar.pdf.json is a symbolic link");
        assertThat(plain.resolve(".error").resolve("linked-sidecar.pdf.json")).isSymbolicLink();
        assertThat(secret).hasContent(SECRET);

        JsonNode folder = awaitError(tree, "elsewhere");
        assertThat(folder.path("reason").asText()).contains("\"elsewhere\" is a symbolic link to a folder",
                "links to folders are never entered");
        assertThat(tree.resolve(".error").resolve("elsewhere")).isSymbolicLink();
        assertThat(elsewhere.resolve("outside.pdf")).as("the linked folder's file stays where it is").isRegularFile();

        assertThat(run.mayan.documents()).extracting(FakeDocument::label)
                .doesNotContain("config.pdf", "linked-sidecar.pdf", "outside.pdf");
        for (JsonNode report : List.of(config, sidecar, folder)) {
            assertThat(report.toString()).doesNotContain(SECRET, FaultRun.TOKEN);
        }
        assertThat(run.service.logText()).doesNotContain(SECRET, FaultRun.TOKEN);
    }

    @Test
    void withFollowSymlinksTheTargetIsIngestedAndOnlyTheLinkMoves() throws Exception {
        byte[] content = pdf("shared " + UUID.randomUUID());
        Path target = drop(Files.createDirectories(run.work.resolve("shared")), "shared.pdf", content);
        Files.createSymbolicLink(linked.resolve("shared.pdf"), target);

        Path done = awaitDone(linked, "shared.pdf");
        assertThat(done).isSymbolicLink();
        assertThat(target).isRegularFile().hasBinaryContent(content);
        FakeDocument doc = run.mayan.documentByLabel("shared.pdf").orElseThrow();
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
    }

    @Test
    void namesAndReasonsNeverForgeALogLine() throws Exception {
        String forgedName = "forged\n" + FORGED + " NAME.pdf";
        drop(plain, forgedName, pdf("forged name"));
        drop(plain, "forged-reason.pdf.json", "{\"document_type\": \"Nope\\r\\n" + FORGED + " REASON\"}");
        drop(plain, "forged-reason.pdf", pdf("forged reason"));
        drop(plain, "quoted.pdf.json", "{\"label\": " + SECRET + "}");
        drop(plain, "quoted.pdf", pdf("quoted"));

        awaitError(plain, forgedName);
        awaitError(plain, "forged-reason.pdf");
        JsonNode quoted = awaitError(plain, "quoted.pdf");
        await().atMost(Duration.ofSeconds(30)).until(() -> run.service.logText().contains("quoted.pdf\""));

        String log = run.service.logText();
        assertThat(log).contains("forged\\u000A" + FORGED + " NAME.pdf", "Nope\\u000D\\u000A" + FORGED + " REASON");
        try (Stream<String> lines = log.lines()) {
            assertThat(lines.filter(l -> l.startsWith(FORGED))).as("forged lines in %s", run.service.log()).isEmpty();
        }
        // The parser's message would quote the token; the reason says where and what kind of error instead.
        assertThat(quoted.path("reason").asText()).contains("sidecar quoted.pdf.json is not valid JSON: a syntax error at"
                + " line 1, column").doesNotContain(SECRET);
        assertThat(quoted.path("fix").asText()).contains("line 1, column");
        assertThat(log).doesNotContain(SECRET);
    }

    @Test
    void aSidecarIsFoundWhateverUnicodeNormalFormEitherNameHas() throws Exception {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "file names are not UTF-8 here");
        String nfc = "M\u00fcller-" + UUID.randomUUID() + ".pdf";
        String nfd = Normalizer.normalize(nfc, Normalizer.Form.NFD);
        assertThat(nfd).isNotEqualTo(nfc);
        // The document as a Mac writes it (NFD), the sidecar as Windows does (NFC) ...
        drop(plain, nfc + ".json", "{\"label\": \"decomposed document " + nfc + "\"}");
        drop(plain, nfd, pdf("nfd"));
        // ... and the other way round.
        String other = "J\u00f6rg-" + UUID.randomUUID() + ".pdf";
        drop(plain, Normalizer.normalize(other, Normalizer.Form.NFD) + ".yaml", "label: composed document " + other + "\n");
        drop(plain, other, pdf("nfc"));

        awaitDone(plain, nfd);
        awaitDone(plain, other);
        assertThat(run.mayan.documentByLabel("decomposed document " + nfc)).isPresent();
        assertThat(run.mayan.documentByLabel("composed document " + other)).isPresent();
        // Each sidecar went to done/ under its document's name.
        assertThat(plain.resolve(".done").resolve(nfd + ".json")).isRegularFile();
        assertThat(plain.resolve(".done").resolve(other + ".yaml")).isRegularFile();
    }

    @Test
    void namesNearThe255ByteLimitStillGetAUniqueNameInDoneAndAnErrorReport() throws Exception {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "file names are not UTF-8 here");
        String name = "\u20ac".repeat(82) + ".pdf"; // 246 + 4 = 250 bytes
        assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(250);
        byte[] first = pdf("long 1 " + UUID.randomUUID());
        byte[] second = pdf("long 2 " + UUID.randomUUID());
        drop(plain, name, first);
        awaitDone(plain, name);
        // Same name again: done/ has one, so this one needs <stem>-<stamp>-<id8>.pdf, 25 bytes longer.
        drop(plain, name, second);
        await().atMost(Duration.ofSeconds(30)).until(() -> doneNamesStartingWith("\u20ac".repeat(20)).size() == 2);
        for (String done : doneNamesStartingWith("\u20ac".repeat(20))) {
            assertThat(done.getBytes(StandardCharsets.UTF_8).length).as(done).isLessThanOrEqualTo(255);
            assertThat(done).endsWith(".pdf");
        }
        assertThat(run.mayan.documents().stream().filter(d -> d.label().equals(name))
                .map(d -> d.latestFile().orElseThrow().checksum())).containsExactlyInAnyOrder(sha256(first), sha256(second));
        assertThat(plain.resolve(name)).doesNotExist();

        // In error/, <name>.error.json would be 261 bytes: the name is shortened and the report keeps the original.
        String bad = "\u00e9".repeat(123) + ".pdf";
        drop(plain, bad + ".json", "{\"document_type\": \"Drawng\"}");
        drop(plain, bad, pdf("long bad"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(plain.resolve(bad)));
        // The file leaves the folder before its report is written: wait for the report (written whole, by rename).
        Path report = await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Stream<Path> reports = Files.list(plain.resolve(".error"))) {
                return reports.filter(p -> p.getFileName().toString().startsWith("\u00e9".repeat(20))
                        && p.getFileName().toString().endsWith(".error.json")).findFirst().orElse(null);
            }
        }, java.util.Objects::nonNull);
        JsonNode r = new ObjectMapper().readTree(report.toFile());
        assertThat(r.path("file").asText()).isEqualTo(bad);
        String stored = r.path("storedAs").asText();
        assertThat(report.getFileName().toString()).isEqualTo(stored + ".error.json");
        assertThat(report.getFileName().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(plain.resolve(".error").resolve(stored)).isRegularFile();
        assertThat(plain.resolve(".error").resolve(stored + ".json")).isRegularFile();
        assertThat(r.path("reason").asText()).contains("document type \"Drawng\" does not exist");
    }

    private List<String> doneNamesStartingWith(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(plain.resolve(".done"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        }
    }

    private static void source(Map<String, String> config, String name, Path folder) {
        String prefix = "ingest.sources." + name + ".";
        config.put(prefix + "kind", "file");
        config.put(prefix + "path", folder.toString());
        config.put(prefix + "poll-interval", "200ms");
        config.put(prefix + "stable-for", "300ms");
    }
}
