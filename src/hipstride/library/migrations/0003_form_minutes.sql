-- Running form per minute of running (medians over the minute), the raw material of the
-- runner's speed-matched baselines. NULL where the recording lacks that metric.
CREATE TABLE form_minutes (
    run_id                        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    minute                        INTEGER NOT NULL,   -- minutes since the start of the recording
    speed_mps                     REAL NOT NULL,
    cadence_spm                   REAL,
    step_length_m                 REAL,
    stance_time_ms                REAL,
    vertical_oscillation_mm       REAL,
    stance_time_balance_left_pct  REAL,
    PRIMARY KEY (run_id, minute)
) WITHOUT ROWID;
