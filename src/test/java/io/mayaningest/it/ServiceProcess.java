package io.mayaningest.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) run as its own process, the way a
 * user runs it: configured only by {@code config/application.properties} in its working directory
 * and environment variables.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();

    private final Path workDir;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final int port;
    private Process process;
    private long peakRssKb;
    private int starts;

    public ServiceProcess(Path workDir, Map<String, String> properties, Map<String, String> env, List<String> jvmArgs)
            throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run ./mvnw package (or verify) first");
        }
        this.workDir = Files.createDirectories(workDir.toAbsolutePath());
        this.env = env;
        this.jvmArgs = jvmArgs;
        this.port = freePort();
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.putIfAbsent("quarkus.http.port", String.valueOf(port));
        StringBuilder text = new StringBuilder("# written by " + getClass().getSimpleName() + "\n");
        all.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Path config = Files.createDirectories(this.workDir.resolve("config")).resolve("application.properties");
        Files.writeString(config, text, StandardCharsets.UTF_8);
    }

    public ServiceProcess start() throws IOException {
        launch();
        // Generous: on a shared 2-core machine under load a start has been seen to take 60 s.
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            sampleRss();
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log());
            }
            return status("/q/health/live") == 200;
        });
        return this;
    }

    /**
     * Starts the service expecting it to refuse to start (a configuration or a route it rejects) and
     * waits for it to exit; its exit code. Fails if it is still running after {@code timeout}.
     */
    public int runToExit(Duration timeout) throws IOException, InterruptedException {
        launch();
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("the service was still running after " + timeout + "; see " + log());
        }
        return process.exitValue();
    }

    /** java -jar the packaged service in its working directory, output appended to {@link #log()}. */
    private void launch() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(JAR.toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        starts++;
    }

    /** The HTTP port the service listens on. */
    public int port() {
        return port;
    }

    /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM killer. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            sampleRss();
            process.destroyForcibly().waitFor();
        }
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public Path log() {
        return workDir.resolve("service.log");
    }

    public String logText() throws IOException {
        return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
    }

    public int starts() {
        return starts;
    }

    /** Where the service answers HTTP (health, operator API): {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The service's URL of a path on its HTTP port. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public int status(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Peak resident set size seen (VmHWM of /proc/<pid>/status, Linux), in KiB. */
    public long peakRssKb() {
        sampleRss();
        return peakRssKb;
    }

    public void sampleRss() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    peakRssKb = Math.max(peakRssKb, kb);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process may be gone between the check and the read; the last sample stands.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
