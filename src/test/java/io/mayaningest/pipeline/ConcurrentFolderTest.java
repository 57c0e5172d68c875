package io.mayaningest.pipeline;

import static io.mayaningest.Drops.awaitDone;
import static io.mayaningest.Drops.pdf;
import static io.mayaningest.Drops.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.testing.FakeDocument;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A folder source works on several of its files at a time (ingest.sources.*.concurrency, by default
 * mayan.max-in-flight = 4 here), except where the order decides what the user gets in Mayan.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class ConcurrentFolderTest {

    /** Long enough that uploads of one poll overlap whenever more than one is sent at a time. */
    private static final Duration SLOW_UPLOAD = Duration.ofMillis(800);

    private final FakeMayan mayan = FakeMayanResource.mayan();
    private final Path plain = FakeMayanResource.inbox("plain");
    private final Path versions = FakeMayanResource.inbox("versions");

    @Test
    void filesOfOneFolderAreUploadedSideBySideUpToTheCap() throws IOException {
        String stem = "parallel-" + UUID.randomUUID();
        int files = 6;
        mayan.watchConcurrency("POST", FakeMayan.DOCUMENT_UPLOAD);
        mayan.stallNext("POST", FakeMayan.DOCUMENT_UPLOAD, SLOW_UPLOAD, files);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            String name = stem + "-" + i + ".pdf";
            names.add(name);
            dropAged(plain, name, pdf(name), Instant.now().minusSeconds(60 - i));
        }
        names.forEach(name -> awaitDone(plain, name));

        // Each file its own document, none twice; and the double saw several uploads at the same time,
        // never more than mayan.max-in-flight.
        assertThat(mayan.documents()).filteredOn(d -> d.label().startsWith(stem)).extracting(FakeDocument::label)
                .containsExactlyInAnyOrderElementsOf(names);
        assertThat(mayan.peakConcurrency()).isBetween(2, 4);
    }

    @Test
    void filesForTheSameDocumentArrivingTogetherGoOneAfterTheOtherInTheirOrder() throws IOException {
        // duplicates=new-file, label {file.basename}: three files of one poll with the same label. Side by
        // side, each would find no document yet and create its own; in order, the first creates it and
        // the others become its files, the newest (by time stamp) last, as the current file.
        String stem = "together-" + UUID.randomUUID();
        // The first upload is slow: side by side, the other two would look for the label while it is still
        // being sent, find nothing, and create documents of their own.
        mayan.stallNext("POST", FakeMayan.DOCUMENT_UPLOAD, SLOW_UPLOAD, 1);
        byte[] oldest = pdf(stem + " oldest");
        byte[] middle = pdf(stem + " middle");
        byte[] newest = pdf(stem + " newest");
        Instant now = Instant.now();
        dropAged(versions, stem + ".pdf", oldest, now.minusSeconds(30));
        dropAged(versions, stem + ".tif", middle, now.minusSeconds(20));
        dropAged(versions, stem + ".png", newest, now.minusSeconds(10));
        awaitDone(versions, stem + ".pdf");
        awaitDone(versions, stem + ".tif");
        awaitDone(versions, stem + ".png");

        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(stem)).hasSize(1);
        FakeDocument doc = mayan.documentByLabel(stem).orElseThrow();
        assertThat(doc.files()).extracting(f -> f.checksum())
                .containsExactly(sha256(oldest), sha256(middle), sha256(newest));
    }

    /**
     * Written under a hidden name with its time stamp already set, then renamed in: the poll sees the
     * file complete and old enough at once, and the folder's sort order is the order given here.
     */
    private static void dropAged(Path folder, String name, byte[] content, Instant modified) throws IOException {
        Files.createDirectories(folder);
        Path temp = folder.resolve(".part-" + System.nanoTime());
        Files.write(temp, content);
        Files.setLastModifiedTime(temp, FileTime.from(modified));
        Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
}
