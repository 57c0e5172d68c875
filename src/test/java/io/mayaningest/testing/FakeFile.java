package io.mayaningest.testing;

/**
 * Immutable snapshot of one document file held by {@link FakeMayan}.
 *
 * @param id       DocumentFile id, as the REST API shows it
 * @param filename the stored file name
 * @param comment  the {@code comment} sent with the upload ("" when none)
 * @param checksum SHA-256 hex as the REST API shows it: {@code null} until the fake's checksum step
 *                 has run (mayan-api.md §5, §7)
 * @param size     byte size as the REST API shows it: {@code null} until that same step
 * @param sha256   SHA-256 hex of the bytes actually received, computed while streaming the upload;
 *                 always set, so tests can compare content even before processing
 * @param action   the {@code action_name} of the upload ({@code "replace"} for {@code documents/upload/})
 */
public record FakeFile(long id, String filename, String comment, String checksum, Long size, String sha256,
        String action) {

    /** True once the checksum step has run, i.e. the REST API shows {@code checksum} and {@code size}. */
    public boolean processed() {
        return checksum != null;
    }
}
