package io.mayaningest.source.sftp;

import io.mayaningest.source.SourceHealth;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.jboss.logging.Logger;

/**
 * Turns a failed poll (login refused, host key not trusted, directory gone, server down) into the
 * source's readiness status with a reason a person can act on, instead of a stack trace on every
 * poll. The consumer tries again at its next poll; the other sources carry on.
 */
public class SftpPollStrategy implements PollingConsumerPollStrategy {

    private final SftpSettings settings;
    private final SourceHealth health;

    public SftpPollStrategy(SftpSettings settings, SourceHealth health) {
        this.settings = settings;
        this.health = health;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        health.up(settings.name());
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        String[] diagnosis = diagnose(cause, settings);
        health.down(settings.name(), diagnosis[0], diagnosis[1]);
        return false;
    }

    /** Reason and fix for a failed poll, from the messages JSch and Camel give. */
    static String[] diagnose(Throwable cause, SftpSettings s) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        String text = all.toString();
        String server = s.server();
        String known = s.effectiveKnownHosts().toString();
        if (text.contains("HostKey has been changed")) {
            return new String[] {"the host key of " + server + " differs from the one in " + known
                    + " (the server was reinstalled, or someone is in between)",
                    "check the server's key fingerprint with its administrator, then replace its line in " + known};
        }
        if (text.contains("UnknownHostKey") || text.contains("reject HostKey")) {
            return new String[] {"the host key of " + server + " is not in " + known,
                    "verify the key with the server's administrator and add it, e.g. ssh-keyscan -p " + s.port() + " "
                            + s.host() + " >> " + known};
        }
        if (text.contains("Auth fail") || text.contains("Auth cancel")) {
            return new String[] {"login to " + server + " was refused",
                    "check ingest.sources." + s.name() + ".username and its password or private key"};
        }
        if (text.contains("No such file") || text.contains("No such directory")
                || text.contains("Cannot change directory") || text.contains("directory does not exist")) {
            return new String[] {"the directory \"" + s.path() + "\" does not exist on " + server,
                    "create it on the server or correct ingest.sources." + s.name() + ".path"};
        }
        return new String[] {"polling " + server + " failed:" + text,
                "check that the server is reachable; the source tries again at every poll"};
    }

    /**
     * The consumer's exception handler: while the source is down its poll failures are already in
     * readiness and logged once, so they go to DEBUG; anything else stays a warning.
     */
    /** SFTP's "no such file" (SSH_FX_NO_SUCH_FILE) anywhere in the cause chain. */
    static boolean vanished(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof com.jcraft.jsch.SftpException e && e.id == com.jcraft.jsch.ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    public static class QuietExceptionHandler implements ExceptionHandler {

        private static final Logger LOG = Logger.getLogger(SftpPollStrategy.class);
        private final String source;
        private final SourceHealth health;

        public QuietExceptionHandler(String source, SourceHealth health) {
            this.source = source;
            this.health = health;
        }

        @Override
        public void handleException(Throwable exception) {
            handleException(null, null, exception);
        }

        @Override
        public void handleException(String message, Throwable exception) {
            handleException(message, null, exception);
        }

        @Override
        public void handleException(String message, Exchange exchange, Throwable exception) {
            SourceHealth.Status status = health.status(source);
            String text = "source " + source + ": " + (message == null ? "" : message + " ") + exception;
            if (status != null && !status.up()) {
                LOG.debug(text);
            } else if (vanished(exception)) {
                // Listed, then gone before its download: another replica took it (ledger claims, several
                // replicas on one directory) or someone removed it. Nothing was taken, nothing is lost.
                LOG.debugf("source %s: a listed file was gone before its download (taken by another replica,"
                        + " or removed): %s", source, exception.getMessage());
            } else {
                LOG.warn(text, exception);
            }
        }
    }
}
