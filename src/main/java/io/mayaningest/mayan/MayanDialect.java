package io.mayaningest.mayan;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the service talks to the Mayan it found: the release {@code /api/v4/project/} reported and the
 * endpoints chosen for it. Read at start-up and on every reconnect (MayanGate), never per request.
 * <p>
 * Differences between the supported releases, and the release that introduced each:
 * <ul>
 * <li>4.5: the sources action API ({@code sources/{id}/actions/document_upload/execute/}, "Sources
 * actions refactor") and {@code action_name=replace|append|keep} on {@code documents/{id}/files/}
 * (before 4.5: {@code action=1|2|3}); both are why 4.5.0 is the lowest supported release.</li>
 * <li>4.12: {@code documents/upload/} answers with {@code Deprecation}/{@code Sunset} headers (removal
 * planned for 5.0), so it is only the fallback here.</li>
 * </ul>
 *
 * @param version       Mayan's {@code __version__}
 * @param refusal       why the service will not work with this Mayan (sources stay paused), or null
 * @param refusalFix    what to do about the refusal
 * @param sourceId      the Mayan source whose {@code document_upload} action takes new documents, or
 *                      null for the fallback {@code documents/upload/}
 * @param sourceLabel   that source's label
 * @param sourceFiles   whether new files go through that source's {@code document_file_upload} too
 *                      (otherwise {@code documents/{id}/files/})
 * @param fallbackReason why {@code documents/upload/} is used, or null
 */
public record MayanDialect(String version, String refusal, String refusalFix, Long sourceId, String sourceLabel,
        boolean sourceFiles, String fallbackReason) {

    /** The supported releases, as shown to users. */
    public static final String SUPPORTED_RANGE = "4.5.0 .. 4.12.x";
    private static final int MIN_MINOR = 5;
    private static final int MAX_MINOR = 12;
    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public boolean refused() {
        return refusal != null;
    }

    public boolean viaSources() {
        return sourceId != null;
    }

    /** The API mode in a few words, for the start-up line and readiness. */
    public String mode() {
        if (refused()) {
            return "refused";
        }
        if (viaSources()) {
            return "sources action API (source \"" + sourceLabel + "\", id " + sourceId + "): new documents through "
                    + "document_upload, new files through " + (sourceFiles ? "document_file_upload"
                            : "documents/{id}/files/ (the source offers no document_file_upload)");
        }
        return "documents/upload/ (deprecated since Mayan 4.12) for new documents, documents/{id}/files/ for new files";
    }

    /**
     * Null when {@code version} is in {@link #SUPPORTED_RANGE}, otherwise why not (the reason a user
     * reads in readiness and the log).
     */
    static String unsupported(String version) {
        Matcher m = version == null ? null : RELEASE.matcher(version.strip());
        if (m == null || !m.find()) {
            return "Mayan did not report a release this service can read (/api/v4/project/ __version__ is \""
                    + version + "\"); supported: " + SUPPORTED_RANGE;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major == 4 && minor >= MIN_MINOR && minor <= MAX_MINOR) {
            return null;
        }
        if (major < 4 || (major == 4 && minor < MIN_MINOR)) {
            // Not supported rather than half-supported: 4.4 would need action=1|2|3 for new files and
            // documents/upload/ for every document, and no 4.4 was run against this service.
            return "Mayan " + version + " is older than the releases this service supports (" + SUPPORTED_RANGE
                    + "): before 4.5 Mayan has no sources action API and takes new files as action=1|2|3"
                    + " instead of action_name (renamed in 4.5)";
        }
        return "Mayan " + version + " is newer than the releases this service supports (" + SUPPORTED_RANGE
                + "): it was not proven against it (Mayan 5.0 removes documents/upload/ and may change more)";
    }

    static String unsupportedFix(String version) {
        Matcher m = version == null ? null : RELEASE.matcher(version.strip());
        boolean older = m != null && m.find()
                && (Integer.parseInt(m.group(1)) < 4 || (Integer.parseInt(m.group(1)) == 4 && Integer.parseInt(m.group(2)) < MIN_MINOR));
        return (older ? "upgrade Mayan to 4.5 or later (4.12.x is proven end to end)"
                : "run a Mayan release in " + SUPPORTED_RANGE + " or a Mayan Ingest release that supports this one")
                + ", or point mayan.url at a supported Mayan; the sources stay paused and the items wait until then";
    }
}
