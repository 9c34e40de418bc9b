-- Rows brought in from an earlier register (#17): each imported case with its row's key (its id
-- there, or a digest of the row) within its source, so that importing the same file again
-- imports nothing.
CREATE TABLE import_keys (
    case_id BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE (source, key)
);
