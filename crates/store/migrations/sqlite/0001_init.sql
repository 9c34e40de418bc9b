-- Units, people, sessions, the hash-chained event log and the case read model.
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    expires_at INTEGER NOT NULL
);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    case_id INTEGER,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    unit_id INTEGER,
    at INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_case ON events(case_id, seq);

-- The log is append-only: the database refuses to change or remove a row.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    query_code TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    region TEXT,
    title TEXT NOT NULL,
    petitioner_name TEXT NOT NULL,
    petitioner_phone TEXT,
    petitioner_id_number TEXT,
    is_report INTEGER NOT NULL,
    head_count INTEGER NOT NULL,
    registered_unit INTEGER NOT NULL,
    registered_path TEXT NOT NULL,
    handling_unit INTEGER,
    handling_path TEXT,
    responsible_unit INTEGER NOT NULL,
    responsible_path TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    closed_on TEXT,
    clock_step TEXT,
    clock_due TEXT,
    yellow_from TEXT,
    lapse_due TEXT,
    repeat_of INTEGER,
    version INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX cases_responsible ON cases(responsible_path, clock_due);
CREATE INDEX cases_registered ON cases(registered_path, id);
CREATE INDEX cases_handling ON cases(handling_path, id);
CREATE INDEX cases_status ON cases(status, clock_due);
CREATE INDEX cases_due ON cases(clock_due);
CREATE INDEX cases_lapse ON cases(lapse_due) WHERE lapse_due IS NOT NULL;
CREATE INDEX cases_phone ON cases(petitioner_phone);
CREATE INDEX cases_name ON cases(petitioner_name);
CREATE INDEX cases_id_number ON cases(petitioner_id_number);
