package io.mayaningest.source;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.mayaningest.config.IngestConfig;
import io.mayaningest.config.IngestConfig.SourceConfig;
import io.mayaningest.core.IngestRequest;
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

    /**
     * Applies the source's mapping with these template values, then the sidecars among the companions.
     * Groups of the filename-pattern missing from {@code values} mean the item brought its own mapping
     * and its name did not match ({@link FileNames#fileNameValues(String, Path, SourceConfig, String, boolean)}):
     * the templates that need them are left out (the label falls back to the file name), so the sidecar
     * decides and a failure names what is really missing rather than the pattern.
     */
    public void apply(IngestRequest item, Map<String, String> values) {
        SourceConfig source = source(item.getSourceName());
        String prefix = "ingest.sources." + item.getSourceName() + ".";
        Set<String> unmatched = new HashSet<>();
        source.filenamePattern().ifPresent(p -> FileNames.groupNames(Pattern.compile(p)).stream()
                .filter(g -> !values.containsKey(g)).forEach(unmatched::add));
        item.setDocumentType(source.documentType());
        String label = render(source.label(), values, unmatched, prefix + "label");
        item.setLabel(label != null ? label : item.getFileName());
        item.setDescription(render(source.description().orElse(null), values, unmatched, prefix + "description"));
        item.setLanguage(render(source.language().orElse(null), values, unmatched, prefix + "language"));
        source.metadata().forEach((name, template) -> {
            String value = render(template, values, unmatched, prefix + "metadata." + name);
            if (value != null) {
                item.getMetadata().put(name, value);
            }
        });
        source.tags().ifPresent(tags -> tags.forEach(
                t -> addRendered(item.getTags(), t, values, unmatched, prefix + "tags")));
        source.cabinets().ifPresent(cabinets -> cabinets.forEach(
                c -> addRendered(item.getCabinets(), c, values, unmatched, prefix + "cabinets")));
        for (Path companion : item.getCompanions()) {
            if (Sidecar.isSidecarName(companion.getFileName().toString())) {
                Sidecar.apply(companion, item);
            }
        }
    }

    /** Whether the item brings its own mapping in a sidecar (then its name need not match the pattern). */
    public static boolean hasSidecar(IngestRequest item) {
        return item.getCompanions().stream().anyMatch(c -> Sidecar.isSidecarName(c.getFileName().toString()));
    }

    /** The rendered template, or null when it needs a group the unmatched pattern could not give. */
    private static String render(String template, Map<String, String> values, Set<String> unmatched, String where) {
        if (template != null && !unmatched.isEmpty()) {
            for (String group : unmatched) {
                if (template.contains("{" + group + "}")) {
                    return null;
                }
            }
        }
        return Templates.render(template, values, where);
    }

    private static void addRendered(List<String> target, String template, Map<String, String> values,
            Set<String> unmatched, String where) {
        String value = render(template, values, unmatched, where);
        if (value != null && !value.strip().isEmpty()) {
            target.add(value.strip());
        }
    }
}
