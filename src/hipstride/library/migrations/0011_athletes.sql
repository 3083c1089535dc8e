-- Athletes: a club or clinic keeps many runners in one library. Every run, source, journal entry
-- and form check belongs to one athlete (sample blobs, analyses and form minutes through their
-- run). A single runner never names one: their data belongs to the athlete 'default', which a
-- library holding data before this migration gets as id 1.
CREATE TABLE athletes (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    created_at_utc  TEXT NOT NULL
);
INSERT INTO athletes (id, name, created_at_utc)
SELECT 1, 'default', strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
WHERE EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM journal_entries)
   OR EXISTS (SELECT 1 FROM form_checks);

ALTER TABLE runs ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX runs_athlete_start ON runs (athlete_id, start_time_utc);
ALTER TABLE form_checks ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX form_checks_athlete ON form_checks (athlete_id, checked_at_utc);

-- A file's content is unique per athlete (two runners may each import the same shared file).
CREATE TABLE sources_by_athlete (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    athlete_id       INTEGER NOT NULL REFERENCES athletes (id),
    file_path        TEXT NOT NULL,
    content_sha256   TEXT NOT NULL,
    file_format      TEXT NOT NULL,
    device           TEXT,
    samples          INTEGER NOT NULL,
    channel_count    INTEGER NOT NULL,
    is_primary       INTEGER NOT NULL DEFAULT 0,
    imported_at_utc  TEXT NOT NULL,
    UNIQUE (athlete_id, content_sha256)
);
INSERT INTO sources_by_athlete
SELECT s.id, s.run_id, r.athlete_id, s.file_path, s.content_sha256, s.file_format, s.device,
       s.samples, s.channel_count, s.is_primary, s.imported_at_utc
FROM sources s JOIN runs r ON r.id = s.run_id;
DROP TABLE sources;
ALTER TABLE sources_by_athlete RENAME TO sources;
CREATE INDEX sources_run_id ON sources (run_id);

-- One journal entry per athlete and day.
CREATE TABLE journal_by_athlete (
    id                     INTEGER PRIMARY KEY,
    athlete_id             INTEGER NOT NULL REFERENCES athletes (id),
    entry_date             TEXT NOT NULL,   -- 'YYYY-MM-DD'
    pain_during            REAL CHECK (pain_during BETWEEN 0 AND 10),
    pain_after             REAL CHECK (pain_after BETWEEN 0 AND 10),
    pain_morning           REAL CHECK (pain_morning BETWEEN 0 AND 10),
    morning_stiffness_min  REAL CHECK (morning_stiffness_min BETWEEN 0 AND 1440),
    sites                  TEXT NOT NULL DEFAULT '[]',
    side                   TEXT CHECK (side IN ('left', 'right', 'both')),
    better                 TEXT,
    worse                  TEXT,
    flags                  TEXT NOT NULL DEFAULT '[]',
    run_id                 INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    created_at_utc         TEXT NOT NULL,
    UNIQUE (athlete_id, entry_date)
);
INSERT INTO journal_by_athlete
SELECT id, 1, entry_date, pain_during, pain_after, pain_morning, morning_stiffness_min, sites,
       side, better, worse, flags, run_id, created_at_utc
FROM journal_entries;
DROP TABLE journal_entries;
ALTER TABLE journal_by_athlete RENAME TO journal_entries;
CREATE INDEX journal_entries_run_id ON journal_entries (run_id);
