package io.mayaningest.core;

/** How far an item got. Each state is written before the next step starts. */
public enum LedgerState {
    /** Taken from the source (spooled where the source is remote); nothing sent to Mayan yet. */
    RECEIVED,
    /** Checked against Mayan: type, metadata, tags and cabinets exist and fit. */
    VALIDATED,
    /** The upload request is under way; if the service dies now, Mayan may or may not have the document. */
    UPLOADING,
    /** Mayan accepted the upload; the document id is known, the file may still be processing. */
    UPLOADED,
    /** Mayan shows our file with our checksum. */
    FILE_CONFIRMED,
    /** Metadata, tags and cabinets are set. */
    ENRICHED,
    /** Complete in Mayan (or a duplicate of content already there); the source is acknowledged after this. */
    DONE,
    /** Quarantined with a reason; the payload is kept. */
    FAILED,
    /** Quarantined and then discarded by an operator. */
    DISCARDED;

    /** True once Mayan has (or may have) the document, so it must never be uploaded again. */
    public boolean uploadStarted() {
        return ordinal() >= UPLOADING.ordinal() && this != FAILED && this != DISCARDED;
    }
}
