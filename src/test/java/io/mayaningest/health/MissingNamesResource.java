package io.mayaningest.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * One more watched folder beside FakeMayanResource's: source "ledgers", whose fixed mapping names the
 * document type "Ledger" and the tag "paid", which the Mayan test double does not have (Fixtures), a
 * constant metadata value of "currency" (which exists but is attached to Invoice only) and things that
 * exist (tag "scanned", cabinet "Finance"). A resource set of its own: its Quarkus runs apart from the
 * other tests', whose readiness this source would turn down.
 */
public class MissingNamesResource implements QuarkusTestResourceLifecycleManager {

    static Path ledgers;

    @Override
    public Map<String, String> start() {
        try {
            ledgers = Files.createDirectories(Path.of("target", "test-inboxes", "ledgers-" + UUID.randomUUID()))
                    .toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String p = "ingest.sources.ledgers.";
        return Map.of("quarkus.http.test-port", "0",
                // The check runs every health-interval: a fix in Mayan shows within half a second here.
                "mayan.health-interval", "500ms",
                p + "kind", "file",
                p + "path", ledgers.toString(),
                p + "poll-interval", "200ms",
                p + "stable-for", "400ms",
                p + "document-type", "Ledger",
                p + "metadata.currency", "CHF",
                p + "tags", "scanned,paid",
                p + "cabinets", "Finance");
    }

    @Override
    public void stop() {
    }
}
