package io.mayaningest.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.e2e.MayanFixtures;
import io.mayaningest.e2e.RealMayan;

/**
 * The performance benchmark (README "Performance"; run it with {@code bench/run.sh}). In one
 * invocation, arms interleaved, each repeated, it prints medians and min–max of:
 * <ul>
 * <li>the service (the packaged jar as a process, a watched folder, {@code mayan.max-in-flight=C})
 * against {@link RawClient} with C documents in flight, on the Mayan test double started as a process
 * of its own ({@link FakeMayanServer}) with a processing delay: documents/s, Mayan calls per document
 * (counted by the double), the ratio service/raw, and the service's CPU seconds per document;</li>
 * <li>optionally the same against a real Mayan ({@code --real}: the one e2e/mayan-up.sh starts),
 * calls and 429s counted from gunicorn's access log;</li>
 * <li>memory: a 2 GiB upload with the service at {@code -Xmx96m} (idle and peak RSS) beside a script
 * that reads the file into memory first, as the forum's {@code requests} code did;</li>
 * <li>start-up: JVM start to {@code /q/health/live} answering 200.</li>
 * </ul>
 * Every arm is checked complete (each document with its file, checksum, 2 metadata, tag, cabinet; no
 * duplicate) before its figure counts. Options: {@code --n 200 --reps 3 --concurrency 4,16 --delay-ms 300
 * --warmup 50 --real --real-n 50 --sftp --sftp-n 100 --sftp-concurrency 4 --skip-double --skip-memory --skip-startup
 * --memory-gib 2 --aot-java /usr/lib/jvm/temurin-25-jdk-amd64 --service-only}.
 */
public final class Bench {

    static final String TOKEN = "bench-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    private static final long CLK_TCK = 100;

    private final Map<String, String> options;
    private final Path work;
    private final List<String> table = new ArrayList<>();

    Bench(Map<String, String> options) throws IOException {
        this.options = options;
        this.work = Files.createDirectories(Path.of("target", "bench", Instant.now().toString().replace(':', '-'))
                .toAbsolutePath());
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(key, flag ? "true" : args[++i]);
        }
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: bench/run.sh builds it");
        }
        new Bench(options).run();
    }

    int integer(String key, int fallback) {
        return Integer.parseInt(options.getOrDefault(key, String.valueOf(fallback)));
    }

    /** {@code --service-jvm "-XX:... -XX:..."}: extra JVM options of the service in the double's and the real Mayan's arms (e.g. -Dmayan.max-requests-per-second=0). */
    List<String> serviceJvmArgs() {
        String args = options.getOrDefault("service-jvm", "").trim();
        return args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(options.getOrDefault(key, "false"));
    }

    void run() throws Exception {
        System.out.printf("Mayan Ingest benchmark, %s, %d cores, java %s; work dir %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), work);
        if (!flag("skip-double")) {
            againstTheDouble();
        }
        if (flag("sftp")) {
            sftpSource();
        }
        if (flag("real")) {
            againstRealMayan();
        }
        if (!flag("skip-memory")) {
            memory();
        }
        if (!flag("skip-startup")) {
            startup();
        }
        System.out.println();
        System.out.println("=== RESULTS (paste into README \"Performance\") ===");
        table.forEach(System.out::println);
    }

    // ---- the test double ----------------------------------------------------------------------

    record Outcome(double seconds, int docs, double callsPerDoc, double cpuSeconds, int throttled, Map<String, Double> byEndpoint,
            double jitSeconds) {

        Outcome(double seconds, int docs, double callsPerDoc, double cpuSeconds, int throttled, Map<String, Double> byEndpoint) {
            this(seconds, docs, callsPerDoc, cpuSeconds, throttled, byEndpoint, Double.NaN);
        }

        Outcome withJit(double jit) {
            return new Outcome(seconds, docs, callsPerDoc, cpuSeconds, throttled, byEndpoint, jit);
        }

        double docsPerSecond() {
            return docs / seconds;
        }
    }

    void againstTheDouble() throws Exception {
        int n = integer("n", 200);
        int reps = integer("reps", 3);
        int warmup = integer("warmup", 50);
        long delay = integer("delay-ms", 300);
        List<Integer> concurrencies = Stream.of(options.getOrDefault("concurrency", "4,16").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        Map<String, List<Outcome>> results = new LinkedHashMap<>();
        for (int rep = 1; rep <= reps; rep++) {
            for (int c : concurrencies) {
                // --service-only: no raw arm (a long warm-up measures the service's steady state, not a comparison)
                for (String arm : flag("service-only") ? List.of("service") : List.of("service", "raw")) {
                    String name = arm + " c=" + c;
                    Outcome o = arm.equals("service") ? serviceOnDouble(c, n, warmup, delay, rep)
                            : rawOnDouble(c, n, warmup, delay, rep);
                    System.out.printf("rep %d  %-14s %6.1f docs/s  %5.2f calls/doc  %s%n", rep, name,
                            o.docsPerSecond(), o.callsPerDoc(),
                            arm.equals("service") ? String.format(Locale.ROOT, "%.1f ms CPU/doc (JIT compiler %.1f)",
                                    o.cpuSeconds() * 1000 / o.docs(), o.jitSeconds() * 1000 / o.docs()) : "");
                    results.computeIfAbsent(name, k -> new ArrayList<>()).add(o);
                }
            }
        }
        table.add("");
        table.add(String.format("Against the Mayan test double (separate process, %d ms processing delay), N = %d after a"
                + " warm-up of %d, %d repetitions, median (min–max):", delay, n, warmup, reps));
        table.add("");
        table.add("| concurrency | service docs/s | raw docs/s | service/raw | calls/doc service | calls/doc raw | service CPU ms/doc | of it JIT compiler ms/doc |");
        table.add("|---|---|---|---|---|---|---|---|");
        for (int c : concurrencies) {
            List<Outcome> s = results.get("service c=" + c);
            List<Outcome> r = results.getOrDefault("raw c=" + c, s.stream()
                    .map(o -> new Outcome(Double.NaN, o.docs(), Double.NaN, Double.NaN, 0, Map.of())).toList());
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                ratios.add(s.get(i).docsPerSecond() / r.get(i).docsPerSecond());
            }
            table.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s |", c,
                    stat(s.stream().map(Outcome::docsPerSecond).toList(), "%.1f"),
                    stat(r.stream().map(Outcome::docsPerSecond).toList(), "%.1f"),
                    stat(ratios, "%.2f"),
                    stat(s.stream().map(Outcome::callsPerDoc).toList(), "%.2f"),
                    stat(r.stream().map(Outcome::callsPerDoc).toList(), "%.2f"),
                    stat(s.stream().map(o -> o.cpuSeconds() * 1000 / o.docs()).toList(), "%.1f"),
                    stat(s.stream().map(o -> o.jitSeconds() * 1000 / o.docs()).toList(), "%.1f")));
        }
        Outcome sample = results.get("service c=" + concurrencies.get(0)).get(0);
        table.add("");
        table.add("Service calls per document by endpoint (first repetition, concurrency " + concurrencies.get(0) + "): "
                + format(sample.byEndpoint()));
        if (results.containsKey("raw c=" + concurrencies.get(0))) {
            Outcome raw = results.get("raw c=" + concurrencies.get(0)).get(0);
            table.add("Raw client calls per document by endpoint: " + format(raw.byEndpoint()));
        }
    }

    // ---- an SFTP source ------------------------------------------------------------------------

    /**
     * {@code --sftp}: the service with one SFTP source (MINA SSHD in this JVM, the double as Mayan) taking
     * one file at a time and {@code --sftp-concurrency} (4) at a time, arms interleaved, the uploads capped at
     * the same {@code mayan.max-in-flight} in both: what the source's concurrency alone gives.
     */
    void sftpSource() throws Exception {
        int n = integer("sftp-n", 100);
        int reps = integer("reps", 3);
        int warmup = Math.min(integer("warmup", 50), 20);
        long delay = integer("delay-ms", 300);
        int c = integer("sftp-concurrency", 4);
        Map<Integer, List<Outcome>> results = new LinkedHashMap<>();
        for (int rep = 1; rep <= reps; rep++) {
            for (int concurrency : List.of(1, c)) {
                Outcome o = serviceOnSftp(concurrency, c, n, warmup, delay, rep);
                System.out.printf("rep %d  sftp c=%-8d %6.1f docs/s  %5.2f calls/doc  %.1f ms CPU/doc%n", rep, concurrency,
                        o.docsPerSecond(), o.callsPerDoc(), o.cpuSeconds() * 1000 / o.docs());
                results.computeIfAbsent(concurrency, k -> new ArrayList<>()).add(o);
            }
        }
        table.add("");
        table.add(String.format("An SFTP source (MINA SSHD, 500 ms polls), the double with a %d ms processing delay,"
                + " mayan.max-in-flight=%d, N = %d after a warm-up of %d, %d repetitions, median (min–max):", delay, c, n,
                warmup, reps));
        table.add("");
        table.add("| source concurrency | docs/s | calls/doc | service CPU ms/doc | against concurrency 1 |");
        table.add("|---|---|---|---|---|");
        List<Outcome> one = results.get(1);
        for (Map.Entry<Integer, List<Outcome>> e : results.entrySet()) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < e.getValue().size(); i++) {
                ratios.add(e.getValue().get(i).docsPerSecond() / one.get(i).docsPerSecond());
            }
            table.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |", e.getKey(),
                    stat(e.getValue().stream().map(Outcome::docsPerSecond).toList(), "%.1f"),
                    stat(e.getValue().stream().map(Outcome::callsPerDoc).toList(), "%.2f"),
                    stat(e.getValue().stream().map(o -> o.cpuSeconds() * 1000 / o.docs()).toList(), "%.1f"),
                    stat(ratios, "%.2f")));
        }
    }

    static final String SFTP_USER = "bench";
    static final String SFTP_PASSWORD = "bench-password";

    Outcome serviceOnSftp(int concurrency, int maxInFlight, int n, int warmup, long delay, int rep) throws Exception {
        Path dir = Files.createDirectories(work.resolve("sftp-c" + concurrency + "-rep" + rep));
        Path root = Files.createDirectories(dir.resolve("sftp-root"));
        Path knownHosts = dir.resolve("known_hosts");
        org.apache.sshd.server.SshServer sftp = io.mayaningest.testing.SftpTestServer.start(root, SFTP_USER, SFTP_PASSWORD,
                knownHosts);
        try (Child mayan = Child.fakeMayan(dir, delay); AutoCloseable stop = () -> sftp.stop(true)) {
            Path inbox = Files.createDirectories(root.resolve("drawings"));
            Path staging = Files.createDirectories(dir.resolve("staging"));
            Map<String, String> config = serviceConfig(mayan.url, inbox, maxInFlight);
            config.put("mayan.max-requests-per-second", "0");
            config.put("ingest.sources.drawings.kind", "sftp");
            config.put("ingest.sources.drawings.path", "drawings");
            config.put("ingest.sources.drawings.host", "127.0.0.1");
            config.put("ingest.sources.drawings.port", String.valueOf(sftp.getPort()));
            config.put("ingest.sources.drawings.username", SFTP_USER);
            config.put("ingest.sources.drawings.known-hosts-file", knownHosts.toString());
            config.put("ingest.sources.drawings.stable-for", "500ms");
            config.put("ingest.sources.drawings.concurrency", String.valueOf(concurrency));
            try (Child service = Child.service(dir, config, serviceJvmArgs(),
                    Map.of("MAYAN_TOKEN", TOKEN, "INGEST_SOURCES_DRAWINGS_PASSWORD", SFTP_PASSWORD))) {
                return measure(mayan, service, inbox, staging, warmup, n, "sftp c=" + concurrency);
            }
        }
    }

    /**
     * One arm of the service: {@code warmup} drawings dropped and ingested, then {@code n} more timed, with
     * the service's CPU and its JIT compiler's in that window and the calls the double counted; checked
     * complete.
     */
    static Outcome measure(Child mayan, Child service, Path inbox, Path staging, int warmup, int n, String arm)
            throws Exception {
        if (warmup > 0) {
            moveAll(drawings(staging.resolve("warm"), 900000, warmup), inbox);
            await(Duration.ofMinutes(10), () -> doneCount(inbox) >= warmup, "warm-up of " + arm);
        }
        JsonNode before = summary(mayan);
        List<RawClient.Item> items = drawings(staging.resolve("run"), 100000, n);
        long cpu0 = service.cpuTicks();
        long jit0 = jitTicks(service);
        long t0 = System.nanoTime();
        moveAll(items, inbox);
        await(Duration.ofMinutes(30), () -> doneCount(inbox) >= warmup + n, n + " documents of " + arm);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (service.cpuTicks() - cpu0) / (double) CLK_TCK;
        double jit = (jitTicks(service) - jit0) / (double) CLK_TCK;
        JsonNode after = summary(mayan);
        check(after, warmup + n, arm);
        return outcome(seconds, n, cpu, before, after).withJit(jit);
    }

    Outcome serviceOnDouble(int concurrency, int n, int warmup, long delay, int rep) throws Exception {
        Path dir = Files.createDirectories(work.resolve("double-service-c" + concurrency + "-rep" + rep));
        try (Child mayan = Child.fakeMayan(dir, delay)) {
            Path inbox = Files.createDirectories(dir.resolve("inbox"));
            Path staging = Files.createDirectories(dir.resolve("staging"));
            Map<String, String> config = serviceConfig(mayan.url, inbox, concurrency);
            // The double has no throttle to stay under, and the raw client has no limit either: measure the service.
            config.put("mayan.max-requests-per-second", "0");
            // --profile: a JFR recording of the first repetition of each concurrency (what the CPU is spent on).
            Path recording = dir.resolve("service.jfr");
            boolean profile = flag("profile") && rep == 1;
            List<String> jvm = new ArrayList<>(serviceJvmArgs());
            if (profile) {
                jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + recording + ",dumponexit=true");
            }
            try (Child service = Child.service(dir, config, jvm, Map.of("MAYAN_TOKEN", TOKEN))) {
                Outcome o = measure(mayan, service, inbox, staging, warmup, n, "service c=" + concurrency);
                if (profile) {
                    threadCpu(service, "service c=" + concurrency);
                }
                return o;
            } finally {
                if (profile) {
                    hotMethods(recording, "service c=" + concurrency);
                }
            }
        }
    }

    /**
     * CPU seconds of the service's threads since it started, grouped by thread name with digits folded
     * (/proc/<pid>/task/<tid>/stat): how much is JIT compilation, GC, Camel's threads, the HTTP client.
     */
    private void threadCpu(Child service, String arm) throws IOException {
        Map<String, Long> ticks = threadTicks(service);
        long total = ticks.values().stream().mapToLong(Long::longValue).sum();
        long sum = total;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "CPU of %s by thread since its start (%.1f s in all): ", arm, sum / (double) CLK_TCK));
        ticks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> lines.add(String.format(Locale.ROOT, "  %5.1f s  %4.1f%%  %s", e.getValue() / (double) CLK_TCK,
                        100.0 * e.getValue() / sum, e.getKey())));
        lines.forEach(System.out::println);
        table.add("");
        table.addAll(lines);
    }

    /** CPU ticks of the JVM's JIT compiler threads (C1 and C2) so far. */
    private static long jitTicks(Child service) throws IOException {
        return threadTicks(service).entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** CPU ticks by thread name (digits folded) of the live threads of the service. */
    private static Map<String, Long> threadTicks(Child service) throws IOException {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(service.process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "#");
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long t = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                ticks.merge(name, t, Long::sum);
            }
        }
        return ticks;
    }

    /**
     * The recording's top methods by CPU samples (the JDK's own {@code jfr} tool: {@code jfr view
     * hot-methods} where the JDK has it, 21 and later, else a count of the top frames of
     * {@code jfr print --events jdk.ExecutionSample}), printed and added to the table.
     */
    private void hotMethods(Path recording, String arm) {
        try {
            for (int i = 0; i < 50 && !Files.exists(recording); i++) {
                Thread.sleep(100);
            }
            Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
            Process p = new ProcessBuilder(jfr.toString(), "print", "--events", "jdk.ExecutionSample", "--stack-depth", "1",
                    recording.toString()).redirectErrorStream(true).start();
            Map<String, Integer> top = new java.util.HashMap<>();
            int samples = 0;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                boolean next = false;
                while ((line = reader.readLine()) != null) {
                    if (line.trim().startsWith("stackTrace = [")) {
                        next = true;
                    } else if (next) {
                        String frame = line.trim().replaceFirst("\\s+line:.*", "");
                        top.merge(frame, 1, Integer::sum);
                        samples++;
                        next = false;
                    }
                }
            }
            p.waitFor();
            int total = samples;
            List<String> lines = new ArrayList<>();
            lines.add("Hot methods of " + arm + " (JFR, " + total + " CPU samples; top frame, share): ");
            top.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                    .forEach(e -> lines.add(String.format(Locale.ROOT, "  %5.1f%%  %s", 100.0 * e.getValue() / total, e.getKey())));
            lines.forEach(System.out::println);
            table.add("");
            table.addAll(lines);
        } catch (IOException | InterruptedException e) {
            System.out.println("no profile of " + arm + ": " + e);
        }
    }

    Outcome rawOnDouble(int concurrency, int n, int warmup, long delay, int rep) throws Exception {
        Path dir = Files.createDirectories(work.resolve("double-raw-c" + concurrency + "-rep" + rep));
        try (Child mayan = Child.fakeMayan(dir, delay)) {
            RawClient client = new RawClient(mayan.url, TOKEN, Duration.ofMillis(delay + 50), Duration.ofMillis(100))
                    .lookUp("Drawing", "scanned", "Engineering / Drawings");
            if (warmup > 0) {
                client.run(drawings(dir.resolve("warm"), 900000, warmup), concurrency);
            }
            JsonNode before = summary(mayan);
            List<RawClient.Item> items = drawings(dir.resolve("run"), 100000, n);
            long t0 = System.nanoTime();
            client.run(items, concurrency);
            double seconds = (System.nanoTime() - t0) / 1e9;
            JsonNode after = summary(mayan);
            check(after, warmup + n, "raw c=" + concurrency);
            return outcome(seconds, n, 0, before, after);
        }
    }

    static Map<String, String> serviceConfig(String mayanUrl, Path inbox, int concurrency) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("mayan.url", mayanUrl);
        config.put("mayan.max-in-flight", String.valueOf(concurrency));
        config.put("ingest.sources.drawings.kind", "file");
        config.put("ingest.sources.drawings.path", inbox.toString());
        config.put("ingest.sources.drawings.poll-interval", "500ms");
        config.put("ingest.sources.drawings.document-type", "Drawing");
        config.put("ingest.sources.drawings.filename-pattern", "(?<no>\\d{6})_rev(?<rev>\\d+)\\.pdf");
        config.put("ingest.sources.drawings.label", "Drawing {no} rev {rev}");
        config.put("ingest.sources.drawings.metadata.drawing_no", "{no}");
        config.put("ingest.sources.drawings.metadata.revision", "{rev}");
        config.put("ingest.sources.drawings.tags", "scanned");
        config.put("ingest.sources.drawings.cabinets", "Engineering/Drawings");
        return config;
    }

    static Outcome outcome(double seconds, int n, double cpu, JsonNode before, JsonNode after) {
        Map<String, Double> byEndpoint = new LinkedHashMap<>();
        after.path("byEndpoint").fields().forEachRemaining(e -> {
            double d = e.getValue().asDouble() - before.path("byEndpoint").path(e.getKey()).asDouble(0);
            if (d > 0) {
                byEndpoint.put(e.getKey(), d / n);
            }
        });
        double calls = (after.path("calls").asDouble() - before.path("calls").asDouble()) / n;
        int throttled = after.path("throttled").asInt() - before.path("throttled").asInt();
        return new Outcome(seconds, n, calls, cpu, throttled, byEndpoint);
    }

    static void check(JsonNode summary, int expected, String arm) {
        if (summary.path("complete").asInt() != expected || summary.path("duplicated").asInt() != 0
                || summary.path("documents").asInt() != expected) {
            throw new IllegalStateException(arm + ": expected " + expected + " complete documents, the double has "
                    + summary);
        }
    }

    // ---- real Mayan ---------------------------------------------------------------------------

    void againstRealMayan() throws Exception {
        int n = integer("real-n", 50);
        int reps = integer("reps", 3);
        int c = integer("real-concurrency", 4);
        RealMayan mayan = RealMayan.find();
        MayanFixtures.ensure(mayan);
        Path log = mayan.accessLog().orElseThrow(() -> new IllegalStateException(
                "no gunicorn access log of the real Mayan on this machine (start it with e2e/mayan-up.sh)"));
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        int base = 200000 + new Random().nextInt(400000);
        for (int rep = 1; rep <= reps; rep++) {
            for (String arm : List.of("service", "raw")) {
                Path dir = Files.createDirectories(work.resolve("real-" + arm + "-rep" + rep));
                List<RawClient.Item> items = drawings(dir.resolve("staging"), base, n);
                base += n;
                long mark = Files.size(log);
                double seconds;
                if (arm.equals("service")) {
                    Path inbox = Files.createDirectories(dir.resolve("inbox"));
                    Map<String, String> config = serviceConfig(mayan.url(), inbox, c);
                    // Under Mayan 4.12's throttle of 20 per second per user and worker (README "Performance").
                    config.put("mayan.max-requests-per-second", "18");
                    try (Child service = Child.service(dir, config, serviceJvmArgs(), Map.of("MAYAN_TOKEN", mayan.token()))) {
                        mark = Files.size(log);
                        long t0 = System.nanoTime();
                        moveAll(items, inbox);
                        await(Duration.ofMinutes(30), () -> doneCount(inbox) >= n, "the service's documents in real Mayan");
                        seconds = (System.nanoTime() - t0) / 1e9;
                    }
                } else {
                    RawClient client = new RawClient(mayan.url(), mayan.token(), Duration.ofMillis(1500),
                            Duration.ofMillis(500)).lookUp("Drawing", "scanned", "Engineering / Drawings");
                    mark = Files.size(log);
                    long t0 = System.nanoTime();
                    client.run(items, c);
                    seconds = (System.nanoTime() - t0) / 1e9;
                }
                int[] calls = countAccessLog(log, mark);
                for (RawClient.Item item : items) {
                    if (mayan.documentsLabelled(item.label()).size() != 1) {
                        throw new IllegalStateException(arm + ": " + item.label() + " is not exactly once in Mayan");
                    }
                }
                double perMinute = n / seconds * 60;
                System.out.printf("real rep %d %-8s %6.1f docs/min  %5.2f calls/doc  %5.2f polls/doc  %d x 429%n", rep, arm,
                        perMinute, calls[0] / (double) n, calls[2] / (double) n, calls[1]);
                results.computeIfAbsent(arm, k -> new ArrayList<>())
                        .add(new double[] {perMinute, calls[0] / (double) n, calls[1], calls[2] / (double) n});
            }
        }
        List<double[]> s = results.get("service");
        List<double[]> r = results.get("raw");
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            ratios.add(s.get(i)[0] / r.get(i)[0]);
        }
        table.add("");
        table.add(String.format("Against a real Mayan (%s), N = %d, concurrency %d, %d repetitions, median (min–max):",
                mayan.url(), n, c, reps));
        table.add("");
        table.add("| arm | docs/min | calls/doc | polls/doc | 429s met | service/raw |");
        table.add("|---|---|---|---|---|---|");
        table.add(String.format(Locale.ROOT, "| service | %s | %s | %s | %s | %s |", stat(col(s, 0), "%.0f"),
                stat(col(s, 1), "%.2f"), stat(col(s, 3), "%.2f"), stat(col(s, 2), "%.0f"), stat(ratios, "%.2f")));
        table.add(String.format(Locale.ROOT, "| raw | %s | %s | %s | %s | |", stat(col(r, 0), "%.0f"),
                stat(col(r, 1), "%.2f"), stat(col(r, 3), "%.2f"), stat(col(r, 2), "%.0f")));
    }

    /** A look whether Mayan has processed a document: the service's at its files, the raw client's at the document. */
    private static final java.util.regex.Pattern POLL =
            java.util.regex.Pattern.compile(".*\"GET /api/v4/documents/[0-9]+/(files/)?(\\?[^ ]*)? .*");

    /** API requests, 429 answers and polls (throttled ones included) in gunicorn's access log after {@code mark} bytes. */
    static int[] countAccessLog(Path log, long mark) throws IOException {
        int calls = 0;
        int throttled = 0;
        int polls = 0;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(mark);
            byte[] rest = new byte[(int) (file.length() - mark)];
            file.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                if (line.contains("/api/v4/")) {
                    calls++;
                    if (line.matches(".*\" 429 .*")) {
                        throttled++;
                    }
                    if (POLL.matcher(line).matches()) {
                        polls++;
                    }
                }
            }
        }
        return new int[] {calls, throttled, polls};
    }

    // ---- memory and start-up ------------------------------------------------------------------

    void memory() throws Exception {
        long gib = integer("memory-gib", 2);
        Path dir = Files.createDirectories(work.resolve("memory"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path big = staging.resolve("big.pdf");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(gib << 30);
            file.seek(0);
            file.write("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
        }
        try (Child mayan = Child.fakeMayan(dir, 100)) {
            Path inbox = Files.createDirectories(dir.resolve("inbox"));
            Map<String, String> config = new LinkedHashMap<>();
            config.put("mayan.url", mayan.url);
            config.put("ingest.sources.big.kind", "file");
            config.put("ingest.sources.big.path", inbox.toString());
            config.put("ingest.sources.big.poll-interval", "500ms");
            config.put("ingest.sources.big.stable-for", "1s");
            long idle;
            long peak;
            double seconds;
            try (Child service = Child.service(dir, config, List.of("-Xmx96m"), Map.of("MAYAN_TOKEN", TOKEN))) {
                await(Duration.ofSeconds(60), () -> status(service.port, "/q/health/ready") == 200, "readiness");
                idle = service.rssKb();
                service.resetPeak();
                long t0 = System.nanoTime();
                Files.move(big, inbox.resolve("big.pdf"), StandardCopyOption.ATOMIC_MOVE);
                await(Duration.ofMinutes(20), () -> doneCount(inbox) >= 1, "the " + gib + " GiB document");
                seconds = (System.nanoTime() - t0) / 1e9;
                peak = service.peakKb();
                Files.move(inbox.resolve(".done").resolve("big.pdf"), big);
            }
            String naive = naiveUpload(mayan.url, big);
            table.add("");
            table.add(String.format(Locale.ROOT, "Memory, a %d GiB upload to the test double: service at -Xmx96m idle RSS %d MiB,"
                    + " peak RSS %d MiB (peak - idle = %d MiB; %.1f s, %.0f MiB/s); naive script (reads the file, then"
                    + " requests.post): %s", gib, idle / 1024, peak / 1024, (peak - idle) / 1024, seconds,
                    (gib << 10) / seconds, naive));
        } finally {
            Files.deleteIfExists(big);
        }
    }

    /** The forum's approach: {@code open(f).read()} and {@code requests.post(files=...)}; its peak RSS. */
    static String naiveUpload(String mayanUrl, Path file) throws IOException, InterruptedException {
        Path script = Path.of("bench", "naive_upload.py").toAbsolutePath();
        Process p = new ProcessBuilder("python3", script.toString(), mayanUrl, TOKEN, file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? out : "not measured (" + out.lines().reduce((a, b) -> b).orElse("no output") + ")";
    }

    void startup() throws Exception {
        int runs = integer("startup-runs", 5);
        Path dir = Files.createDirectories(work.resolve("startup"));
        List<Double> live = new ArrayList<>();
        try (Child mayan = Child.fakeMayan(dir, 100)) {
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                try (Child service = Child.service(dir.resolve("run" + i), Map.of("mayan.url", mayan.url), serviceJvmArgs(),
                        Map.of("MAYAN_TOKEN", TOKEN))) {
                    live.add(service.liveAfterNanos / 1e9);
                }
                System.out.printf("start-up %d: live after %.2f s%n", i + 1, live.get(i));
            }
        }
        table.add("");
        table.add(String.format(Locale.ROOT, "Start-up, JVM start to /q/health/live 200, %d runs: median %s s", runs,
                stat(live, "%.2f")));
        if (options.containsKey("aot-java")) {
            startupWithAotCache(Path.of(options.get("aot-java")), runs, dir);
        }
    }

    /**
     * {@code --aot-java <JAVA_HOME of a JDK 25 or later>}: the same start-up on that JDK, without and with
     * its AOT cache (JEP 483/514/515), the cache recorded by one training start stopped once live.
     */
    void startupWithAotCache(Path javaHome, int runs, Path dir) throws Exception {
        String java = javaHome.resolve("bin").resolve("java").toString();
        Path cache = dir.resolve("service.aot");
        List<Double> plain = new ArrayList<>();
        List<Double> aot = new ArrayList<>();
        try (Child mayan = Child.fakeMayan(dir, 100)) {
            List<String> training = new ArrayList<>(serviceJvmArgs());
            training.add("-XX:AOTCacheOutput=" + cache);
            try (Child service = Child.service(dir.resolve("aot-training"), Map.of("mayan.url", mayan.url), training,
                    Map.of("MAYAN_TOKEN", TOKEN), java)) {
                System.out.printf("AOT training start: live after %.2f s%n", service.liveAfterNanos / 1e9);
            }
            await(Duration.ofSeconds(120), () -> Files.exists(cache), "the AOT cache " + cache);
            List<String> withCache = new ArrayList<>(serviceJvmArgs());
            withCache.add("-XX:AOTCache=" + cache);
            for (int i = 0; i < runs; i++) {
                for (boolean cached : List.of(false, true)) {
                    try (Child service = Child.service(dir.resolve((cached ? "aot" : "jdk") + i), Map.of("mayan.url", mayan.url),
                            cached ? withCache : serviceJvmArgs(), Map.of("MAYAN_TOKEN", TOKEN), java)) {
                        (cached ? aot : plain).add(service.liveAfterNanos / 1e9);
                    }
                    System.out.printf("start-up %d on %s%s: live after %.2f s%n", i + 1, javaHome.getFileName(),
                            cached ? " with its AOT cache" : "", (cached ? aot : plain).get(i));
                }
            }
        }
        table.add(String.format(Locale.ROOT, "The same on %s, %d runs each, interleaved: median %s s; with its AOT cache"
                + " (%d MB, recorded by one training start): median %s s", javaHome.getFileName(), runs, stat(plain, "%.2f"),
                Files.size(cache) >> 20, stat(aot, "%.2f")));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** n drawings of about 20 KB ({@code <number>_rev1.pdf}), written to {@code dir}, with a time stamp in the past. */
    static List<RawClient.Item> drawings(Path dir, int first, int n) throws Exception {
        Files.createDirectories(dir);
        Random random = new Random(first);
        List<RawClient.Item> items = new ArrayList<>();
        FileTime old = FileTime.from(Instant.now().minusSeconds(60));
        for (int i = 0; i < n; i++) {
            String no = String.valueOf(first + i);
            byte[] padding = new byte[20_000];
            random.nextBytes(padding);
            byte[] head = ("%PDF-1.4\n% drawing " + no + " " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] content = new byte[head.length + padding.length];
            System.arraycopy(head, 0, content, 0, head.length);
            System.arraycopy(padding, 0, content, head.length, padding.length);
            Path file = dir.resolve(no + "_rev1.pdf");
            Files.write(file, content);
            // Old enough for the folder source's stable-for check: the timing measures ingestion, not waiting.
            Files.setLastModifiedTime(file, old);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            items.add(new RawClient.Item(file, "Drawing " + no + " rev 1", no, "1", sha));
        }
        return items;
    }

    static void moveAll(List<RawClient.Item> items, Path inbox) throws IOException {
        for (RawClient.Item item : items) {
            Files.move(item.file(), inbox.resolve(item.file().getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    static long doneCount(Path inbox) {
        Path done = inbox.resolve(".done");
        if (!Files.isDirectory(done)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(done)) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    static JsonNode summary(Child mayan) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(mayan.admin + "/summary")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    static int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits for a condition, checking every 20 ms without sleeping a thread of the measured arms. */
    static void await(Duration atMost, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        Object monitor = new Object();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            synchronized (monitor) {
                monitor.wait(20);
            }
        }
    }

    static String stat(List<Double> values, String format) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        if (sorted.size() == 1) {
            return String.format(Locale.ROOT, format, median);
        }
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", median, sorted.get(0),
                sorted.get(sorted.size() - 1));
    }

    static List<Double> col(List<double[]> rows, int i) {
        return rows.stream().map(r -> r[i]).toList();
    }

    static String format(Map<String, Double> byEndpoint) {
        List<String> parts = new ArrayList<>();
        byEndpoint.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.2f", k, v)));
        return String.join(", ", parts);
    }

    /** A child process of the benchmark: the test double or the service. */
    static final class Child implements AutoCloseable {
        final Process process;
        String url;
        String admin;
        int port;
        long liveAfterNanos;

        private Child(Process process) {
            this.process = process;
        }

        static Child fakeMayan(Path dir, long delayMs) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    FakeMayanServer.class.getName(), TOKEN, String.valueOf(delayMs))
                    .redirectError(dir.resolve("fake-mayan.err").toFile()).start();
            Child child = new Child(p);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("READY ")) {
                p.destroyForcibly();
                throw new IllegalStateException("the test double did not start: " + line);
            }
            String[] parts = line.split(" ");
            child.url = parts[1];
            child.admin = parts[2];
            return child;
        }

        static Child service(Path dir, Map<String, String> properties, List<String> jvmArgs, Map<String, String> env)
                throws IOException, InterruptedException {
            return service(dir, properties, jvmArgs, env, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }

        static Child service(Path dir, Map<String, String> properties, List<String> jvmArgs, Map<String, String> env,
                String java) throws IOException, InterruptedException {
            Files.createDirectories(dir.resolve("config"));
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            StringBuilder text = new StringBuilder();
            Map<String, String> all = new LinkedHashMap<>(properties);
            all.put("quarkus.http.port", String.valueOf(port));
            all.putIfAbsent("ingest.data-dir", dir.resolve("data").toString());
            all.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(dir.resolve("config").resolve("application.properties"), text);
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(JAR.toString());
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("service.log").toFile());
            builder.environment().putAll(env);
            long t0 = System.nanoTime();
            Child child = new Child(builder.start());
            child.port = port;
            await(Duration.ofSeconds(120), () -> {
                if (!child.process.isAlive()) {
                    throw new IllegalStateException("the service exited; see " + dir.resolve("service.log"));
                }
                return status(port, "/q/health/live") == 200;
            }, "the service to be live");
            child.liveAfterNanos = System.nanoTime() - t0;
            return child;
        }

        /** utime + stime of the process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
        long cpuTicks() throws IOException {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }

        long rssKb() throws IOException {
            return statusField("VmRSS:");
        }

        long peakKb() throws IOException {
            return statusField("VmHWM:");
        }

        /** Resets VmHWM to the current RSS (Linux: write 5 to /proc/<pid>/clear_refs). */
        void resetPeak() throws IOException {
            Files.writeString(Path.of("/proc", String.valueOf(process.pid()), "clear_refs"), "5");
        }

        private long statusField(String name) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            throw new IllegalStateException(name + " not in /proc status");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
