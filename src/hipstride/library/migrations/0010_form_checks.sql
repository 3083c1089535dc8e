-- Form checks from a video (`hipstride form`): one row per check, dated, optionally tied to a
-- stored run. `document` is the check's whole JSON document (quality gate, contacts, every
-- metric with its per-step values, noise floor and confidence); the columns beside it are the
-- medians a trend over the runner's own checks needs, NULL where the view does not give them.
CREATE TABLE form_checks (
    id                  INTEGER PRIMARY KEY,
    checked_at_utc      TEXT NOT NULL,
    run_id              INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    source              TEXT NOT NULL,            -- the clip's or landmark file's name
    view                TEXT NOT NULL CHECK (view IN ('side', 'rear')),
    passed              INTEGER NOT NULL CHECK (passed IN (0, 1)),   -- the quality gate
    cadence_spm         REAL,
    trunk_lean_deg      REAL,
    overstride_legs     REAL,
    pelvic_drop_deg     REAL,
    document            TEXT NOT NULL
);
CREATE INDEX form_checks_run_id ON form_checks (run_id);
CREATE INDEX form_checks_checked_at ON form_checks (checked_at_utc);
