package io.mayaningest.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.test-port", "0");
        // The check runs every health-interval: a fix in Mayan shows within half a second here.
        config.put("mayan.health-interval", "500ms");
        String p = "ingest.sources.ledgers.";
        config.put(p + "kind", "file");
        config.put(p + "path", ledgers.toString());
        config.put(p + "poll-interval", "200ms");
        config.put(p + "stable-for", "400ms");
        config.put(p + "document-type", "Ledger");
        config.put(p + "metadata.currency", "CHF");
        config.put(p + "tags", "scanned,paid");
        config.put(p + "cabinets", "Finance");
        // An upload API source with the same missing names: its uploads are refused with 503 meanwhile.
        String api = "ingest.sources.ledger-api.";
        config.put(api + "kind", "http");
        config.put(api + "anonymous", "true");
        config.put(api + "document-type", "Ledger");
        config.put(api + "tags", "paid");
        return config;
    }

    @Override
    public void stop() {
    }
}
