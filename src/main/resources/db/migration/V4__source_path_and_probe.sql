-- The item's path below its source folder in a column of its own (replay reads it instead of parsing
-- the source key, whose parts are separated by '|', a character file names may contain), wide enough
-- for any path a file system allows; source_key stays short and indexed (the ledger stores a hash of
-- a key that would not fit, see Ledger#storedKey). File names get the same room.
ALTER TABLE ingest_item ADD COLUMN source_path VARCHAR(65535);
ALTER TABLE ingest_item ALTER COLUMN file_name SET DATA TYPE VARCHAR(65535);

-- One row the readiness check rewrites: only a real write shows that the ledger can still record
-- (H2 closes itself for good after a write fails, e.g. on a full disk, while reads still work).
CREATE TABLE ledger_probe (
    id        INTEGER   NOT NULL PRIMARY KEY,
    probed_at TIMESTAMP NOT NULL
);
INSERT INTO ledger_probe (id, probed_at) VALUES (1, CURRENT_TIMESTAMP);
