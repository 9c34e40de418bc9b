-- The records of the mechanisms of DESIGN.md §5 (supervision, joint conferences, …): each its current state as
-- JSON, with the columns lists filter on; every change is an event in the log. An automatic
-- record carries the key of what raised it, so that raising it again does nothing.
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    case_id INTEGER,
    unit_id INTEGER NOT NULL,
    unit_path TEXT NOT NULL,
    status TEXT NOT NULL,
    due TEXT,
    listed INTEGER NOT NULL DEFAULT 0,
    -- The record this one belongs to (a meeting's agenda items and tasks).
    ref_id INTEGER,
    auto_key TEXT UNIQUE,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX records_scope ON records(kind, unit_path, status);
CREATE INDEX records_case ON records(case_id);
CREATE INDEX records_ref ON records(ref_id) WHERE ref_id IS NOT NULL;

-- How often a case was sent on or sent back (the larger), so that bouncing cases are found
-- without reading every case.
ALTER TABLE cases ADD COLUMN bounces INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET bounces = MAX(COALESCE(json_extract(state, '$.dispatches'), 0), COALESCE(json_extract(state, '$.objections'), 0));
CREATE INDEX cases_bounces ON cases(bounces) WHERE bounces >= 2;
