package io.mayaningest.source.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The folder of the default {@code camel.main.routes-include-pattern}, {@code routes/} in the working
 * directory, exists before Camel reads it: Camel's file resolver fails start-up on a missing folder
 * ({@code NoSuchFileException: routes}), and a service without routes of its own is the common case.
 * A pattern the operator set names a folder that must exist; a missing one stops start-up naming it.
 */
@ApplicationScoped
public class RoutesFolder {

    static final String PROPERTY = "camel.main.routes-include-pattern";
    static final String DEFAULT = "file:routes/*.yaml";
    private static final Logger LOG = Logger.getLogger(RoutesFolder.class);

    private final String patterns;

    public RoutesFolder(@ConfigProperty(name = PROPERTY, defaultValue = DEFAULT) String patterns) {
        this.patterns = patterns;
    }

    // Before Camel main configures the context, i.e. before it loads the routes of the pattern.
    void ensure(@Observes BeforeConfigure event) throws IOException {
        for (String pattern : patterns.split(",")) {
            String p = pattern.strip();
            if (!p.startsWith("file:")) {
                continue;
            }
            Path folder = folderOf(p.substring("file:".length()));
            if (Files.isDirectory(folder)) {
                continue;
            }
            if (!p.equals(DEFAULT)) {
                throw new IllegalArgumentException(PROPERTY + " names " + p + ", but the folder "
                        + folder.toAbsolutePath() + " does not exist: create it or correct the pattern");
            }
            Files.createDirectories(folder);
            LOG.infof("Created %s for routes of your own (README, \"Routes\")", folder.toAbsolutePath());
        }
    }

    /** The folder part of a pattern: everything before the first segment with a wildcard. */
    static Path folderOf(String pattern) {
        String path = pattern.replace('\\', '/');
        int wildcard = path.indexOf('*');
        int end = wildcard < 0 ? path.lastIndexOf('/') : path.lastIndexOf('/', wildcard);
        return Path.of(end <= 0 ? (end == 0 ? "/" : ".") : path.substring(0, end));
    }
}
