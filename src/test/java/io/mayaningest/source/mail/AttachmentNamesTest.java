package io.mayaningest.source.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class AttachmentNamesTest {

    @Test
    void pathsAreReducedToTheirLastSegment() {
        assertThat(AttachmentNames.sanitise("../../etc/passwd", 1)).isEqualTo("passwd");
        assertThat(AttachmentNames.sanitise("/etc/passwd", 1)).isEqualTo("passwd");
        assertThat(AttachmentNames.sanitise("C:\\x\\y.pdf", 1)).isEqualTo("y.pdf");
        assertThat(AttachmentNames.sanitise("..\\..\\boot.ini", 1)).isEqualTo("boot.ini");
    }

    @Test
    void controlAndReservedCharactersGoAndNothingHiddenRemains() {
        assertThat(AttachmentNames.sanitise("in\tvoice\u0000\r\n.pdf", 1)).isEqualTo("invoice.pdf");
        assertThat(AttachmentNames.sanitise("a<b>:c|d?.pdf", 1)).isEqualTo("a_b__c_d_.pdf");
        assertThat(AttachmentNames.sanitise(".hidden", 1)).isEqualTo("hidden");
        assertThat(AttachmentNames.sanitise("Prüfbericht – ÄÖÜ.pdf", 1)).isEqualTo("Prüfbericht – ÄÖÜ.pdf");
    }

    @Test
    void nothingLeftFallsBackToANumberedName() {
        assertThat(AttachmentNames.sanitise(null, 3)).isEqualTo("attachment-3");
        assertThat(AttachmentNames.sanitise("", 4)).isEqualTo("attachment-4");
        assertThat(AttachmentNames.sanitise("..", 5)).isEqualTo("attachment-5");
        assertThat(AttachmentNames.sanitise("dir/", 6)).isEqualTo("attachment-6");
        assertThat(AttachmentNames.sanitise("\u0007\u0008", 7)).isEqualTo("attachment-7");
    }

    @Test
    void longNamesAreShortenedByBytesAndKeepTheirExtension() {
        String name = AttachmentNames.sanitise("x".repeat(500) + ".pdf", 1);
        assertThat(name).hasSize(AttachmentNames.MAX_BYTES).endsWith(".pdf");
        // Three bytes a character: 83 of them and ".pdf" are 253 bytes, an 84th would be 256.
        String cjk = AttachmentNames.sanitise("文".repeat(200) + ".pdf", 1);
        assertThat(cjk).isEqualTo("文".repeat(83) + ".pdf");
        // A character is never cut in half: four-byte emoji (two UTF-16 units each) stay whole.
        String emoji = AttachmentNames.sanitise("\uD83D\uDCC4".repeat(100) + ".pdf", 1);
        assertThat(emoji).isEqualTo("\uD83D\uDCC4".repeat(62) + ".pdf");
        assertThat(io.mayaningest.source.Spool.spoolName(cjk)).isEqualTo("文".repeat(32) + ".pdf");
    }

    @Test
    void theSpoolPathIsCheckedToStayInsideItsFolder() {
        Path spool = Path.of("/var/spool/mail-x");
        assertThat(AttachmentNames.inside(spool, "1-passwd")).isEqualTo(spool.resolve("1-passwd"));
        assertThatThrownBy(() -> AttachmentNames.inside(spool, "../passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttachmentNames.inside(spool, "/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttachmentNames.inside(spool, "a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttachmentNames.inside(spool, "..")).isInstanceOf(IllegalArgumentException.class);
    }
}
