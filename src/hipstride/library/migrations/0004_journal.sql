-- The pain journal: at most one entry per calendar day (the runner's local date), written by
-- `hipstride journal add` (adding again for the same date replaces the entry in one transaction).
-- Pain scores are 0 (none) to 10 (worst imaginable), NULL when not recorded.
CREATE TABLE journal_entries (
    id                     INTEGER PRIMARY KEY,
    entry_date             TEXT NOT NULL UNIQUE,   -- 'YYYY-MM-DD'
    pain_during            REAL CHECK (pain_during BETWEEN 0 AND 10),
    pain_after             REAL CHECK (pain_after BETWEEN 0 AND 10),
    pain_morning           REAL CHECK (pain_morning BETWEEN 0 AND 10),
    morning_stiffness_min  REAL CHECK (morning_stiffness_min BETWEEN 0 AND 1440),
    sites                  TEXT NOT NULL DEFAULT '[]',   -- JSON list: hip, groin, outer-hip, ...
    side                   TEXT CHECK (side IN ('left', 'right', 'both')),
    better                 TEXT,                          -- what made it better, free text
    worse                  TEXT,                          -- what made it worse, free text
    flags                  TEXT NOT NULL DEFAULT '[]',   -- JSON list of red flags
    run_id                 INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    created_at_utc         TEXT NOT NULL
);
CREATE INDEX journal_entries_run_id ON journal_entries (run_id);
