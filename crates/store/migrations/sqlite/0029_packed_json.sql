-- A case's state and an event's payload as bytes (#20, storage): the program packs each JSON
-- document with zstd and a built-in dictionary (`src/packed.rs`). Rows written before keep their
-- text, now as its bytes, and read as they are; the chain covers the text, so no hash changes.
-- SQLite cannot change a column's type: `events` is rebuilt in its column order with its index and
-- append-only triggers; `cases` takes a new column in the old one's place, keeping its indexes.
DROP TRIGGER events_no_update;
DROP TRIGGER events_no_delete;
CREATE TABLE events_packed (
    seq INTEGER PRIMARY KEY,
    case_id INTEGER,
    kind TEXT NOT NULL,
    payload BLOB NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    unit_id INTEGER,
    at INTEGER NOT NULL,
    hash BLOB NOT NULL,
    legacy_hash TEXT
);
INSERT INTO events_packed
SELECT seq, case_id, kind, CAST(payload AS BLOB), actor_kind, actor_id, unit_id, at, hash, legacy_hash
FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_packed RENAME TO events;
CREATE INDEX events_case ON events(case_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

ALTER TABLE cases ADD COLUMN packed_state BLOB NOT NULL DEFAULT x'';
UPDATE cases SET packed_state = CAST(state AS BLOB);
ALTER TABLE cases DROP COLUMN state;
ALTER TABLE cases RENAME COLUMN packed_state TO state;
