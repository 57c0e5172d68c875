package io.mayaningest.mayan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.MayanConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Names to ids, the lookups every Mayan client needs: document types by label, metadata types by name,
 * tags by label, cabinets by full path. Mayan's {@code filter_*} parameters are fuzzy search backed by
 * an index that lags (mayan-api.md §2), so whole lists are read (all pages) and matched exactly here.
 * Each list is cached for {@code mayan.lookup-cache-ttl} and read again once when a name is missing,
 * so a type created in Mayan a minute ago is found without a restart.
 */
@ApplicationScoped
public class MayanLookups {

    /** Cabinet levels in our configuration and sidecars; Mayan's own {@code full_path} is not relied on. */
    public static final String CABINET_SEPARATOR = "/";

    // Mayan's answers carry many more fields (urls, dates, counts); only these are read.
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DocumentType(long id, String label) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MetadataType(long id, String name, String label, String lookup, String validation,
            @JsonProperty("validation_arguments") String validationArguments) {
    }

    /** A metadata type attached to a document type. */
    public record Attachment(long metadataTypeId, String name, boolean required) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tag(long id, String label) {
    }

    public record Cabinet(long id, String fullPath) {
    }

    /** One entry of {@code document_types/{id}/metadata_types/}: the attached type, nested, and its flag. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AttachmentEntry(@JsonProperty("metadata_type") MetadataType metadataType, boolean required) {
        Attachment attachment() {
            return new Attachment(metadataType.id(), metadataType.name(), required);
        }
    }

    /** One entry of {@code cabinets/}: a level, linked to its parent by id. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record CabinetEntry(long id, String label, @JsonProperty("parent_id") Long parentId) {
    }

    private final MayanClient client;
    private final ObjectMapper json;
    private final Duration ttl;
    private final CachedList<DocumentType> documentTypes;
    private final CachedList<MetadataType> metadataTypes;
    private final CachedList<Tag> tags;
    private final CachedList<Cabinet> cabinets;
    private final Map<Long, CachedList<Attachment>> attachments = new ConcurrentHashMap<>();

    public MayanLookups(MayanClient client, MayanConfig config, ObjectMapper json) {
        this.client = client;
        this.json = json;
        this.ttl = config.lookupCacheTtl();
        this.documentTypes = new CachedList<>(() -> list("document_types/", DocumentType.class));
        this.metadataTypes = new CachedList<>(() -> list("metadata_types/", MetadataType.class));
        this.tags = new CachedList<>(() -> list("tags/", Tag.class));
        this.cabinets = new CachedList<>(this::loadCabinets);
    }

    public Optional<DocumentType> documentType(String label) {
        return documentTypes.find(t -> t.label().equals(label));
    }

    public List<String> documentTypeLabels() {
        return documentTypes.all().stream().map(DocumentType::label).sorted().toList();
    }

    public Optional<MetadataType> metadataType(String name) {
        return metadataTypes.find(t -> t.name().equals(name));
    }

    public List<String> metadataTypeNames() {
        return metadataTypes.all().stream().map(MetadataType::name).sorted().toList();
    }

    /** The metadata types attached to a document type, with their "required" flag. */
    public List<Attachment> attachments(long documentTypeId) {
        return attachments.computeIfAbsent(documentTypeId, id -> new CachedList<>(() -> list(
                "document_types/" + id + "/metadata_types/", AttachmentEntry.class).stream()
                .map(AttachmentEntry::attachment).toList()))
                .all();
    }

    /** Like {@link #attachments(long)} but reads Mayan again first when the type is not found attached. */
    public Optional<Attachment> attachment(long documentTypeId, long metadataTypeId) {
        attachments(documentTypeId);
        return attachments.get(documentTypeId).find(a -> a.metadataTypeId() == metadataTypeId);
    }

    public Optional<Tag> tag(String label) {
        return tags.find(t -> t.label().equals(label));
    }

    public List<String> tagLabels() {
        return tags.all().stream().map(Tag::label).sorted().toList();
    }

    /**
     * Mayan accepts several root cabinets with the same label (NULL parents never compare equal,
     * e2e/MAYAN-FINDINGS.md), so one path can name several cabinets: the oldest is used, with a warning.
     */
    public Optional<Cabinet> cabinet(String fullPath) {
        String wanted = normalisePath(fullPath);
        Optional<Cabinet> hit = cabinets.find(c -> c.fullPath().equals(wanted));
        if (hit.isPresent()) {
            List<Cabinet> all = cabinets.all().stream().filter(c -> c.fullPath().equals(wanted))
                    .sorted(java.util.Comparator.comparingLong(Cabinet::id)).toList();
            if (all.size() > 1) {
                if (warnedAmbiguous.add(wanted)) {
                    LOG.warnf("Mayan has %d cabinets named \"%s\" (ids %s); documents go to the oldest, %d."
                            + " Merge or rename the others in Mayan.", all.size(), wanted,
                            all.stream().map(c -> String.valueOf(c.id())).toList(), all.get(0).id());
                }
                return Optional.of(all.get(0));
            }
        }
        return hit;
    }

    private final java.util.Set<String> warnedAmbiguous = ConcurrentHashMap.newKeySet();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MayanLookups.class);

    public List<String> cabinetPaths() {
        return cabinets.all().stream().map(Cabinet::fullPath).sorted().toList();
    }

    /** "Engineering / Drawings", "/Engineering/Drawings/" and "Engineering/Drawings" are the same cabinet. */
    public static String normalisePath(String path) {
        List<String> levels = new ArrayList<>();
        for (String level : path.split(CABINET_SEPARATOR)) {
            if (!level.isBlank()) {
                levels.add(level.strip());
            }
        }
        return String.join(CABINET_SEPARATOR, levels);
    }

    /** Full paths are built from label + parent_id, which every 4.x release has (mayan-api.md §9). */
    private List<Cabinet> loadCabinets() {
        List<CabinetEntry> entries = list("cabinets/", CabinetEntry.class);
        Map<Long, CabinetEntry> byId = new HashMap<>();
        entries.forEach(e -> byId.put(e.id(), e));
        List<Cabinet> result = new ArrayList<>();
        for (CabinetEntry entry : entries) {
            List<String> levels = new ArrayList<>();
            CabinetEntry current = entry;
            for (int depth = 0; current != null && depth < 64; depth++) {
                levels.add(0, current.label() == null ? "" : current.label().strip());
                current = current.parentId() == null ? null : byId.get(current.parentId());
            }
            result.add(new Cabinet(entry.id(), String.join(CABINET_SEPARATOR, levels)));
        }
        return result;
    }

    /** Every page of a list, each entry read into {@code type} by Quarkus' ObjectMapper. */
    private <T> List<T> list(String path, Class<T> type) {
        List<T> result = new ArrayList<>();
        for (JsonNode node : client.getAll(path, Map.of())) {
            result.add(json.convertValue(node, type));
        }
        return result;
    }

    /** One cached list: read whole, kept for the TTL, read once more on a miss. */
    private final class CachedList<T> {
        private final java.util.function.Supplier<List<T>> loader;
        private volatile List<T> items;
        private volatile long loadedAt;

        CachedList(java.util.function.Supplier<List<T>> loader) {
            this.loader = loader;
        }

        List<T> all() {
            List<T> current = items;
            if (current == null || System.nanoTime() - loadedAt > ttl.toNanos()) {
                current = reload();
            }
            return current;
        }

        Optional<T> find(Predicate<T> match) {
            long before = System.nanoTime();
            Optional<T> hit = all().stream().filter(match).findFirst();
            if (hit.isEmpty() && loadedAt < before) {
                hit = reload().stream().filter(match).findFirst();
            }
            return hit;
        }

        synchronized List<T> reload() {
            List<T> fresh = List.copyOf(loader.get());
            items = fresh;
            loadedAt = System.nanoTime();
            return fresh;
        }
    }
}
