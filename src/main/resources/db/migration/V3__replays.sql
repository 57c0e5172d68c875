-- Replays an operator asked for, and why.
ALTER TABLE ingest_item ADD COLUMN replays INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE ingest_item ADD COLUMN replay_reason VARCHAR(1000);
