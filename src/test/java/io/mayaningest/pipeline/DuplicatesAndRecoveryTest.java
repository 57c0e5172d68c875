package io.mayaningest.pipeline;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Duplicate policies, and an upload whose answer is lost. */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class DuplicatesAndRecoveryTest {

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path plain = FakeMayanResource.inbox("plain");
    private final Path versions = FakeMayanResource.inbox("versions");

    @Inject
    Ledger ledger;

    @Test
    void sameContentTwiceIsUploadedOnceAndTheLedgerNamesTheMatch() throws IOException {
        byte[] content = pdf("dup-" + UUID.randomUUID());
        String first = "first-" + UUID.randomUUID() + ".pdf";
        String second = "second-" + UUID.randomUUID() + ".pdf";
        drop(plain, first, content);
        awaitDone(plain, first);
        drop(plain, second, content);
        awaitDone(plain, second);

        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(first)).hasSize(1);
        assertThat(mayan.documents()).noneMatch(d -> d.label().equals(second));
        Ledger.Entry original = ledger.all().stream().filter(e -> e.fileName().equals(first)).findFirst().orElseThrow();
        Ledger.Entry duplicate = ledger.all().stream().filter(e -> e.fileName().equals(second)).findFirst().orElseThrow();
        assertThat(duplicate.state()).isEqualTo(LedgerState.DONE);
        assertThat(duplicate.duplicateOf()).isEqualTo(original.id());
        assertThat(duplicate.documentId()).isEqualTo(original.documentId());
        assertThat(duplicate.acknowledgedAt()).isNotNull();
    }

    @Test
    void newFilePolicyAddsARevisionToTheDocumentWithTheSameLabel() throws IOException {
        String stem = "spec-" + UUID.randomUUID();
        byte[] v1 = pdf(stem + " v1");
        byte[] v2 = pdf(stem + " v2");
        drop(versions, stem + ".pdf", v1);
        awaitDone(versions, stem + ".pdf");
        drop(versions, stem + ".PDF", v2);
        awaitDone(versions, stem + ".PDF");

        FakeDocument doc = mayan.documentByLabel(stem).orElseThrow();
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(stem)).hasSize(1);
        assertThat(doc.files()).extracting(f -> f.checksum()).containsExactly(sha256(v1), sha256(v2));
        assertThat(doc.files().get(1).action()).isEqualTo("replace");
    }

    @Test
    void anUploadWhoseAnswerIsLostIsAdoptedNotRepeated() throws IOException {
        // Mayan takes 5 s to answer; the service gives up after 3 s (mayan.read-timeout) but Mayan
        // still creates the document. The retry must find it instead of uploading a second copy.
        mayan.stallNext("POST", FakeMayan.DOCUMENT_UPLOAD, Duration.ofSeconds(5), 1);
        String name = "slow-answer-" + UUID.randomUUID() + ".pdf";
        byte[] content = pdf(name);
        int before = mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD);
        drop(plain, name, content);

        awaitDone(plain, name);
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(name)).hasSize(1);
        assertThat(mayan.count("POST", FakeMayan.DOCUMENT_UPLOAD) - before).isEqualTo(1);
        assertThat(mayan.documentByLabel(name).orElseThrow().latestFile().orElseThrow().checksum())
                .isEqualTo(sha256(content));
    }
}
