package io.mayaningest.mayan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MayanClientTest {

    @Test
    void mayansPythonReprWrappedMessagesAreUnwrapped() {
        assertThat(MayanClient.unwrapRepr("{'__all__': ['Value is not one of the provided options.']}"))
                .isEqualTo("Value is not one of the provided options.");
        assertThat(MayanClient.unwrapRepr("{'__all__': ['\"Customer\" is required for this document type.']}"))
                .isEqualTo("\"Customer\" is required for this document type.");
        assertThat(MayanClient.unwrapRepr("{'__all__': [\"Can't do that.\"]}")).isEqualTo("Can't do that.");
        assertThat(MayanClient.unwrapRepr("Invalid token.")).isEqualTo("Invalid token.");
    }
}
