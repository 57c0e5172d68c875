package io.mayaningest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the Mayan test double with the fixtures the tests need and points the service at it, with
 * three watched folders under target/. One resource set for all @QuarkusTest classes, so Quarkus
 * starts once.
 */
public class FakeMayanResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token-" + UUID.randomUUID();
    public static final String OPERATOR_TOKEN = "operator-" + UUID.randomUUID();
    public static final String OPERATOR_PASSWORD = "operator-password-" + UUID.randomUUID();
    /** Upload API clients: scanner (bearer) and erp (Basic) may use source "scans"; outsider may not. */
    public static final String SCANNER_TOKEN = "scanner-" + UUID.randomUUID();
    public static final String ERP_PASSWORD = "erp-password-" + UUID.randomUUID();
    public static final String OUTSIDER_TOKEN = "outsider-" + UUID.randomUUID();
    static FakeMayan mayan;
    static Path root;

    public static FakeMayan mayan() {
        return mayan;
    }

    /** The watched folder of a source configured here: drawings, plain. */
    public static Path inbox(String source) {
        return root.resolve(source);
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createDirectories(Path.of("target", "test-inboxes", UUID.randomUUID().toString()))
                    .toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        mayan = FakeMayan.start().withToken(TOKEN);
        mayan.setFileAppearDelay(Duration.ofMillis(200)).setChecksumDelay(Duration.ofMillis(200));
        Fixtures.create(mayan);

        Map<String, String> config = new HashMap<>();
        config.put("mayan.url", mayan.baseUrl());
        config.put("mayan.token", TOKEN);
        config.put("mayan.poll-initial-delay", "100ms");
        config.put("mayan.poll-max-delay", "500ms");
        config.put("mayan.retry-initial-delay", "100ms");
        config.put("mayan.retry-max-delay", "400ms");
        config.put("mayan.max-retries", "3");
        config.put("mayan.lookup-cache-ttl", "2s");
        config.put("mayan.read-timeout", "3s");
        config.put("mayan.interrupted-upload-grace", "8s");
        config.put("ingest.data-dir", root.resolve("data").toString());
        config.put("ingest.operator.token", OPERATOR_TOKEN);
        config.put("ingest.operator.password", OPERATOR_PASSWORD);

        String drawings = "ingest.sources.drawings.";
        config.put(drawings + "kind", "file");
        config.put(drawings + "path", inbox("drawings").toString());
        config.put(drawings + "poll-interval", "200ms");
        config.put(drawings + "stable-for", "400ms");
        config.put(drawings + "document-type", "Drawing");
        config.put(drawings + "filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
        config.put(drawings + "label", "Drawing {no} rev {rev}");
        config.put(drawings + "description", "Scanned from {file.name}");
        config.put(drawings + "metadata.drawing_no", "{no}");
        config.put(drawings + "metadata.revision", "{rev}");
        config.put(drawings + "tags", "scanned,engineering");
        config.put(drawings + "cabinets", "Engineering/Drawings");

        String plain = "ingest.sources.plain.";
        config.put(plain + "kind", "file");
        config.put(plain + "path", inbox("plain").toString());
        config.put(plain + "poll-interval", "200ms");
        config.put(plain + "stable-for", "400ms");
        config.put(plain + "document-type", "Default");
        config.put(plain + "max-file-size", String.valueOf(50L * 1024 * 1024));

        // Same content again is a new file of the document with the same label (duplicates=new-file).
        String versions = "ingest.sources.versions.";
        config.put(versions + "kind", "file");
        config.put(versions + "path", inbox("versions").toString());
        config.put(versions + "poll-interval", "200ms");
        config.put(versions + "stable-for", "400ms");
        config.put(versions + "label", "{file.basename}");
        config.put(versions + "duplicates", "new-file");

        // Mapping defaults for items a route sends to direct:mayan-ingest with MayanSource=partner-route.
        String route = "ingest.sources.partner-route.";
        config.put(route + "kind", "route");
        config.put(route + "document-type", "Invoice");
        config.put(route + "filename-pattern", "(?<no>\\d+)\\.pdf");
        config.put(route + "label", "Partner invoice {no}");
        config.put(route + "metadata.invoice_number", "{no}");
        config.put(route + "max-file-size", "65536");

        // The upload API: "scans" for two clients, with a mapping that fills what a request leaves out.
        config.put("ingest.api-clients.scanner.token", SCANNER_TOKEN);
        config.put("ingest.api-clients.erp.username", "erp");
        config.put("ingest.api-clients.erp.password", ERP_PASSWORD);
        config.put("ingest.api-clients.outsider.token", OUTSIDER_TOKEN);
        String scans = "ingest.sources.scans.";
        config.put(scans + "kind", "http");
        config.put(scans + "clients", "scanner,erp");
        config.put(scans + "document-type", "Default");
        config.put(scans + "label", "Scan {file.basename}");
        config.put(scans + "tags", "scanned");
        config.put(scans + "max-file-size", String.valueOf(8L * 1024 * 1024));
        // Accepts uploads while Mayan is unreachable and ingests them once it is back.
        String patient = "ingest.sources.patient.";
        config.put(patient + "kind", "http");
        config.put(patient + "clients", "scanner");
        config.put(patient + "when-mayan-unreachable", "spool");
        String open = "ingest.sources.open-drop.";
        config.put(open + "kind", "http");
        config.put(open + "anonymous", "true");
        return config;
    }

    @Override
    public void stop() {
        if (mayan != null) {
            mayan.close();
        }
    }
}
