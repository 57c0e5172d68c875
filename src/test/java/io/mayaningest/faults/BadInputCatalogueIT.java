package io.mayaningest.faults;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.Test;

/**
 * What a person finds when a file cannot be ingested, case by case: the catalogue below is the list of
 * bad inputs the service recognises, each with the words its {@code .error.json} must use.
 * <p>
 * All file-level cases run against one service process with three watched folders, one case at a
 * time, with a good file dropped before each case and two after the last: every bad file ends in
 * error/ with its sidecar, a {@code reason} naming the cause and a {@code fix}; every good file is in
 * Mayan exactly once; and nothing else reached Mayan except the two documents whose failure came after
 * the upload (and whose reason names them). The service-level causes (wrong credentials, a URL that
 * is not Mayan) are not the files' fault: there the files wait in place and readiness says why.
 */
class BadInputCatalogueIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code file.name} label, Default type, no pattern; sidecars give the rest. */
    private static final String PLAIN = "plain";
    /** The drawings mapping of every fault test: pattern, metadata, two tags, a cabinet. */
    private static final String DRAWINGS = "drawings";
    /** A label template that uses a placeholder the pattern does not define. */
    private static final String TYPO = "typo";
    private static final int MAX_FILE_SIZE = 8192;

    /** One bad input: what is dropped where, what is armed in Mayan first, and what the reason must say. */
    static final class Case {
        final String name;
        final String source;
        final String file;
        byte[] content;
        String sidecarSuffix;
        String sidecar;
        Consumer<FakeMayan> arm = m -> {
        };
        List<String> reasons = List.of();
        BiConsumer<FakeMayan, JsonNode> check = (m, report) -> {
        };
        /** Done right after the file is dropped, while the service works on it (the dropped file is given). */
        BiConsumer<FakeMayan, Path> during = (m, file) -> {
        };
        String skipped;
        /** Whether the item's document was created in Mayan before the failure (it is not a stray). */
        boolean createsDocument;

        Case(String name, String source, String file) {
            this.name = name;
            this.source = source;
            this.file = file;
            this.content = pdf(name + " " + UUID.randomUUID());
        }

        Case json(String text) {
            return sidecar(".json", text);
        }

        Case yaml(String text) {
            return sidecar(".yaml", text);
        }

        Case sidecar(String suffix, String text) {
            sidecarSuffix = suffix;
            sidecar = text;
            return this;
        }

        Case content(byte[] bytes) {
            content = bytes;
            return this;
        }

        Case arm(Consumer<FakeMayan> action) {
            arm = action;
            return this;
        }

        Case reason(String... fragments) {
            reasons = List.of(fragments);
            return this;
        }

        Case check(BiConsumer<FakeMayan, JsonNode> extra) {
            check = extra;
            return this;
        }

        Case during(BiConsumer<FakeMayan, Path> action) {
            during = action;
            return this;
        }

        Case createsDocument() {
            createsDocument = true;
            return this;
        }

        Case skipUnless(boolean possible, String why) {
            skipped = possible ? null : why;
            return this;
        }

        /** What cannot be dropped as bytes (a link, a named pipe) is put into the folder by this instead. */
        Placer place;

        Case place(Placer placer) {
            place = placer;
            return this;
        }

        interface Placer {
            void into(Path folder) throws IOException;
        }
    }

    static Case bad(String name, String source, String file) {
        return new Case(name, source, file);
    }

    /** The catalogue. Fragments are what the reason must contain; every report must also have a fix. */
    static List<Case> catalogue(long existingDocument, Optional<Path> unreadable) {
        List<Case> all = new ArrayList<>(List.of(
                // --- the mapping, checked against Mayan before anything is uploaded
                bad("unknown document type", PLAIN, "unknown-type.pdf").json("{\"document_type\": \"Drawng\"}")
                        .reason("document type \"Drawng\" does not exist in Mayan", "existing types: Default, Drawing"),
                bad("metadata type unknown", PLAIN, "unknown-metadata.pdf").json("{\"metadata\": {\"colour\": \"red\"}}")
                        .reason("metadata type \"colour\" does not exist in Mayan"),
                bad("metadata type not attached", PLAIN, "orphan-metadata.pdf").json("{\"metadata\": {\"orphan\": \"x\"}}")
                        .reason("metadata type \"orphan\" is not attached to document type \"Default\""),
                bad("value fails the regular expression", PLAIN, "regex.pdf")
                        .json("{\"document_type\": \"Drawing\", \"metadata\": {\"drawing_no\": \"12A\", \"revision\": \"1\"}}")
                        .reason("metadata \"drawing_no\" value \"12A\" does not match the pattern"),
                bad("value not in the lookup list", PLAIN, "lookup.pdf")
                        .json("{\"document_type\": \"Invoice\", \"metadata\": {\"invoice_number\": \"1\", \"currency\": \"GBP\"}}")
                        .reason("metadata \"currency\" value \"GBP\" is not one of the options", "EUR, USD, CHF"),
                bad("required metadata missing", PLAIN, "required.pdf").json("{\"document_type\": \"Invoice\"}")
                        .reason("metadata \"invoice_number\" is required for document type \"Invoice\" but has no value"),
                bad("unknown tag", PLAIN, "unknown-tag.pdf").json("{\"tags\": [\"urgnet\"]}")
                        .reason("tag \"urgnet\" does not exist in Mayan", "existing tags:"),
                bad("unknown cabinet", PLAIN, "unknown-cabinet.pdf").json("{\"cabinets\": [\"Finance/2026\"]}")
                        .reason("cabinet \"Finance/2026\" does not exist in Mayan", "existing cabinets:"),
                bad("several problems at once", PLAIN, "several.pdf")
                        .json("{\"document_type\": \"Invoice\", \"metadata\": {\"currency\": \"GBP\"}, \"tags\": \"urgnet\"}")
                        .reason("\"invoice_number\" is required", "\"GBP\" is not one of the options", "tag \"urgnet\""),
                // --- the file itself
                bad("empty file", PLAIN, "empty.pdf").content(new byte[0])
                        .reason("the file is empty (0 bytes)"),
                bad("file above max-file-size", PLAIN, "too-large.pdf").content(new byte[10_000])
                        .reason("the file has 10000 bytes, more than the limit of " + MAX_FILE_SIZE + " bytes"),
                bad("unreadable file", PLAIN, "unreadable.pdf")
                        .skipUnless(unreadable.isPresent(), "no file on this machine that root cannot read")
                        .reason("the service may not read the file"),
                bad("tab in the file name", PLAIN, "tab\there.pdf")
                        .reason("the file name \"tab\\u0009here.pdf\" contains a control character (U+0009 at position 4)"),
                bad("bell character in the file name", PLAIN, "bell\u0007.pdf")
                        .reason("contains a control character (U+0007 at position 5)"),
                bad("line break in the file name", PLAIN, "line\nbreak.pdf")
                        .reason("contains a control character (U+000A at position 5)"),
                bad("file name not matching filename-pattern", DRAWINGS, "12345_rev1.pdf")
                        .reason("the file name does not match the filename-pattern"),
                bad("template placeholder without a value", TYPO, "200001_rev1.pdf")
                        .reason("ingest.sources.typo.label uses {number}, which has no value", "known: file.basename"),
                // --- the sidecar
                bad("sidecar not JSON", PLAIN, "not-json.pdf").json("{\"label\": ")
                        .reason("sidecar not-json.pdf.json is not valid JSON"),
                bad("sidecar YAML invalid", PLAIN, "bad-yaml.pdf").yaml("label: [unclosed\ntags: x\n")
                        .reason("sidecar bad-yaml.pdf.yaml is not valid YAML"),
                bad("sidecar empty", PLAIN, "empty-sidecar.pdf").json("")
                        .reason("sidecar empty-sidecar.pdf.json is empty"),
                bad("sidecar a JSON array", PLAIN, "array.pdf").json("[\"Invoice\"]")
                        .reason("sidecar array.pdf.json is not a JSON/YAML object"),
                bad("sidecar unknown key", PLAIN, "misspelt.pdf").json("{\"lable\": \"x\"}")
                        .reason("sidecar misspelt.pdf.json has an unknown key \"lable\""),
                bad("sidecar metadata not an object", PLAIN, "metadata-list.pdf").json("{\"metadata\": [\"a\"]}")
                        .reason("metadata must be an object of name: value"),
                bad("sidecar tags as an object", PLAIN, "tags-object.pdf").json("{\"tags\": {\"urgent\": true}}")
                        .reason("tags must be a list"),
                bad("sidecar label not text", PLAIN, "label-object.pdf").json("{\"label\": {\"text\": \"x\"}}")
                        .reason("label must be a text"),
                bad("sidecar document_id unknown", PLAIN, "ghost.pdf").json("{\"document_id\": 999999}")
                        .reason("document 999999 does not exist in Mayan"),
                bad("sidecar document_id not a number", PLAIN, "id-text.pdf").json("{\"document_id\": \"forty-two\"}")
                        .reason("document_id \"forty-two\" is not a document id"),
                bad("sidecar action invalid", PLAIN, "merge.pdf")
                        .json("{\"document_id\": " + existingDocument + ", \"action\": \"merge\"}")
                        .reason("action \"merge\" is not one of replace, append, keep"),
                // --- Mayan says no
                bad("Mayan 400 on upload", PLAIN, "mayan-400.pdf")
                        .arm(m -> m.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 400, 1))
                        .reason("Mayan rejected POST sources/1/actions/document_upload/execute/ with 400"),
                bad("Mayan 404 on upload (type vanished)", PLAIN, "mayan-404.pdf")
                        .arm(m -> m.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 404, 1))
                        .reason("no longer exists in Mayan or the service's user may no longer create documents of it (404 on the upload)"),
                bad("Mayan rejects a metadata value after the upload", DRAWINGS, "200002_rev1.pdf")
                        .arm(m -> m.failNext("POST", "/api/v4/documents/\\d+/metadata/", 400, 1))
                        .createsDocument()
                        .reason("Mayan rejected metadata ", " of \"200002_rev1.pdf\"", "was created; 400")
                        .check((m, report) -> {
                            long id = m.documentByLabel("Drawing 200002 rev 1").orElseThrow().id();
                            assertThat(report.path("reason").asText()).contains("(document " + id + " was created");
                            assertThat(report.path("fix").asText()).contains("document " + id);
                            assertThat(report.path("documentId").asLong()).isEqualTo(id);
                        }),
                bad("checksum mismatch reported by Mayan", PLAIN, "altered.pdf")
                        .arm(m -> m.alterNextUploads(1))
                        .createsDocument()
                        .reason("with checksum", "has SHA-256")
                        .check((m, report) -> {
                            long id = m.documentByLabel("altered.pdf").orElseThrow().id();
                            assertThat(report.path("reason").asText()).contains("of document " + id + " with checksum");
                            assertThat(report.path("fix").asText()).contains("altered on the way", "delete document " + id);
                            assertThat(report.path("documentId").asLong()).isEqualTo(id);
                        })));
        all.addAll(adviceCases());
        all.addAll(hygieneCases());
        all.addAll(ledgerCases());
        return all;
    }

    /**
     * Advice that depends on what really happened in Mayan or to the file: a document trashed while its
     * file is awaited, a file rewritten while it is uploaded, a proxy's upload limit.
     */
    static List<Case> adviceCases() {
        int[] uploadsBefore = new int[1];
        return List.of(
                bad("document trashed in Mayan while its file is awaited", PLAIN, "trashed.pdf")
                        .arm(m -> m.setProcessingPaused(true))
                        .during((m, file) -> {
                            try {
                                await().atMost(Duration.ofSeconds(30)).until(() -> m.documentByLabel("trashed.pdf").isPresent());
                                m.trashDocument(m.documentByLabel("trashed.pdf").orElseThrow().id());
                            } finally {
                                m.setProcessingPaused(false);
                            }
                        })
                        .reason("was moved to Mayan's trash while the service waited for Mayan to process its file")
                        .check((m, report) -> assertThat(report.path("fix").asText())
                                .contains("uploads the file again as a new document", "restore it from Mayan's trash")),
                bad("file rewritten while it is uploaded", PLAIN, "rewritten.pdf")
                        // Throttled uploads (429, Retry-After 1 s): the file is rewritten after it was hashed and
                        // before the upload that goes through reads it.
                        .arm(m -> {
                            uploadsBefore[0] = m.count("POST", FakeMayan.DOCUMENT_UPLOAD);
                            m.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 429, 2);
                        })
                        .during((m, file) -> {
                            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                                    .until(() -> m.count("POST", FakeMayan.DOCUMENT_UPLOAD) > uploadsBefore[0]);
                            try {
                                Files.write(file, pdf("rewritten in place " + UUID.randomUUID()));
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                        .createsDocument()
                        .reason("was changed while it was being uploaded", "(the changed content)")
                        .check((m, report) -> {
                            long id = m.documentByLabel("rewritten.pdf").orElseThrow().id();
                            assertThat(report.path("fix").asText()).contains("delete document " + id)
                                    .contains("replay the item once the file is complete").doesNotContain("proxy");
                        }),
                bad("upload larger than the proxy in front of Mayan takes", PLAIN, "too-large-for-proxy.pdf")
                        .arm(m -> m.failNext("POST", FakeMayan.DOCUMENT_UPLOAD, 413, 1))
                        .reason("refused POST sources/1/actions/document_upload/execute/ with 413: the file is larger than it accepts")
                        .check((m, report) -> assertThat(report.path("fix").asText()).contains("client_max_body_size")));
    }

    /**
     * Hostile or odd input: links (never followed by default: the drawings source has no
     * follow-symlinks), special files, sidecar values that are not texts, sidecars a tree would misread,
     * and a name near the file system's 255-byte limit.
     */
    static List<Case> hygieneCases() {
        String longName = "\u00fc".repeat(123) + ".pdf"; // 250 bytes in UTF-8, 127 characters
        return List.of(
                bad("symlinked file", DRAWINGS, "config-link.pdf")
                        // The service's own configuration, its Mayan token included (see the test's config).
                        .place(folder -> Files.createSymbolicLink(folder.resolve("config-link.pdf"),
                                folder.resolveSibling("config").resolve("application.properties")))
                        .reason("\"config-link.pdf\" is a symbolic link (to ", "links are not followed")
                        .check((m, report) -> assertThat(report.path("fix").asText()).contains("follow-symlinks=true")),
                bad("symlinked sidecar", DRAWINGS, "200003_rev1.pdf")
                        .place(folder -> {
                            Path secret = Files.writeString(folder.resolveSibling("secret.txt"), SECRET);
                            Files.createSymbolicLink(folder.resolve("200003_rev1.pdf.json"), secret);
                            drop(folder, "200003_rev1.pdf", pdf("linked sidecar"));
                        })
                        .reason("sidecar 200003_rev1.pdf.json is a symbolic link (to ", "links are not followed"),
                bad("named pipe instead of a file", DRAWINGS, "200004_rev1.pdf")
                        .skipUnless(Files.isExecutable(Path.of("/usr/bin/mkfifo")), "no mkfifo on this machine")
                        .place(folder -> mkfifo(folder.resolve("200004_rev1.pdf")))
                        .reason("\"200004_rev1.pdf\" is not a regular file (a named pipe"),
                bad("sidecar YAML value that is an object", PLAIN, "yaml-object.pdf")
                        .yaml("document_type: Invoice\nmetadata:\n  invoice_number:\n    no: 4711\n")
                        .reason("metadata \"invoice_number\" is an object, not a text"),
                bad("sidecar JSON value that is a list", PLAIN, "value-list.pdf")
                        .json("{\"document_type\": \"Invoice\", \"metadata\": {\"invoice_number\": \"1\","
                                + " \"currency\": [\"CHF\", \"EUR\"]}}")
                        .reason("metadata \"currency\" is a list, not a text"),
                bad("sidecar YAML tag that is a list", PLAIN, "tag-list.pdf").yaml("tags:\n  - urgent\n  - [a, b]\n")
                        .reason("tags element 2 is a list, not a text"),
                bad("sidecar document_id fractional", PLAIN, "fraction.pdf").json("{\"document_id\": 12.7}")
                        .reason("document_id \"12.7\" is not a document id (a whole number above 0)"),
                bad("sidecar key given twice", PLAIN, "twice.pdf").json("{\"label\": \"a\", \"label\": \"b\"}")
                        .reason("has the key \"label\" twice"),
                bad("sidecar YAML alias", PLAIN, "alias.pdf").yaml("label: &l Invoice 4711\ndescription: *l\n")
                        .reason("description is a YAML alias (*l)"),
                bad("sidecar with two YAML documents", PLAIN, "two-documents.pdf").yaml("label: a\n---\nlabel: b\n")
                        .reason("holds more than one YAML document"),
                bad("sidecar larger than 1 MiB", PLAIN, "huge-sidecar.pdf")
                        .json("{\"description\": \"" + "x".repeat(1024 * 1024) + "\"}")
                        .reason("has 1048595 bytes, more than the 1048576 a sidecar may have"),
                bad("250-byte file name", PLAIN, longName).json("{\"document_type\": \"Drawng\"}")
                        .reason("document type \"Drawng\" does not exist in Mayan")
                        .check((m, report) -> {
                            String stored = report.path("storedAs").asText();
                            assertThat(report.path("file").asText()).isEqualTo(longName);
                            assertThat(stored).endsWith(".pdf").startsWith("\u00fc".repeat(50));
                            assertThat((stored + ".error.json").getBytes(StandardCharsets.UTF_8))
                                    .hasSizeLessThanOrEqualTo(255);
                        }));
    }

    /** 200 characters: eleven of these as folders make a path longer than the ledger's old 2000-character key. */
    private static final String LONG_FOLDER = "folder-" + "x".repeat(193);

    /**
     * Items whose ledger row used to be the problem. A bad file deep below the folder, at a path longer
     * than the ledger's key column (VARCHAR(2000) before V4): it could not even be recorded, so it was
     * neither ingested nor quarantined and was retried for ever; now it is quarantined like any other,
     * in the same place below error/, with its reason.
     */
    static List<Case> ledgerCases() {
        String deep = String.join("/", java.util.Collections.nCopies(11, LONG_FOLDER)) + "/deep-unknown-tag.pdf";
        return List.of(bad("bad file at a path longer than 2000 characters", PLAIN, deep)
                .json("{\"tags\": [\"urgnet\"]}")
                .reason("tag \"urgnet\" does not exist in Mayan"));
    }

    /** Written behind a link into no report, no log line and no document. */
    static final String SECRET = "s3cr3t" + UUID.randomUUID().toString().replace("-", "");

    private static void mkfifo(Path path) throws IOException {
        try {
            Process p = new ProcessBuilder("/usr/bin/mkfifo", path.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("mkfifo " + path + " exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void everyBadInputEndsInErrorWithItsReasonAndEveryGoodFileArrivesOnce() throws Exception {
        try (FaultRun run = new FaultRun("bad-input")) {
            Path plain = Files.createDirectories(run.work.resolve("plain"));
            Path typo = Files.createDirectories(run.work.resolve("typo"));
            Map<String, Path> folders = Map.of(PLAIN, plain, DRAWINGS, run.inbox, TYPO, typo);
            long existing = run.mayan.createDocument(1, "Existing", pdf("existing"), "existing.pdf");
            Optional<Path> unreadable = unreadableFile();

            Map<String, String> config = new HashMap<>(source(PLAIN, plain));
            config.put("ingest.sources.plain.max-file-size", String.valueOf(MAX_FILE_SIZE));
            // The unreadable-file case is a link to a sysfs file (the one kind root cannot read): read through it.
            config.put("ingest.sources.plain.follow-symlinks", "true");
            // In the service's config file, so that the symlinked-file case links a file holding the token.
            config.put("mayan.token", FaultRun.TOKEN);
            config.put("ingest.sources.plain.recursive", "true");
            config.putAll(source(TYPO, typo));
            config.put("ingest.sources.typo.filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
            config.put("ingest.sources.typo.label", "Drawing {number}");
            run.service(config).start();

            Map<String, String> good = new LinkedHashMap<>();
            int goodFiles = 0;
            List<String> lines = new ArrayList<>();
            int documentsCreated = 0;
            for (Case c : catalogue(existing, unreadable)) {
                dropGood(run, plain, goodFiles++, good);
                if (c.skipped != null) {
                    lines.add(String.format("BAD INPUT %-48s SKIPPED: %s", c.name, c.skipped));
                    System.out.println(lines.get(lines.size() - 1));
                    continue;
                }
                Path folder = folders.get(c.source);
                Files.createDirectories(folder.resolve(c.file).getParent());
                c.arm.accept(run.mayan);
                if (c.sidecar != null) {
                    drop(folder, c.file + c.sidecarSuffix, c.sidecar);
                }
                if (c.name.equals("unreadable file")) {
                    Files.createSymbolicLink(folder.resolve(c.file), unreadable.orElseThrow());
                } else if (c.place != null) {
                    c.place.into(folder);
                } else {
                    drop(folder, c.file, c.content);
                }
                c.during.accept(run.mayan, folder.resolve(c.file));
                JsonNode report = awaitReport(folder, c.file, run.service);

                String reason = report.path("reason").asText();
                assertThat(reason).as("%s: reason", c.name).contains(c.reasons);
                assertThat(report.path("fix").asText()).as("%s: fix", c.name).isNotBlank();
                Path error = folder.resolve(".error");
                // The name in error/ is the file's own unless it had to be shortened (then the report says so).
                String stored = report.path("storedAs").asText(c.file);
                assertThat(Files.exists(error.resolve(stored), LinkOption.NOFOLLOW_LINKS)).as("%s: payload kept", c.name)
                        .isTrue();
                assertThat(Files.exists(folder.resolve(c.file), LinkOption.NOFOLLOW_LINKS))
                        .as("%s: payload gone from the folder", c.name).isFalse();
                if (c.sidecar != null) {
                    assertThat(error.resolve(stored + c.sidecarSuffix)).as("%s: sidecar kept", c.name).exists();
                    assertThat(folder.resolve(c.file + c.sidecarSuffix)).doesNotExist();
                }
                c.check.accept(run.mayan, report);
                documentsCreated += c.createsDocument ? 1 : 0;
                lines.add(String.format("BAD INPUT %-48s -> %s | fix: %s", c.name, reason, report.path("fix").asText()));
                System.out.println(lines.get(lines.size() - 1));
            }
            dropGood(run, plain, goodFiles++, good);
            dropGood(run, plain, goodFiles++, good);

            // Links were moved as links; what they point to was neither read into a report or the log, nor moved.
            assertThat(run.inbox.resolve(".error").resolve("config-link.pdf")).isSymbolicLink();
            assertThat(run.inbox.resolve(".error").resolve("200003_rev1.pdf.json")).isSymbolicLink();
            assertThat(run.work.resolve("config").resolve("application.properties")).isRegularFile();
            assertThat(run.work.resolve("secret.txt")).hasContent(SECRET);
            for (Path folder : folders.values()) {
                try (Stream<Path> reports = Files.list(folder.resolve(".error"))) {
                    for (Path r : reports.filter(p -> p.getFileName().toString().endsWith(".error.json")).toList()) {
                        assertThat(Files.readString(r)).as("report %s", r).doesNotContain(SECRET, FaultRun.TOKEN);
                    }
                }
            }
            assertThat(run.service.logText()).doesNotContain(SECRET, FaultRun.TOKEN);

            // Every good file exactly once, with its bytes; nothing else reached Mayan.
            for (Map.Entry<String, String> e : good.entrySet()) {
                List<FakeDocument> withLabel = run.mayan.documents().stream().filter(d -> d.label().equals(e.getKey()))
                        .toList();
                assertThat(withLabel).as("documents labelled %s", e.getKey()).hasSize(1);
                assertThat(withLabel.get(0).latestFile().orElseThrow().checksum()).isEqualTo(e.getValue());
            }
            assertThat(run.mayan.documents()).as("documents in Mayan: the existing one, the good files and the two"
                    + " created before their failure").hasSize(1 + good.size() + documentsCreated);
            assertThat(run.doneCount() + count(plain.resolve(".done"))).isEqualTo(good.size());
            System.out.printf("BAD INPUT catalogue: %d cases (%d skipped), %d good files ingested once each, %d documents"
                    + " in Mayan, in %.1f s%n", lines.size(), lines.stream().filter(l -> l.contains("SKIPPED")).count(),
                    good.size(), run.mayan.documents().size(), (System.nanoTime() - run.started) / 1e9);
        }
    }

    /**
     * Causes that are not the files' fault: with Mayan refusing the service's credentials, or with
     * mayan.url pointing at something that is not Mayan, the files wait in their folder (nothing is
     * quarantined) and readiness is DOWN with the reason.
     */
    @Test
    void serviceLevelCausesLeaveTheFilesInPlaceWithReadinessDown() throws Exception {
        HttpServer notMayan = htmlServer();
        try (FaultRun run = new FaultRun("bad-service")) {
            String notMayanUrl = "http://127.0.0.1:" + notMayan.getAddress().getPort();
            serviceLevel(run, "wrong Mayan credentials", run.mayan.baseUrl(), "wrong-" + FaultRun.TOKEN,
                    "Mayan refused the service's credentials (403");
            serviceLevel(run, "Mayan URL that is not Mayan", notMayanUrl, FaultRun.TOKEN,
                    notMayanUrl + " does not look like Mayan EDMS");
            // A single sign-on proxy in front of Mayan that sends every request to its login page.
            run.mayan.setLoginRedirect(run.mayan.baseUrl() + FakeMayan.LOGIN_PATH + "?client_id=mayan-ingest");
            serviceLevel(run, "a proxy's redirect to its login page", run.mayan.baseUrl(), FaultRun.TOKEN,
                    "with a redirect (302) to " + run.mayan.baseUrl() + " instead of Mayan's JSON");
            run.mayan.setLoginRedirect(null);
            assertThat(run.mayan.documents()).isEmpty();
        } finally {
            notMayan.stop(0);
        }
    }

    private static void serviceLevel(FaultRun run, String name, String mayanUrl, String token, String readiness)
            throws Exception {
        Path work = run.work.resolve(name.replaceAll("\\W+", "-"));
        Path inbox = Files.createDirectories(work.resolve("inbox"));
        Map<String, String> config = new HashMap<>(source(PLAIN, inbox));
        config.put("mayan.url", mayanUrl);
        config.put("mayan.health-interval", "1s");
        config.put("mayan.retry-initial-delay", "200ms");
        config.put("mayan.retry-max-delay", "1s");
        try (ServiceProcess service = new ServiceProcess(work, config, Map.of("MAYAN_TOKEN", token),
                List.of("-Xmx96m", "-XX:+UseSerialGC")).start()) {
            drop(inbox, "waiting.pdf", pdf(name));
            drop(inbox, "waiting.pdf.json", "{\"tags\": [\"urgent\"]}");
            await().atMost(Duration.ofSeconds(30)).until(() -> service.status("/q/health/ready") == 503);
            // Several polls and retries later, the files are still where they were put, nothing in error/.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() ->
                    Files.exists(inbox.resolve("waiting.pdf")) && !Files.exists(inbox.resolve(".error")));
            JsonNode health = JSON.readTree(service.get("/q/health/ready"));
            JsonNode mayan = check(health, "mayan");
            String reason = mayan.path("data").path("reason").asText();
            assertThat(health.path("status").asText()).isEqualTo("DOWN");
            assertThat(reason).as("readiness of %s: %s", name, health).contains(readiness);
            assertThat(mayan.path("data").path("fix").asText()).isNotBlank();
            assertThat(inbox.resolve("waiting.pdf")).exists();
            assertThat(inbox.resolve("waiting.pdf.json")).exists();
            assertThat(count(inbox.resolve(".error"))).as("files in error/").isZero();
            System.out.printf("BAD INPUT %-48s -> files wait in place, readiness DOWN: %s | fix: %s%n", name, reason,
                    mayan.path("data").path("fix").asText());
        }
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no readiness check " + name + " in " + health);
    }

    /** A web server that answers every request with an HTML page, as a proxy's or another app's would. */
    private static HttpServer htmlServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", exchange -> {
            byte[] page = "<!doctype html><html><head><title>Welcome</title></head><body>It works!</body></html>"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (var out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
        return server;
    }

    /** A plain folder source, Default type, label = file name. */
    private static Map<String, String> source(String name, Path folder) {
        String prefix = "ingest.sources." + name + ".";
        return Map.of(prefix + "kind", "file", prefix + "path", folder.toString(), prefix + "poll-interval", "200ms",
                prefix + "stable-for", "300ms");
    }

    /** Good files alternate between the plain folder and the drawings folder. */
    private static void dropGood(FaultRun run, Path plain, int n, Map<String, String> good) throws IOException {
        byte[] content = pdf("good " + n + " " + UUID.randomUUID());
        if (n % 2 == 0) {
            String name = String.format("good-%02d.pdf", n);
            drop(plain, name, content);
            good.put(name, sha256(content));
            awaitDone(plain, name);
        } else {
            String no = String.valueOf(300000 + n);
            drop(run.inbox, no + "_rev1.pdf", content);
            good.put("Drawing " + no + " rev 1", sha256(content));
            awaitDone(run.inbox, no + "_rev1.pdf");
        }
    }

    /** The report of {@code file}: {@code <file>.error.json}, or the report naming it when its name was shortened. */
    private static JsonNode awaitReport(Path folder, String file, ServiceProcess service) throws IOException {
        Path report = folder.resolve(".error").resolve(file + ".error.json");
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (Files.exists(folder.resolve(".done").resolve(file))) {
                throw new AssertionError(file + " was ingested; see " + service.log());
            }
            if (Files.exists(report) && Files.size(report) > 0) {
                found[0] = JSON.readTree(report.toFile());
                return true;
            }
            found[0] = reportNaming(folder.resolve(".error"), file);
            return found[0] != null;
        });
        return found[0];
    }

    private static JsonNode reportNaming(Path error, String file) throws IOException {
        if (!Files.isDirectory(error)) {
            return null;
        }
        try (Stream<Path> reports = Files.list(error)) {
            for (Path p : reports.filter(r -> r.getFileName().toString().endsWith(".error.json")).toList()) {
                if (Files.size(p) > 0) {
                    JsonNode r = JSON.readTree(p.toFile());
                    if (file.equals(r.path("file").asText()) && r.has("storedAs")) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Root reads any file whatever its mode, so chmod cannot make one unreadable here. A write-only
     * sysfs attribute can: the kernel refuses to open it for reading (EACCES) even for root.
     */
    private static Optional<Path> unreadableFile() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/sys/bus/pci/rescan"),
                Path.of("/sys/class/zram-control/hot_remove"), Path.of("/sys/kernel/mm/ksm/run")));
        for (Path c : candidates) {
            try {
                if (Files.isRegularFile(c)) {
                    Files.newInputStream(c).close();
                }
            } catch (AccessDeniedException e) {
                return Optional.of(c);
            } catch (IOException | RuntimeException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".error.json")).count();
        }
    }
}
