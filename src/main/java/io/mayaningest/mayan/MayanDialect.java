package io.mayaningest.mayan;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the service talks to the Mayan it found: the release {@code /api/v4/project/} reported and the
 * endpoints chosen for it. Read at start-up and on every reconnect (MayanGate), never per request.
 * <p>
 * Differences between the supported releases, and the release that introduced each:
 * <ul>
 * <li>4.4 (the lowest supported release, proven end to end with 4.4.16): no sources action API that
 * can name a document ({@code sources/{id}/actions/upload/} answers 202 with an empty body and takes no
 * label, e2e/MAYAN-FINDINGS.md §4.2), so every new document goes through {@code documents/upload/}
 * (201 with the document, as in every later release) and the sources are not looked at; new files on
 * {@code documents/{id}/files/} take {@code action} = the id of a document file action ({@code 1}
 * replace, {@code 2} append, {@code 3} keep: {@code mayan/apps/documents/document_file_actions.py} of
 * 4.4.16) instead of {@code action_name}. Cabinets, metadata, tags, checksums, {@code _ordering} and
 * {@code filter_label} answer as in 4.5; a 404 body says only {@code "Not found."} (DRF 3.14, as in 4.5).</li>
 * <li>4.5: the sources action API ({@code sources/{id}/actions/document_upload/execute/}, "Sources
 * actions refactor", with {@code immediate_mode}) and {@code action_name=replace|append|keep} on
 * {@code documents/{id}/files/} (renamed from {@code action=1|2|3}).</li>
 * <li>4.10 (DRF 3.15): a 404 names the model ({@code "No Source matches the given query."}); before, every
 * 404 says only {@code "Not found."}, so a source action's 404 is told apart by asking for the source
 * (MayanClient#sourceGone).</li>
 * <li>4.12: {@code documents/upload/} answers with {@code Deprecation}/{@code Sunset} headers (removal
 * planned for 5.0), so from 4.5 on it is only the fallback here.</li>
 * </ul>
 *
 * @param version       Mayan's {@code __version__}
 * @param refusal       why the service will not work with this Mayan (sources stay paused), or null
 * @param refusalFix    what to do about the refusal
 * @param sourceId      the Mayan source whose {@code document_upload} action takes new documents, or
 *                      null for {@code documents/upload/}
 * @param sourceLabel   that source's label
 * @param sourceFiles   whether new files go through that source's {@code document_file_upload} too
 *                      (otherwise {@code documents/{id}/files/})
 * @param fallbackReason why {@code documents/upload/} is used on a release that has the sources action API, or null
 * @param fileActionIds  Mayan 4.4: new files on {@code documents/{id}/files/} name their action by id
 *                      ({@code action}), not by name ({@code action_name})
 */
public record MayanDialect(String version, String refusal, String refusalFix, Long sourceId, String sourceLabel,
        boolean sourceFiles, String fallbackReason, boolean fileActionIds) {

    /** The supported releases, as shown to users. */
    public static final String SUPPORTED_RANGE = "4.4.0 .. 4.12.x";
    private static final int MIN_MINOR = 4;
    /** The first release with the sources action API and {@code action_name}. */
    private static final int SOURCES_API_MINOR = 5;
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
        if (fileActionIds) {
            return "Mayan 4.4 dialect: documents/upload/ for new documents (4.4 has no sources action API that names"
                    + " the document), documents/{id}/files/ with action ids (1 replace, 2 append, 3 keep) for new files";
        }
        if (viaSources()) {
            return "sources action API (source \"" + sourceLabel + "\", id " + sourceId + "): new documents through "
                    + "document_upload, new files through " + (sourceFiles ? "document_file_upload"
                            : "documents/{id}/files/ (the source offers no document_file_upload)");
        }
        return "documents/upload/ (deprecated since Mayan 4.12) for new documents, documents/{id}/files/ for new files";
    }

    /**
     * The dialect of a Mayan 4.4.x, known from the release alone: there is nothing to choose, because
     * 4.4's source actions cannot set a label nor return the document.
     */
    static MayanDialect mayan44(String version) {
        return new MayanDialect(version, null, null, null, null, false, null, true);
    }

    /** Whether a supported {@code version} is one before the sources action API (4.4.x). */
    static boolean beforeSourcesApi(String version) {
        Matcher m = version == null ? null : RELEASE.matcher(version.strip());
        return m != null && m.find() && Integer.parseInt(m.group(1)) == 4
                && Integer.parseInt(m.group(2)) < SOURCES_API_MINOR;
    }

    /**
     * The id Mayan 4.4 gives a document file action ({@code action} on {@code documents/{id}/files/}):
     * the {@code action_id} class attributes of {@code mayan/apps/documents/document_file_actions.py}
     * in 4.4.16, the choices of its {@code DocumentFileSerializer.action}.
     */
    static String fileActionId(String action) {
        return switch (action) {
            case "replace" -> "1";
            case "append" -> "2";
            case "keep" -> "3";
            default -> throw new IllegalArgumentException("not a document file action: " + action);
        };
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
            // 4.4.16 is the oldest release run end to end against the service; 4.3 and older were never
            // run against it (and even Mayan's management commands have other names before 4.4).
            return "Mayan " + version + " is older than the releases this service supports (" + SUPPORTED_RANGE
                    + "): it was not proven against it (4.4.16 is the oldest release run end to end)";
        }
        return "Mayan " + version + " is newer than the releases this service supports (" + SUPPORTED_RANGE
                + "): it was not proven against it (Mayan 5.0 removes documents/upload/ and may change more)";
    }

    static String unsupportedFix(String version) {
        Matcher m = version == null ? null : RELEASE.matcher(version.strip());
        boolean older = m != null && m.find()
                && (Integer.parseInt(m.group(1)) < 4 || (Integer.parseInt(m.group(1)) == 4 && Integer.parseInt(m.group(2)) < MIN_MINOR));
        return (older ? "upgrade Mayan to 4.4 or later (4.4.16 to 4.12.2 are proven end to end)"
                : "run a Mayan release in " + SUPPORTED_RANGE + " or a Mayan Ingest release that supports this one")
                + ", or point mayan.url at a supported Mayan; the sources stay paused and the items wait until then";
    }
}
