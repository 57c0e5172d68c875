package io.mayaningest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Dropping files into a watched folder the way a scanner or a copy does, and reading what came out. */
public final class Drops {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Drops() {
    }

    /** Writes under a hidden name, then renames: the folder source never sees a half-written file. */
    public static Path drop(Path folder, String name, byte[] content) throws IOException {
        Files.createDirectories(folder);
        Path temp = folder.resolve(".part-" + System.nanoTime());
        Files.write(temp, content);
        return Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    public static Path drop(Path folder, String name, String content) throws IOException {
        return drop(folder, name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A small, unique PDF-like payload. */
    public static byte[] pdf(String marker) {
        return ("%PDF-1.4\n% " + marker + "\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    public static Path awaitDone(Path folder, String name) {
        Path done = folder.resolve(".done").resolve(name);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(done));
        return done;
    }

    public static JsonNode awaitError(Path folder, String name) throws IOException {
        Path report = folder.resolve(".error").resolve(name + ".error.json");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(report) && Files.size(report) > 0);
        return JSON.readTree(report.toFile());
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
