-- Units, people, sessions, the hash-chained event log and the case read model.
CREATE TABLE units (
    id BIGINT PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE
);

CREATE TABLE people (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    expires_at BIGINT NOT NULL
);

CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    case_id BIGINT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    unit_id BIGINT,
    at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_case ON events(case_id, seq);

-- The log is append-only: the database refuses to change or remove a row.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TABLE cases (
    id BIGINT PRIMARY KEY,
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
    is_report BIGINT NOT NULL,
    head_count BIGINT NOT NULL,
    registered_unit BIGINT NOT NULL,
    registered_path TEXT NOT NULL,
    handling_unit BIGINT,
    handling_path TEXT,
    responsible_unit BIGINT NOT NULL,
    responsible_path TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    closed_on TEXT,
    clock_step TEXT,
    clock_due TEXT,
    yellow_from TEXT,
    lapse_due TEXT,
    repeat_of BIGINT,
    version BIGINT NOT NULL,
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
