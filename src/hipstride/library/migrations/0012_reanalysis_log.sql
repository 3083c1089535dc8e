-- Batch re-analysis (`hipstride reanalyze`): one row each time a run's analysis was written for a
-- job (the model version, profile and maps it ran with). A run of the job is done when it has a
-- row; a killed job started again skips those. No unique constraint on purpose: the rows count
-- how often each run was analysed, so "exactly once" can be checked, not assumed.
CREATE TABLE reanalysis_log (
    id               INTEGER PRIMARY KEY,
    athlete_id       INTEGER NOT NULL,
    job              TEXT NOT NULL,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    analysed_at_utc  TEXT NOT NULL
);
CREATE INDEX reanalysis_log_job ON reanalysis_log (athlete_id, job, run_id);
