package io.mayaningest.pipeline;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.awaitError;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A sidecar is the item's own mapping: on the drawings folder (filename-pattern
 * {@code (?<no>\d{6})_rev(?<rev>\d+)\.pdf}) a file whose name does not match is ingested as its sidecar
 * says, and a failure names the real cause, not the pattern.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class SidecarsWinTest {

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path drawings = FakeMayanResource.inbox("drawings");

    private static String name(String what) {
        return what + "-" + UUID.randomUUID() + ".pdf";
    }

    @Test
    void typeAndLabelFromTheSidecarOnANameThePatternDoesNotMatch() throws IOException {
        String name = name("invoice-scan");
        drop(drawings, name + ".json", """
                {"document_type": "Invoice", "label": "Invoice 9001", "metadata": {"invoice_number": "9001"}}
                """);
        byte[] content = pdf(name);
        drop(drawings, name, content);

        awaitDone(drawings, name);
        FakeDocument doc = mayan.documentByLabel("Invoice 9001").orElseThrow();
        assertThat(doc.documentTypeLabel()).isEqualTo("Invoice");
        // The pattern's metadata (drawing_no, revision) are left out; the source's fixed values still apply.
        assertThat(doc.metadata()).containsExactly(java.util.Map.entry("invoice_number", "9001"));
        assertThat(doc.description()).isEqualTo("Scanned from " + name);
        assertThat(doc.tags()).containsExactlyInAnyOrder("scanned", "engineering");
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
    }

    @Test
    void aNewFileOfAnExistingDocumentOnANameThePatternDoesNotMatch() throws IOException {
        long documentId = mayan.createDocument(1, "Drawing 777777 rev 1 " + UUID.randomUUID(), pdf("rev 1"), "777777_rev1.pdf");
        String name = name("redline");
        drop(drawings, name + ".json", "{\"document_id\": " + documentId + ", \"action\": \"append\"}");
        byte[] content = pdf(name);
        drop(drawings, name, content);

        awaitDone(drawings, name);
        FakeDocument doc = mayan.document(documentId).orElseThrow();
        assertThat(doc.files()).hasSize(2);
        assertThat(doc.latestFile().orElseThrow().checksum()).isEqualTo(sha256(content));
        assertThat(doc.latestFile().orElseThrow().action()).isEqualTo("append");
    }

    @Test
    void anUnknownTypeInTheSidecarIsTheReasonNotThePattern() throws IOException {
        String name = name("unknown-type");
        drop(drawings, name + ".json", "{\"document_type\": \"Blueprint\"}");
        drop(drawings, name, pdf(name));

        String reason = awaitError(drawings, name).path("reason").asText();
        assertThat(reason).contains("document type \"Blueprint\" does not exist in Mayan")
                .doesNotContain("filename-pattern");
        assertThat(drawings.resolve(".error").resolve(name + ".json")).exists();
    }

    @Test
    void anInvalidValueInTheSidecarIsTheReasonNotThePattern() throws IOException {
        String name = name("invalid-value");
        drop(drawings, name + ".json", "{\"metadata\": {\"drawing_no\": \"12\"}}");
        drop(drawings, name, pdf(name));

        String reason = awaitError(drawings, name).path("reason").asText();
        assertThat(reason).contains("metadata \"drawing_no\" value \"12\" does not match the pattern ^\\d{6}$")
                .doesNotContain("filename-pattern");
    }

    @Test
    void aRequiredValueMissingFromTheSidecarIsTheReasonNotThePattern() throws IOException {
        String name = name("missing-value");
        drop(drawings, name + ".yaml", "document_type: Invoice\nlabel: Invoice without number\n");
        drop(drawings, name, pdf(name));

        String reason = awaitError(drawings, name).path("reason").asText();
        assertThat(reason).contains("metadata \"invoice_number\" is required for document type \"Invoice\" but has no value")
                .doesNotContain("filename-pattern");
    }

    @Test
    void withoutASidecarANameThePatternDoesNotMatchStillFailsWithThePattern() throws IOException {
        String name = name("no-sidecar");
        drop(drawings, name, pdf(name));

        assertThat(awaitError(drawings, name).path("reason").asText())
                .contains("the file name does not match the filename-pattern (?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf")
                .contains("source \"drawings\"");
    }
}
