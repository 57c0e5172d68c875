package io.mayaningest.health;

import io.mayaningest.source.SourceHealth;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A source's connection and its mapping are separate conditions: neither clears the other's DOWN. */
class SourceHealthTest {

    private final SourceHealth health = new SourceHealth();

    @Test
    void aSuccessfulPollDoesNotClearAMappingProblem() {
        health.register("partner");
        health.mappingDown("partner", "tag \"paid\" does not exist in Mayan", "create the tag");
        health.up("partner");

        assertThat(health.status("partner").up()).isFalse();
        assertThat(health.status("partner").reason()).isEqualTo("tag \"paid\" does not exist in Mayan");
        assertThat(health.mappingDown("partner")).isTrue();
        // The poll itself is still stamped for the console.
        assertThat(health.lastPoll("partner")).isNotNull();

        health.mappingUp("partner");
        assertThat(health.status("partner").up()).isTrue();
        assertThat(health.status("partner").reason()).isEqualTo("polled successfully");
    }

    @Test
    void aMappingCheckDoesNotClearAConnectionProblemAndBothReasonsShow() {
        health.down("partner", "the host key of sftp.example:22 is not in known_hosts", "add the key");
        health.mappingUp("partner");
        assertThat(health.status("partner").up()).isFalse();
        assertThat(health.status("partner").reason()).contains("host key");

        health.mappingDown("partner", "document type \"Ledger\" does not exist in Mayan", "create the type");
        SourceHealth.Status both = health.status("partner");
        assertThat(both.reason()).isEqualTo("the host key of sftp.example:22 is not in known_hosts; document type"
                + " \"Ledger\" does not exist in Mayan");
        assertThat(both.fix()).isEqualTo("add the key; create the type");
        assertThat(health.lastPoll("partner")).isNull();
    }

    @Test
    void aFolderSourceWithoutConnectionReportsIsUpOnceItsMappingIsCheckedAndListed() {
        assertThat(health.status("inbox")).isNull();
        assertThat(health.mappingDown("inbox")).isFalse();
        health.mappingUp("inbox");
        assertThat(health.all()).containsKey("inbox");
        assertThat(health.all().get("inbox").up()).isTrue();
    }
}
