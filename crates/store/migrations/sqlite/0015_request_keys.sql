-- Requests that must not happen twice (#16): a create or act sent again with the same key by
-- the same caller within 24 hours gets the first answer and writes nothing. Shared by every
-- server process on the database; kept across restarts. `status` is NULL while the first
-- request runs.
CREATE TABLE request_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status BIGINT,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX request_keys_created ON request_keys (created_at);
