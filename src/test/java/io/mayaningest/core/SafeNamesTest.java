package io.mayaningest.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeNamesTest {

    @Test
    void controlCharactersAreFoundAndShownAsEscapes() {
        assertThat(SafeNames.controlCharacter("scan 1.pdf")).isEmpty();
        assertThat(SafeNames.controlCharacter("Prüfbericht – ÄÖÜ.pdf")).isEmpty();
        assertThat(SafeNames.controlCharacter("tab\there.pdf")).contains("U+0009 at position 4");
        assertThat(SafeNames.controlCharacter("bell\u0007.pdf")).contains("U+0007 at position 5");
        assertThat(SafeNames.controlCharacter("a\u2028b")).contains("U+2028 at position 2");
        assertThat(SafeNames.visible("tab\there\n.pdf")).isEqualTo("tab\\u0009here\\u000A.pdf");
    }

    @Test
    void visibleAlsoEscapesC1ControlsAndBidirectionalOverrides() {
        assertThat(SafeNames.visible("a\u0085b\u202Ec")).isEqualTo("a\\u0085b\\u202Ec");
        assertThat(SafeNames.controlCharacter("next\u0085line.pdf")).contains("U+0085 at position 5");
        assertThat(SafeNames.visible(null)).isEqualTo("null");
    }

    @Test
    void namesAreShortenedByBytesKeepingTheExtensionAndWholeCharacters() {
        String name = "\u20ac".repeat(82) + ".pdf"; // 250 bytes
        String fitted = SafeNames.fitBytes(name, "-20260101-000000-abcdef12", 244);
        assertThat(SafeNames.utf8Length(fitted)).isLessThanOrEqualTo(244);
        assertThat(fitted).endsWith("-20260101-000000-abcdef12.pdf").startsWith("\u20ac".repeat(70));
        assertThat(fitted.replace("-20260101-000000-abcdef12.pdf", "")).matches("\u20ac+");
        // Four-byte characters (surrogate pairs in Java) are never split.
        String emoji = "\uD83D\uDCC4".repeat(70) + ".pdf";
        assertThat(SafeNames.fitBytes(emoji, "", 201)).isEqualTo("\uD83D\uDCC4".repeat(49) + ".pdf");
        assertThat(SafeNames.fileName("\u00fc".repeat(150) + ".pdf", "x")).hasSize(102);
    }
}
