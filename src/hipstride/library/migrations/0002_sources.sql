-- Every file that recorded a run; a run recorded by two devices has two sources, one primary.
CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    file_path        TEXT NOT NULL,
    content_sha256   TEXT NOT NULL UNIQUE,   -- sha256 of the decompressed file content
    file_format      TEXT NOT NULL,
    device           TEXT,
    samples          INTEGER NOT NULL,
    channel_count    INTEGER NOT NULL,
    is_primary       INTEGER NOT NULL DEFAULT 0,
    imported_at_utc  TEXT NOT NULL
);
CREATE INDEX sources_run_id ON sources (run_id);
