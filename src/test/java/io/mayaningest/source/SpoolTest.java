package io.mayaningest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.mayaningest.core.IngestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's names and what a failed spool write means, on the real file system. */
class SpoolTest {

    @TempDir
    Path dir;

    @Test
    void aNameTooLongForTheFileSystemIsAPermanentFailureNamingTheSpoolFolder() {
        // 100 characters, 300 bytes: the file system refuses it ("File name too long"), retrying never helps.
        Path target = dir.resolve("文".repeat(100) + ".pdf");
        assertThatThrownBy(() -> Spool.copy(new ByteArrayInputStream(new byte[] {1}), target, 0))
                .isInstanceOfSatisfying(Spool.WriteFailed.class, e -> {
                    assertThat(e.isOutOfSpace()).isFalse();
                    IngestException failure = Spool.failure(e, "attachment \"x.pdf\"", "the mail is moved to Failed");
                    assertThat(failure.isPermanent()).isTrue();
                    assertThat(failure.reason()).contains("attachment \"x.pdf\" could not be written to the spool folder "
                            + dir).contains("File name too long");
                    assertThat(failure.fix()).contains("check that the service may write to " + dir)
                            .contains("the mail is moved to Failed").doesNotContain("free space");
                });
    }

    @Test
    void underItsSpoolNameTheSamePayloadIsWritten() throws IOException {
        String name = "文".repeat(100) + ".pdf";
        Spool.Spooled spooled = Spool.copy(new ByteArrayInputStream(new byte[] {1, 2, 3}), dir.resolve(Spool.spoolName(name)), 0);
        assertThat(spooled.size()).isEqualTo(3);
        assertThat(Files.readAllBytes(spooled.path())).containsExactly(1, 2, 3);
        assertThat(spooled.path().getFileName().toString()).isEqualTo("文".repeat(32) + ".pdf");
    }

    @Test
    void aFullDiskIsTransient() {
        // ENOSPC reaches Java only as the message of an IOException.
        Spool.WriteFailed full = new Spool.WriteFailed(dir.resolve("a.pdf"), new IOException("No space left on device"));
        IngestException failure = Spool.failure(full, "the message body", "it is dead-lettered");
        assertThat(failure.isPermanent()).isFalse();
        assertThat(failure.reason()).contains("the spool folder " + dir + " is full");
        assertThat(failure.fix()).contains("free space on the file system of " + dir);
    }

    @Test
    void shortenCountsBytesKeepsTheExtensionAndNeverSplitsACharacter() {
        assertThat(Spool.shorten("short.pdf", 255)).isEqualTo("short.pdf");
        assertThat(Spool.shorten("ü".repeat(200) + ".tar", 255)).isEqualTo("ü".repeat(125) + ".tar");
        assertThat(Spool.shorten("x".repeat(300), 255)).hasSize(255);
        // An "extension" longer than 16 bytes is part of the name.
        assertThat(Spool.shorten("a." + "b".repeat(300), 100)).hasSize(100).startsWith("a.b");
    }
}
