package io.mayaningest.source.sftp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;

/**
 * One SFTP source's settings with their defaults applied and checked at start-up, so a missing key is
 * named before any poll. Remote paths are kept as the user wrote them: relative to the login
 * directory, or absolute when they start with {@code /}.
 */
public record SftpSettings(String name, String host, int port, String username, Optional<String> password,
        Optional<Path> privateKeyFile, Optional<String> privateKeyPassphrase, Optional<Path> knownHostsFile,
        boolean strictHostKeyChecking, String path, String donePath, String errorPath, boolean deleteAfterSuccess,
        Path spoolPath) {

    static final Pattern SAFE_SOURCE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public static SftpSettings of(String name, SourceConfig source, IngestConfig config) {
        String prefix = "ingest.sources." + name + ".";
        if (!SAFE_SOURCE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("source name \"" + name + "\" may only use letters, digits, '.', '_' and '-'");
        }
        String host = required(source.host(), prefix + "host");
        String username = required(source.username(), prefix + "username");
        String path = trimSlash(required(source.path(), prefix + "path"));
        if (source.password().isEmpty() && source.privateKeyFile().isEmpty()) {
            throw new IllegalArgumentException(prefix + "password or " + prefix
                    + "private-key-file is required for a source of kind sftp");
        }
        Optional<Path> key = source.privateKeyFile().map(Path::of);
        if (key.isPresent() && !Files.isReadable(key.get())) {
            throw new IllegalArgumentException(prefix + "private-key-file " + key.get() + " cannot be read");
        }
        Optional<Path> knownHosts = source.knownHostsFile().map(Path::of);
        if (knownHosts.isPresent() && !Files.isRegularFile(knownHosts.get())) {
            throw new IllegalArgumentException(prefix + "known-hosts-file " + knownHosts.get() + " does not exist");
        }
        Path spool = source.spoolPath().map(Path::of)
                .orElseGet(() -> Path.of(config.dataDir(), "spool", name)).toAbsolutePath().normalize();
        return new SftpSettings(name, host, source.port().orElse(22), username, source.password(), key,
                source.privateKeyPassphrase(), knownHosts, source.strictHostKeyChecking(), path,
                trimSlash(source.donePath().orElse(join(path, ".done"))),
                trimSlash(source.errorPath().orElse(join(path, ".error"))), source.deleteAfterSuccess(), spool);
    }

    /** The known_hosts file JSch reads: the configured one, else the service user's own. */
    public Path effectiveKnownHosts() {
        return knownHostsFile.orElseGet(() -> Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
    }

    public String server() {
        return username + "@" + host + ":" + port;
    }

    public static String join(String dir, String name) {
        if (dir.isEmpty()) {
            return name;
        }
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /**
     * Camel's SFTP component reads paths relative to the login directory (it drops a leading '/' with
     * a warning); the service's own SFTP connection must use the very same paths, so both are relative.
     */
    private static String trimSlash(String path) {
        String p = path.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static String required(Optional<String> value, String key) {
        return value.map(String::strip).filter(v -> !v.isEmpty())
                .orElseThrow(() -> new IllegalArgumentException(key + " is required for a source of kind sftp"));
    }
}
