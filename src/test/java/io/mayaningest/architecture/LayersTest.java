package io.mayaningest.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The service's packages are layers, and no package refers to one above it (nor to another of its own
 * rank): core, which depends on nothing; config; cluster, ledger and mayan; pipeline; the sources' shared
 * package; each source kind; health and operator; the console. Read from the sources, so an import or a
 * fully qualified name in code that goes upwards fails here with the file and the line.
 */
class LayersTest {

    private static final Path MAIN = Path.of("src/main/java/io/mayaningest");
    private static final Pattern REFERENCE = Pattern.compile("io\\.mayaningest\\.([a-z]+(?:\\.[a-z]+)?)\\.[A-Z]");

    /** Rank of each package; a package may use only packages of a lower rank (and itself). */
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("core", 0),
            Map.entry("config", 1),
            Map.entry("cluster", 2), Map.entry("ledger", 2), Map.entry("mayan", 2),
            Map.entry("pipeline", 3),
            Map.entry("source", 4),
            Map.entry("source.file", 5), Map.entry("source.sftp", 5), Map.entry("source.mail", 5),
            Map.entry("source.jms", 5), Map.entry("source.http", 5), Map.entry("source.route", 5),
            Map.entry("health", 6), Map.entry("operator", 6),
            Map.entry("console", 7));

    @Test
    void noPackageRefersUpwards() throws IOException {
        List<String> violations = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file.getParent()).toString().replace('/', '.');
                Integer rank = RANK.get(pkg);
                if (rank == null) {
                    unknown.add(pkg + " (" + file + ")");
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.startsWith("*") || line.startsWith("/*") || line.startsWith("//") || line.startsWith("package ")) {
                        continue; // documentation may point anywhere
                    }
                    Matcher m = REFERENCE.matcher(line);
                    while (m.find()) {
                        String used = m.group(1);
                        if (!RANK.containsKey(used) && RANK.containsKey(used.substring(0, used.indexOf('.') < 0
                                ? used.length() : used.indexOf('.')))) {
                            // io.mayaningest.source.Mapping matched as "source" + ".Mapping": fine; a deeper
                            // name is a package of its own and must be ranked.
                            used = used.substring(0, used.indexOf('.') < 0 ? used.length() : used.indexOf('.'));
                        }
                        Integer usedRank = RANK.get(used);
                        if (usedRank == null) {
                            unknown.add(used + " (used in " + file + ":" + (i + 1) + ")");
                        } else if (!used.equals(pkg) && usedRank >= rank) {
                            violations.add(file + ":" + (i + 1) + ": " + pkg + " uses " + used);
                        }
                    }
                }
            }
        }
        assertThat(unknown).as("packages without a rank in LayersTest: give each a place in the layers").isEmpty();
        assertThat(violations).as("references to a package of the same or a higher layer").isEmpty();
    }
}
