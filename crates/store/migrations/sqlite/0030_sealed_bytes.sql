-- Sealed personal data and its digest as bytes, not hex (#20, storage: about 220 bytes less a
-- case). A sealed value's bytes are its key's id (8) and then the nonce and ciphertext, the text
-- `<key id>:<hex>` without the colon. SQLite cannot change a column's type: both tables are
-- rebuilt (neither has an index of its own).
CREATE TABLE petitioners_bytes (
    case_id INTEGER PRIMARY KEY,
    sealed BLOB,
    digest BLOB,
    standing TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
INSERT INTO petitioners_bytes
SELECT case_id, unhex(replace(sealed, ':', '')), unhex(digest), standing, changed_at
FROM petitioners ORDER BY case_id;
DROP TABLE petitioners;
ALTER TABLE petitioners_bytes RENAME TO petitioners;

CREATE TABLE record_personal_bytes (
    record_id INTEGER PRIMARY KEY,
    sealed BLOB NOT NULL,
    digest BLOB NOT NULL
);
INSERT INTO record_personal_bytes
SELECT record_id, unhex(replace(sealed, ':', '')), unhex(digest)
FROM record_personal ORDER BY record_id;
DROP TABLE record_personal;
ALTER TABLE record_personal_bytes RENAME TO record_personal;
