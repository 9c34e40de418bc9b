-- The records of the mechanisms of DESIGN.md §5 (supervision, joint conferences, …): each its current state as
-- JSON, with the columns lists filter on; every change is an event in the log. An automatic
-- record carries the key of what raised it, so that raising it again does nothing.
CREATE TABLE records (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    case_id BIGINT,
    unit_id BIGINT NOT NULL,
    unit_path TEXT NOT NULL,
    status TEXT NOT NULL,
    due TEXT,
    listed BIGINT NOT NULL DEFAULT 0,
    -- The record this one belongs to (a meeting's agenda items and tasks).
    ref_id BIGINT,
    auto_key TEXT UNIQUE,
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX records_scope ON records(kind, unit_path, status);
CREATE INDEX records_case ON records(case_id);
CREATE INDEX records_ref ON records(ref_id) WHERE ref_id IS NOT NULL;

-- How often a case was sent on or sent back (the larger), so that bouncing cases are found
-- without reading every case.
ALTER TABLE cases ADD COLUMN bounces BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET bounces = GREATEST(COALESCE((state::jsonb->>'dispatches')::bigint, 0), COALESCE((state::jsonb->>'objections')::bigint, 0));
CREATE INDEX cases_bounces ON cases(bounces) WHERE bounces >= 2;
