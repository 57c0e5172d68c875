-- One row per source item: where it came from, how far it got in Mayan, and why it stopped.
CREATE TABLE ingest_item (
    id           VARCHAR(36)   NOT NULL PRIMARY KEY,
    source       VARCHAR(200)  NOT NULL,
    source_key   VARCHAR(2000) NOT NULL,
    file_name    VARCHAR(1000) NOT NULL,
    sha256       VARCHAR(64),
    size_bytes   BIGINT,
    state        VARCHAR(20)   NOT NULL,
    document_id  BIGINT,
    file_id      BIGINT,
    attempts     INTEGER       NOT NULL DEFAULT 0,
    last_error   VARCHAR(4000),
    created_at   TIMESTAMP     NOT NULL,
    updated_at   TIMESTAMP     NOT NULL
);

CREATE INDEX ingest_item_source_key ON ingest_item (source, source_key);
CREATE INDEX ingest_item_sha256 ON ingest_item (sha256);
CREATE INDEX ingest_item_state ON ingest_item (state);
