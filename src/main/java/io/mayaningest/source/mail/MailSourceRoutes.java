package io.mayaningest.source.mail;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import io.mayaningest.cluster.Leadership;
import io.mayaningest.config.IngestConfig;
import io.mayaningest.pipeline.PipelineRoutes;
import io.mayaningest.pipeline.SourceErrorPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;
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

    public MailSourceRoutes(IngestConfig config, MailSources sources, MailReader reader,
            MailAcknowledgement acknowledgement, io.mayaningest.mayan.MayanGate gate,
            io.mayaningest.source.MappingCheck mappingCheck, Leadership leadership) {
        this.leadership = leadership;
        this.gate = gate;
        this.mappingCheck = mappingCheck;
        this.config = config;
        this.sources = sources;
        this.reader = reader;
        this.acknowledgement = acknowledgement;
    }

    public static String routeId(String source) {
        return "source-" + source;
    }

    @Override
    public void configure() throws Exception {
        routeTemplate(TEMPLATE)
                .templateParameter("source")
                .templateParameter("uri")
                .templateParameter("leader")
                .from("{{leader}}{{uri}}")
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
                    // attachment without ending the mail's route.
                    .split(simple("${body.documents}"))
                        .filter(MailBatch::continues)
                            .to(ATTACHMENT)
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
            String propertiesBean = "mayanIngestMailProperties-" + settings.name();
            Properties properties = new Properties();
            properties.putAll(settings.javaMailProperties());
            getCamelContext().getRegistry().bind(propertiesBean, properties);
            templatedRoute(TEMPLATE)
                    .routeId(routeId(settings.name()))
                    .parameter("source", settings.name())
                    // "" or master:<namespace>: (leader-only on a cluster, see Leadership)
                    .parameter("leader", leadership.consumerPrefix(settings.name()))
                    .parameter("uri", uri(settings, propertiesBean));
            if (settings.plainTextPassword()) {
                LOG.warnf("Source %s sends its password in plain text to %s (security=none); set "
                        + "ingest.sources.%s.security=ssl or starttls", settings.name(), settings.host(), settings.name());
            }
            LOG.infof("Source %s reads %s://%s:%d/%s as %s (after success: %s, after failure: %s, spool: %s)",
                    settings.name(), settings.protocol(), settings.host(), settings.port(), settings.folder(),
                    settings.username(), config.sources().get(settings.name()).afterSuccess(),
                    settings.isImap() ? "move:" + settings.failedFolder() : "left on the server", settings.spool());
        }
    }

    private String uri(MailSettings settings, String propertiesBean) {
        List<String> options = new ArrayList<>();
        options.add("username=RAW(" + settings.username() + ")");
        Optional<String> password = config.sources().get(settings.name()).password().filter(p -> !p.isEmpty());
        if (password.isPresent()) {
            // By reference to the registry, not a placeholder: a resolved placeholder is part of the endpoint
            // URI, which Camel prints and shows in health, masked only up to a ')' in the password.
            String bean = "mayanIngestMailPassword-" + settings.name();
            getCamelContext().getRegistry().bind(bean, password.get());
            options.add("password=#bean:" + bean);
        }
        if (settings.isImap()) {
            options.add("folderName=RAW(" + settings.folder() + ")");
        }
        options.add("peek=true");
        options.add("unseen=true");
        options.add("delete=false");
        options.add("mapMailMessage=false");
        options.add("handleFailedMessage=true");
        options.add("closeFolder=true");
        options.add("delay=" + config.sources().get(settings.name()).pollInterval().toMillis());
        options.add("additionalJavaMailProperties=#" + propertiesBean);
        return settings.protocol() + "://" + settings.host() + ":" + settings.port() + "?" + String.join("&", options);
    }
}
