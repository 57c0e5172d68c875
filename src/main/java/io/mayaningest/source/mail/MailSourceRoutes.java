package io.mayaningest.source.mail;

import java.nio.file.Files;
import java.util.Optional;
import java.util.Properties;

import io.mayaningest.cluster.Leadership;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.pipeline.PipelineRoutes;
import io.mayaningest.pipeline.SourceErrorPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.endpoint.AbstractEndpointBuilder;
import org.apache.camel.builder.endpoint.StaticEndpointBuilders;
import org.apache.camel.builder.endpoint.dsl.MailEndpointBuilderFactory.MailEndpointConsumerBuilder;
import org.jboss.logging.Logger;

/**
 * Mailboxes, IMAP or POP3. One route template; each {@code ingest.sources.<name>} of kind {@code imap}
 * or {@code pop3} becomes a route {@code source-<name>} made from it. Every attachment of a mail is a
 * document that goes through {@link PipelineRoutes#INGEST} on its own (route {@value #ATTACHMENT_ROUTE},
 * under the shared error policy); the mail is acted on only after all of them.
 * <p>
 * Why these consumer options: {@code peek=true} so that reading a mail never marks it seen (a mail
 * whose documents are not all in Mayan must stay unseen); {@code delete=false} and per-message
 * {@code delete}/{@code moveTo} headers so that {@link MailAcknowledgement} alone decides what happens
 * to it; {@code mapMailMessage=false} so that Camel never reads the attachments into memory (we stream
 * them from the raw {@code jakarta.mail.Message}); {@code handleFailedMessage=true} so that a mail the
 * server cannot deliver is logged and the next one is read. The route has no error handler: any
 * unexpected failure rolls the mail back, unflagged, for the next poll.
 */
@ApplicationScoped
public class MailSourceRoutes extends RouteBuilder {

    public static final String TEMPLATE = "mail-source";
    public static final String ATTACHMENT = "direct:mail-attachment";
    public static final String ATTACHMENT_ROUTE = "mail-attachment";
    private static final Logger LOG = Logger.getLogger(MailSourceRoutes.class);

    private final IngestConfig config;
    private final MailSources sources;
    private final MailReader reader;
    private final MailAcknowledgement acknowledgement;

    private final io.mayaningest.mayan.MayanGate gate;
    private final io.mayaningest.source.MappingCheck mappingCheck;

    private final Leadership leadership;
    private final io.mayaningest.config.MayanConfig mayan;

    public MailSourceRoutes(IngestConfig config, MailSources sources, MailReader reader,
            MailAcknowledgement acknowledgement, io.mayaningest.mayan.MayanGate gate,
            io.mayaningest.source.MappingCheck mappingCheck, Leadership leadership, io.mayaningest.config.MayanConfig mayan) {
        this.leadership = leadership;
        this.mayan = mayan;
        this.gate = gate;
        this.mappingCheck = mappingCheck;
        this.config = config;
        this.sources = sources;
        this.reader = reader;
        this.acknowledgement = acknowledgement;
    }

    public static String routeId(String source) {
        return io.mayaningest.source.SourceRoutes.routeId(source);
    }

    @Override
    public void configure() throws Exception {
        routeTemplate(TEMPLATE)
                .templateParameter("source", null, "the source's name: ingest.sources.<source>")
                .templateParameter("endpoint", null, "the mail consumer, from MailSourceRoutes#mailEndpoint")
                .templateParameter("leader", "", "master:<namespace>: when only the cluster's leader reads it (Leadership)")
                .templateParameter("parallel", "false", "true: a mail's documents go through side by side (concurrency above 1)")
                .from("{{leader}}{{endpoint}}")
                    .errorHandler(noErrorHandler())
                    .setProperty(MailReader.SOURCE_PROPERTY, constant("{{source}}"))
                    // While Mayan cannot take documents the mail is not read (peeked only, left unseen).
                    .process(exchange -> {
                        if (!gate.isOpen()) {
                            throw new MailDeferredException("Mayan is unreachable; the mail waits unread");
                        }
                        String source = exchange.getProperty(MailReader.SOURCE_PROPERTY, String.class);
                        if (!mappingCheck.ready(source)) {
                            // Not checked yet, or naming what Mayan lacks (readiness says which): unread, unseen.
                            throw new MailDeferredException("source " + source
                                    + " takes nothing until its mapping is checked and right; the mail waits unread");
                        }
                    })
                    .bean(reader, "read")
                    // Each document in its own exchange, so that the error policy quarantines one
                    // attachment without ending the mail's route. The attachments are in the spool by now
                    // (the mail itself is not read again), so with a concurrency above 1 a mail's documents go
                    // through the pipeline side by side (Camel's parallel split; waiting for Mayan holds no
                    // thread, uploads stay capped by mayan.max-in-flight); with 1 in order, one after the
                    // other. The mail is concluded once all are through.
                    .split(simple("${body.documents}")).parallelProcessing("{{parallel}}")
                        .filter(MailBatch::continues)
                            .to(ATTACHMENT)
                            .process(MailBatch::ended)
                        .end()
                    .end()
                    .bean(acknowledgement, "conclude");

        from(ATTACHMENT).routeId(ATTACHMENT_ROUTE)
                .routeConfigurationId(SourceErrorPolicy.ID)
                .bean(reader, "map")
                .to(PipelineRoutes.INGEST)
                .bean(acknowledgement, "success");

        for (MailSettings settings : sources.all().values()) {
            Files.createDirectories(settings.spool());
            int concurrency = io.mayaningest.source.SourceValidation.concurrency(config.sources().get(settings.name()),
                    mayan.maxInFlight());
            Properties properties = new Properties();
            properties.putAll(settings.javaMailProperties());
            Optional<String> password = config.sources().get(settings.name()).password().filter(p -> !p.isEmpty());
            var route = templatedRoute(TEMPLATE)
                    .routeId(routeId(settings.name()))
                    .parameter("source", settings.name())
                    // "" or master:<namespace>: (leader-only on a cluster, see Leadership)
                    .parameter("leader", leadership.consumerPrefix(settings.name()))
                    .parameter("parallel", String.valueOf(concurrency > 1))
                    .parameter("endpoint", mailEndpoint(settings, password.isPresent(),
                            config.sources().get(settings.name()).pollInterval().toMillis()).getRawUri())
                    .bean(PROPERTIES, properties);
            // The password is a bean of the route, named in the URI: a resolved placeholder would be part of
            // the endpoint URI, which Camel prints and shows in health, masked only up to a ')' in the password.
            // Through a supplier: Camel's bean factory would read a plain String as a class name (and print it).
            password.ifPresent(p -> route.bean(PASSWORD, (java.util.function.Supplier<Object>) () -> p));
            if (settings.plainTextPassword()) {
                LOG.warnf("Source %s sends its password in plain text to %s (security=none); set "
                        + "ingest.sources.%s.security=ssl or starttls", settings.name(), settings.host(), settings.name());
            }
            LOG.infof("Source %s reads %s://%s:%d/%s as %s (after success: %s, after failure: %s, spool: %s, %s)",
                    settings.name(), settings.protocol(), settings.host(), settings.port(), settings.folder(),
                    settings.username(), config.sources().get(settings.name()).afterSuccess(),
                    settings.isImap() ? "move:" + settings.failedFolder() : "left on the server", settings.spool(),
                    concurrency > 1 ? "the documents of a mail side by side" : "the documents of a mail in order");
        }
    }

    /** The local names of a source route's own beans. */
    static final String PROPERTIES = "mailProperties";
    static final String PASSWORD = "mailPassword";

    /**
     * One source's mail consumer, built with the Endpoint DSL. It only peeks at unseen mail and never
     * deletes: MailAcknowledgement flags, moves or deletes a mail after all its documents are in Mayan;
     * {@code handleFailedMessage} keeps a mail that fails to be read for the error policy;
     * {@code mapMailMessage=false} leaves the message as the body, read by MailReader as a stream.
     */
    static AbstractEndpointBuilder mailEndpoint(MailSettings settings, boolean password, long pollMillis) {
        String server = settings.host() + ":" + settings.port();
        MailEndpointConsumerBuilder e = switch (settings.protocol()) {
            case "imaps" -> StaticEndpointBuilders.imaps(server);
            case "pop3" -> StaticEndpointBuilders.pop3(server);
            case "pop3s" -> StaticEndpointBuilders.pop3s(server);
            default -> StaticEndpointBuilders.imap(server);
        };
        e.username("RAW(" + settings.username() + ")");
        if (password) {
            e.password("#bean:{{" + PASSWORD + "}}");
        }
        e.peek(true).unseen(true).delete(false).handleFailedMessage(true).closeFolder(true).delay(pollMillis);
        if (settings.isImap()) {
            e.advanced().folderName("RAW(" + settings.folder() + ")");
        }
        e.advanced().mapMailMessage(false);
        AbstractEndpointBuilder builder = (AbstractEndpointBuilder) e;
        // An object-valued option: the builder's typed setter would put the Properties into the URI.
        builder.doSetProperty("additionalJavaMailProperties", "#{{" + PROPERTIES + "}}");
        return builder;
    }
}
