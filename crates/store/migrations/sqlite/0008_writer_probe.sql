-- One row the writer rewrites to learn whether the database takes writes again (after the disk
-- filled up or the server went away): the readiness of a server that had failed to commit.
CREATE TABLE writer_probe (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL
);
