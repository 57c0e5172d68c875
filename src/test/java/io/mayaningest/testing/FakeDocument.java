package io.mayaningest.testing;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Immutable snapshot of one document held by {@link FakeMayan}, for assertions.
 *
 * @param id                the document id
 * @param label             the label
 * @param description       the description ("" when none)
 * @param language          the language code ({@code "eng"} by default, like Mayan)
 * @param documentTypeLabel the label of its document type
 * @param files             its files that exist so far, oldest first (a file appears only after the
 *                          fake's "file appear" delay)
 * @param metadata          metadata type <b>name</b> to value, in the order the entries were added; a
 *                          value may be {@code null} (entries Mayan adds for required types)
 * @param tags              tag labels, in attach order
 * @param cabinets          full paths of the cabinets holding it, in add order
 */
public record FakeDocument(long id, String label, String description, String language, String documentTypeLabel,
        List<FakeFile> files, Map<String, String> metadata, List<String> tags, List<String> cabinets) {

    /** The newest file, i.e. what the REST API shows as {@code file_latest}. */
    public Optional<FakeFile> latestFile() {
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(files.size() - 1));
    }
}
