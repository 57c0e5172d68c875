package io.mayaningest.source;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.pipeline.IngestRequest;
import io.mayaningest.pipeline.Templates;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The mapping every source kind shares: the source's fixed settings rendered as templates with the
 * values the source knows about the item (file name parts, pattern groups, mail headers, message
 * properties), then the item's sidecars on top.
 */
@ApplicationScoped
public class Mapping {

    private final IngestConfig config;

    public Mapping(IngestConfig config) {
        this.config = config;
    }

    public SourceConfig source(String name) {
        SourceConfig source = config.sources().get(name);
        if (source == null) {
            throw new IllegalStateException("no source named " + name);
        }
        return source;
    }

    /** Applies the source's mapping with these template values, then the sidecars among the companions. */
    public void apply(IngestRequest item, Map<String, String> values) {
        SourceConfig source = source(item.getSourceName());
        String prefix = "ingest.sources." + item.getSourceName() + ".";
        item.setDocumentType(source.documentType());
        item.setLabel(Templates.render(source.label(), values, prefix + "label"));
        item.setDescription(Templates.render(source.description().orElse(null), values, prefix + "description"));
        item.setLanguage(Templates.render(source.language().orElse(null), values, prefix + "language"));
        source.metadata().forEach((name, template) -> item.getMetadata().put(name,
                Templates.render(template, values, prefix + "metadata." + name)));
        source.tags().ifPresent(tags -> tags.forEach(t -> addRendered(item.getTags(), t, values, prefix + "tags")));
        source.cabinets().ifPresent(cabinets -> cabinets.forEach(
                c -> addRendered(item.getCabinets(), c, values, prefix + "cabinets")));
        for (Path companion : item.getCompanions()) {
            if (FileSourceFilter.isSidecarName(companion.getFileName().toString())) {
                Sidecar.apply(companion, item);
            }
        }
    }

    private static void addRendered(List<String> target, String template, Map<String, String> values, String where) {
        String value = Templates.render(template, values, where).strip();
        if (!value.isEmpty()) {
            target.add(value);
        }
    }
}
