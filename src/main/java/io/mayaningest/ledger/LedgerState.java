package io.mayaningest.ledger;

/** How far an item got. Each state is written before the next step starts. */
public enum LedgerState {
    /** Taken from the source, nothing sent to Mayan yet. */
    RECEIVED,
    /** Mayan accepted the upload; the document id is known, the file may still be processing. */
    UPLOADED,
    /** Mayan shows our file with our checksum. */
    FILE_CONFIRMED,
    /** Metadata, tags and cabinets are set and the source has been acknowledged. */
    DONE,
    /** Quarantined with a reason; the payload is kept. */
    FAILED
}
