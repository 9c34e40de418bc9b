-- The chain's hashes as their 32 bytes, not 64 hex characters, and each only once: the previous
-- event's hash is the row before's (#20, storage: 96 bytes less an event). The chain reads them
-- back as hex, which is what each hash covers of the one before, so every hash stays the same.
-- SQLite cannot change a column's type: the table is rebuilt in its column order, and its index
-- and append-only triggers made again.
DROP TRIGGER events_no_update;
DROP TRIGGER events_no_delete;
CREATE TABLE events_binary (
    seq INTEGER PRIMARY KEY,
    case_id INTEGER,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    unit_id INTEGER,
    at INTEGER NOT NULL,
    hash BLOB NOT NULL,
    legacy_hash TEXT
);
INSERT INTO events_binary
SELECT seq, case_id, kind, payload, actor_kind, actor_id, unit_id, at, unhex(hash), legacy_hash
FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_binary RENAME TO events;
CREATE INDEX events_case ON events(case_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
