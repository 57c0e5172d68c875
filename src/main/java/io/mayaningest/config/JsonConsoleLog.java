package io.mayaningest.config;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * JSON console logs, switched on by {@code QUARKUS_LOG_CONSOLE_JSON=true} (the property
 * {@code quarkus.log.console.json}, the name the quarkus-logging-json extension uses): every console line
 * is then one JSON object with the field names that extension writes: {@code timestamp},
 * {@code sequence}, {@code loggerName}, {@code level}, {@code message}, {@code threadName},
 * {@code threadId}, {@code mdc} (the item's {@code ingestId}, {@code source} and {@code file}, see
 * {@code LogContext}), {@code hostName}, {@code processName}, {@code processId} and, for a failure,
 * {@code stackTrace}.
 * <p>
 * Hand-written because the extension is not served for Quarkus 3.27 by the registry this project builds
 * from (build-notes.md), and JBoss LogManager's own {@code JsonFormatter} cannot be used: the log manager
 * sits on Quarkus' boot class path, which does not see the JSON-P implementation. Jackson writes the
 * line. It is installed by {@link SecretLogFilter} on the first line Quarkus logs (the one piece of
 * application code Quarkus runs on its console handler from the start), so no line is plain text;
 * the secret masking runs before this formatter, as it does for plain text.
 */
public final class JsonConsoleLog extends ExtFormatter {

    public static final String PROPERTY = "quarkus.log.console.json";
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final String HOST = host();
    private static final long PID = ProcessHandle.current().pid();
    private static final String PROCESS = System.getProperty("sun.java.command", "java").split(" ", 2)[0];

    /** Called once, on the first line: puts this formatter on the console if the property says so. */
    static void installIfConfigured() {
        boolean on;
        try {
            on = ConfigProvider.getConfig().getOptionalValue(PROPERTY, Boolean.class).orElse(false);
        } catch (RuntimeException e) {
            // Config not readable (a value that is no boolean): the environment decides, plain otherwise.
            on = "true".equalsIgnoreCase(System.getenv("QUARKUS_LOG_CONSOLE_JSON"));
        }
        if (on) {
            install(new JsonConsoleLog());
        }
    }

    /** Puts the formatter on every console handler under the root logger; returns how many. */
    static int install(ExtFormatter formatter) {
        int installed = 0;
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            installed += install(handler, formatter);
        }
        return installed;
    }

    private static int install(Handler handler, ExtFormatter formatter) {
        int installed = 0;
        if (handler instanceof ConsoleHandler) {
            handler.setFormatter(formatter);
            installed++;
        }
        if (handler instanceof ExtHandler ext) {
            // Quarkus wraps its handlers (a delayed handler during start-up, async handlers on request).
            for (Handler nested : ext.getHandlers()) {
                installed += install(nested, formatter);
            }
        }
        return installed;
    }

    @Override
    public String format(ExtLogRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
            json.writeNumberField("sequence", record.getSequenceNumber());
            json.writeStringField("loggerName", record.getLoggerName());
            json.writeStringField("level", record.getLevel().getName());
            json.writeStringField("message", formatMessage(record));
            json.writeStringField("threadName", record.getThreadName());
            json.writeNumberField("threadId", record.getLongThreadID());
            Map<String, String> mdc = record.getMdcCopy();
            json.writeObjectFieldStart("mdc");
            for (Map.Entry<String, String> e : mdc.entrySet()) {
                json.writeStringField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
            json.writeStringField("hostName", HOST);
            json.writeStringField("processName", PROCESS);
            json.writeNumberField("processId", PID);
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                json.writeStringField("stackTrace", SecretLogFilter.mask(trace.toString()));
            }
            json.writeEndObject();
        } catch (IOException e) {
            return "{\"level\":\"ERROR\",\"message\":\"a log line could not be written as JSON: " + e.getClass().getName() + "\"}\n";
        }
        return out.append(System.lineSeparator()).toString();
    }

    @Override
    public String formatMessage(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : super.formatMessage(record);
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
