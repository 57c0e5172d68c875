package io.mayaningest.source.mail;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.mayaningest.config.IngestConfig.SourceConfig;

/**
 * The settings of one e-mail source, checked at start-up: a wrong value stops the service with a
 * message that names the property, instead of a mailbox that is silently never read.
 */
public record MailSettings(String name, String kind, String protocol, String host, int port, String username,
        String folder, Path spool, Ack afterSuccess, String failedFolder, Map<String, String> javaMailProperties,
        boolean plainTextPassword) {

    public static final String IMAP = "imap";
    public static final String POP3 = "pop3";

    /** What to do with a mail whose documents are all confirmed in Mayan. */
    public enum AckKind { SEEN, DELETE, MOVE }

    public record Ack(AckKind kind, String folder) {
    }

    public boolean isImap() {
        return IMAP.equals(kind);
    }

    public static MailSettings of(String name, SourceConfig source, String dataDir) {
        String prefix = "ingest.sources." + name + ".";
        String kind = source.kind();
        boolean imap = IMAP.equals(kind);
        String host = source.host().filter(h -> !h.isBlank())
                .orElseThrow(() -> invalid(prefix + "host", "is required for a source of kind " + kind));
        String username = source.username().filter(u -> !u.isBlank())
                .orElseThrow(() -> invalid(prefix + "username", "is required for a source of kind " + kind));
        String security = source.security().strip().toLowerCase(Locale.ROOT);
        Map<String, String> props = new LinkedHashMap<>();
        String protocol;
        int defaultPort;
        switch (security) {
            case "ssl" -> {
                protocol = kind + "s";
                defaultPort = imap ? 993 : 995;
            }
            case "starttls" -> {
                protocol = kind;
                defaultPort = imap ? 143 : 110;
                // required, not just enabled: never fall back to plain text when the server offers no STARTTLS.
                props.put("mail." + kind + ".starttls.enable", "true");
                props.put("mail." + kind + ".starttls.required", "true");
            }
            case "none" -> {
                protocol = kind;
                defaultPort = imap ? 143 : 110;
            }
            default -> throw invalid(prefix + "security", "is \"" + source.security() + "\"; use ssl, starttls or none");
        }
        if (!imap) {
            // POP3 RETR otherwise reads the whole message into memory; the file cache keeps it on disk.
            props.put("mail.pop3.filecache.enable", "true");
        }
        int port = source.port().orElse(defaultPort);
        if (port <= 0 || port > 65535) {
            throw invalid(prefix + "port", "is " + port + "; use a TCP port");
        }
        Ack success = parseAck(prefix + "after-success", source.afterSuccess(), imap);
        String failed = null;
        if (imap) {
            failed = moveFolder(source.afterFailure()).orElseThrow(() -> invalid(prefix + "after-failure",
                    "is \"" + source.afterFailure() + "\"; use move:<folder> (default move:Mayan-Failed)"));
        }
        Path spool = source.spoolPath().map(Path::of)
                .orElseGet(() -> Path.of(dataDir, "spool", name)).toAbsolutePath().normalize();
        boolean plain = "none".equals(security) && source.password().filter(p -> !p.isEmpty()).isPresent()
                && !isLoopback(host);
        return new MailSettings(name, kind, protocol, host, port, username, imap ? source.folder() : "INBOX", spool,
                success, failed, props, plain);
    }

    private static Ack parseAck(String key, String value, boolean imap) {
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.equals("seen") || (!imap && lower.equals("keep"))) {
            return new Ack(AckKind.SEEN, null);
        }
        if (lower.equals("delete")) {
            return new Ack(AckKind.DELETE, null);
        }
        Optional<String> move = moveFolder(v);
        if (move.isPresent()) {
            if (!imap) {
                throw invalid(key, "is \"" + value + "\", but POP3 has no folders; use seen (keep) or delete");
            }
            return new Ack(AckKind.MOVE, move.get());
        }
        throw invalid(key, "is \"" + value + "\"; use seen, delete or move:<folder>");
    }

    private static Optional<String> moveFolder(String value) {
        String v = value.strip();
        if (v.regionMatches(true, 0, "move:", 0, 5) && !v.substring(5).isBlank()) {
            return Optional.of(v.substring(5).strip());
        }
        return Optional.empty();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }

    private static IllegalArgumentException invalid(String key, String what) {
        return new IllegalArgumentException(key + " " + what);
    }
}
