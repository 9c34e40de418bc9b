-- Accounts that hold against guessing: failed logins per account with a temporary lock an
-- administrator can lift, passwords an administrator set that must be changed at first login,
-- sessions that end when idle, and a log of these (not the case log: nothing here is a
-- petitioner's).
ALTER TABLE people ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN locked_until BIGINT;
ALTER TABLE people ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0;

CREATE TABLE security_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    username TEXT NOT NULL,
    person_id BIGINT,
    address TEXT,
    by_person BIGINT
);
CREATE INDEX security_log_at ON security_log(at);
