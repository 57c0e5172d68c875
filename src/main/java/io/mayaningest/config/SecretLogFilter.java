package io.mayaningest.config;

import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.logging.LoggingFilter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Sanitises the log lines other code writes with secrets in them. The service never logs a secret
 * itself; this covers two lines it does not write:
 * <ul>
 * <li>Quarkus' start-up warning "Build time property cannot be changed at runtime" quotes the values.
 * The Artemis extension records {@code quarkus.artemis.username} and {@code password} as build-time
 * values, so the warning prints the broker's password whenever it is set in
 * {@code config/application.properties} or as {@code QUARKUS_ARTEMIS_PASSWORD}. Hiding the warning
 * would hide the useful ones too, so the values of properties named like a secret are masked.</li>
 * <li>A URL with a password in its user info ({@code scheme://user:pass@host}), whoever prints it.</li>
 * </ul>
 * Deliberately without configuration: it matches patterns, so it works from the first line on.
 * Installed on the console by {@code quarkus.log.console.filter}; set the same on any handler you add.
 */
@LoggingFilter(name = "mayan-ingest-secrets")
public final class SecretLogFilter implements Filter {

    static final String MASK = "****";
    /** {@code - quarkus.artemis.password is set to 'x' but it is build time fixed to 'y'.} */
    private static final Pattern BUILD_TIME_VALUE = Pattern.compile(
            "(- \\S*(?i:password|passphrase|token|secret)\\S* is set to ')(.*?)(' but it is build time fixed to ')(.*?)('\\.)");
    private static final Pattern URL_PASSWORD = Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]*:)[^@\\s/]+@");

    /** Whether the console's formatter was chosen: see {@link JsonConsoleLog}. */
    private volatile boolean formatChosen;

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!formatChosen) {
            chooseFormat();
        }
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        String masked = mask(message);
        if (masked != null && !masked.equals(message)) {
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(masked, ExtLogRecord.FormatStyle.NO_FORMAT);
            } else {
                record.setMessage(masked);
            }
            record.setParameters(null);
        }
        return true;
    }

    /**
     * Quarkus runs this filter on its console handler from the first line on, before any bean exists: the
     * one moment at which switching the console to JSON leaves no plain line behind. The handler asks the
     * filter before it formats, so even this first line is written by the new formatter.
     */
    private synchronized void chooseFormat() {
        if (!formatChosen) {
            formatChosen = true;
            JsonConsoleLog.installIfConfigured();
        }
    }

    static String mask(String text) {
        if (text == null || text.indexOf(':') < 0) {
            return text;
        }
        String out = text;
        if (out.contains("build time fixed")) {
            Matcher m = BUILD_TIME_VALUE.matcher(out);
            out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + (r.group(2).isEmpty() ? "" : MASK) + r.group(3)
                    + (r.group(4).isEmpty() ? "" : MASK) + r.group(5)));
        }
        if (out.contains("://")) {
            out = URL_PASSWORD.matcher(out).replaceAll("$1" + MASK + "@");
        }
        return out;
    }
}
