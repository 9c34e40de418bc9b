-- The petitioner store: each case's personal data encrypted (SM4-GCM) under the deployment's
-- key; the log and the case's state keep only a digest. `sealed` is NULL once erased.
CREATE TABLE petitioners (
    case_id BIGINT PRIMARY KEY,
    sealed TEXT,
    digest TEXT,
    standing TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);

-- The personal data inside mechanisms' records (a reception's appointments, whom the leader
-- met), sealed the same way; the record's state and its events keep the values blank.
CREATE TABLE record_personal (
    record_id BIGINT PRIMARY KEY,
    sealed TEXT NOT NULL,
    digest TEXT NOT NULL
);

-- The keys the database's personal data was ever encrypted under (ids only, never a key):
-- the store refuses to start with a key file that lacks one still in use.
CREATE TABLE personal_keys (
    key_id TEXT PRIMARY KEY,
    added_at BIGINT NOT NULL
);

-- The case list looks people up by keyed SM3 tags, not by their names and numbers.
DROP INDEX cases_phone;
DROP INDEX cases_name;
DROP INDEX cases_id_number;
ALTER TABLE cases RENAME COLUMN petitioner_name TO name_tag;
ALTER TABLE cases RENAME COLUMN petitioner_phone TO phone_tag;
ALTER TABLE cases RENAME COLUMN petitioner_id_number TO id_tag;
CREATE INDEX cases_phone_tag ON cases(phone_tag);
CREATE INDEX cases_name_tag ON cases(name_tag);
CREATE INDEX cases_id_tag ON cases(id_tag);

-- Cases written before the petitioner store, moved into it (and their events re-chained
-- without the data) when the store first opens with its key.
CREATE TABLE legacy_personal (case_id BIGINT PRIMARY KEY);
INSERT INTO legacy_personal (case_id) SELECT id FROM cases;
CREATE TABLE legacy_record_personal (record_id BIGINT PRIMARY KEY);
INSERT INTO legacy_record_personal (record_id) SELECT id FROM records WHERE kind = 'reception_session';

-- A re-chaining of the log: the head before and after, and where it ended. Each event whose
-- hash changed keeps its former hash, so checkpoints signed before still hold.
CREATE TABLE chain_reanchors (
    at BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    old_head TEXT NOT NULL,
    new_head TEXT NOT NULL,
    reason TEXT NOT NULL
);
ALTER TABLE events ADD COLUMN legacy_hash TEXT;
