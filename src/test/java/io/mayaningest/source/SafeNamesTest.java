package io.mayaningest.source;

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
}
