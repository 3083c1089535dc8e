-- One row per run (an activity kept once, whichever device or file it came from).
-- Times are ISO 8601 UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (fixed width, so they sort as text).
CREATE TABLE runs (
    id                                INTEGER PRIMARY KEY,
    start_time_utc                    TEXT,
    end_time_utc                      TEXT,
    time_is_relative                  INTEGER NOT NULL DEFAULT 0,
    sport                             TEXT NOT NULL,
    sub_sport                         TEXT,
    name                              TEXT,
    device                            TEXT,
    file_format                       TEXT NOT NULL,
    source_file                       TEXT NOT NULL,
    content_sha256                    TEXT NOT NULL,
    distance_m                        REAL,
    duration_s                        REAL,
    moving_time_s                     REAL,
    elevation_gain_m                  REAL,
    elevation_loss_m                  REAL,
    samples                           INTEGER NOT NULL,
    channels                          TEXT NOT NULL,          -- JSON list of channel names
    hip_load_index                    REAL,
    hip_load_total                    REAL,
    avg_cadence_spm                   REAL,
    avg_step_length_m                 REAL,
    avg_stance_time_ms                REAL,
    avg_stance_time_balance_left_pct  REAL,
    avg_vertical_oscillation_mm       REAL,
    imported_at_utc                   TEXT NOT NULL
);
CREATE INDEX runs_start_time_utc ON runs (start_time_utc);
CREATE INDEX runs_sport ON runs (sport);

-- The sample arrays of the run's primary recording, packed by hipstride.library.codec.
CREATE TABLE run_samples (
    run_id      INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    encoding    TEXT NOT NULL,
    data        BLOB NOT NULL
);

-- The analysis of the primary recording: the JSON document of `hipstride analyze --json`.
CREATE TABLE run_analyses (
    run_id              INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    schema_version      INTEGER NOT NULL,
    analysis_json       TEXT NOT NULL,
    baseline_signature  TEXT NOT NULL DEFAULT '',   -- the cadence baseline the analysis used
    baseline_as_of_utc  TEXT NOT NULL DEFAULT '',   -- the library as of when it was computed
    analysed_at_utc     TEXT NOT NULL
);
