package io.mayaningest.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The two kinds of line the filter sanitises, and lines it leaves alone. */
class SecretLogFilterTest {

    @Test
    void quarkusBuildTimeWarningShowsNoSecretValues() {
        String warning = "Build time property cannot be changed at runtime:\n"
                + " - quarkus.artemis.password is set to 'amq)s3cret' but it is build time fixed to 'old'. Did you change"
                + " the property quarkus.artemis.password after building the application?\n"
                + " - quarkus.artemis.url is set to 'tcp://broker:61616' but it is build time fixed to"
                + " 'tcp://127.0.0.1:61616'. Did you change the property quarkus.artemis.url after building the application?";
        String masked = SecretLogFilter.mask(warning);
        assertThat(masked).doesNotContain("amq)s3cret", "'old'")
                .contains("quarkus.artemis.password is set to '****' but it is build time fixed to '****'.")
                .contains("quarkus.artemis.url is set to 'tcp://broker:61616'");
    }

    @Test
    void aUrlsPasswordIsMaskedWhoeverPrintsIt() {
        assertThat(SecretLogFilter.mask("Mayan at https://leak:p4ss)w&rd@mayan.example:8443/x did not answer"))
                .isEqualTo("Mayan at https://leak:****@mayan.example:8443/x did not answer");
        assertThat(SecretLogFilter.mask("polls sftp://partner@127.0.0.1:22/outgoing and http://127.0.0.1:8000/"))
                .isEqualTo("polls sftp://partner@127.0.0.1:22/outgoing and http://127.0.0.1:8000/");
    }
}
