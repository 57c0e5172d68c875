package io.mayaningest.source.http;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.mayaningest.ledger.Ledger;
import io.mayaningest.core.LedgerState;

/**
 * What a client learns about its upload, from the item's ledger row: where it is, and once done,
 * the Mayan document, its file, the checksum Mayan confirmed and the document's address; once failed,
 * the reason and the fix.
 */
final class UploadStatus {

    private UploadStatus() {
    }

    /** The ledger state as the API names it: {@code validated}, {@code file-confirmed}, {@code done}, ... */
    static String status(LedgerState state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Map<String, Object> view(Ledger.Entry e, String statusUrl, String mayanUrl, String mayanApiUrl) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ingestId", e.id());
        v.put("source", e.source());
        v.put("status", status(e.state()));
        v.put("final", HttpIntake.settled(e.state()));
        v.put("statusUrl", statusUrl);
        v.put("fileName", e.fileName());
        v.put("size", e.size());
        v.put("checksum", e.sha256());
        v.put("checksumAlgorithm", "SHA-256");
        v.put("label", e.label());
        v.put("documentId", e.documentId());
        v.put("fileId", e.fileId());
        v.put("documentUrl", e.documentId() == null ? null : mayanUrl + "/#/documents/documents/" + e.documentId() + "/preview/");
        v.put("documentApiUrl", e.documentId() == null ? null : mayanApiUrl + "documents/" + e.documentId() + "/");
        if (e.duplicateOf() != null) {
            // duplicates=skip: the content was already in Mayan; the document named is the one that has it.
            v.put("duplicateOf", e.duplicateOf());
        }
        if (e.state() == LedgerState.FAILED) {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("reason", e.lastError());
            failure.put("fix", e.fix());
            v.put("failure", failure);
        } else if (!HttpIntake.settled(e.state()) && e.lastError() != null) {
            // A transient failure: the item is retried; the client sees why it waits.
            v.put("lastError", e.lastError());
        }
        v.put("attempts", e.attempts());
        v.put("receivedAt", e.createdAt().toString());
        v.put("updatedAt", e.updatedAt().toString());
        return v;
    }
}
