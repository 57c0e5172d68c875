package io.mayaningest.source;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;

/**
 * One kind of source ({@code file}, {@code sftp}, {@code imap}, {@code pop3}, {@code jms}, {@code http},
 * {@code route}): what {@code ingest.sources.<name>.kind} names. Each kind's package holds one
 * implementation, a CDI bean, so the set of kinds is the set of these beans: validation asks them for the
 * settings they require and for their own checks, rather than a table of strings that a new kind could
 * be missing from. The kind's mapper ({@link SourceMapper}) and acknowledger
 * ({@link io.mayaningest.pipeline.SourceAcknowledger}) are its other two interfaces.
 */
public interface SourceKind {

    /** The value of {@code ingest.sources.<name>.kind}. */
    String kind();

    /**
     * The settings a source of this kind cannot do without, by their key under
     * {@code ingest.sources.<name>.}, with how to read each; in the order a message lists them.
     */
    Map<String, Function<SourceConfig, Optional<String>>> required();

    /** The kind's own checks of an enabled source; each problem names the property and the fix. */
    default void check(String name, SourceConfig source, IngestConfig config, List<String> problems) {
    }
}
