-- Several replicas on one ledger (PostgreSQL): the replica working on a source item holds its claim,
-- one row per source item (the key as Ledger#storedKey stores it), for a lease it renews while it
-- works. Another replica that sees the same item leaves it alone until the claim is released (the
-- item finished or quarantined) or its lease expired (the holder died); see ClaimStore.
CREATE TABLE ingest_claim (
    source      VARCHAR(200)             NOT NULL,
    source_key  VARCHAR(2000)            NOT NULL,
    claimed_by  VARCHAR(200)             NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (source, source_key)
);
CREATE INDEX ingest_claim_claimed_by ON ingest_claim (claimed_by);

-- The replica that last worked on an item (its ingest.replica-id): who took what, and whose items a
-- killed replica left.
ALTER TABLE ingest_item ADD COLUMN replica VARCHAR(200);
