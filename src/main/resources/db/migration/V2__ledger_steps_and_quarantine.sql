-- Finer steps (VALIDATED, UPLOADING, ENRICHED), what a person needs to act on a quarantined item,
-- and the duplicate an item was matched to.
ALTER TABLE ingest_item ADD COLUMN source_kind VARCHAR(20);
ALTER TABLE ingest_item ADD COLUMN label VARCHAR(1000);
ALTER TABLE ingest_item ADD COLUMN mapping VARCHAR(65535);
ALTER TABLE ingest_item ADD COLUMN payload_ref VARCHAR(4000);
ALTER TABLE ingest_item ADD COLUMN fix VARCHAR(4000);
ALTER TABLE ingest_item ADD COLUMN uploading_at TIMESTAMP;
ALTER TABLE ingest_item ADD COLUMN acknowledged_at TIMESTAMP;
ALTER TABLE ingest_item ADD COLUMN duplicate_of VARCHAR(36);
