-- A case's state and an event's payload as bytes (#20, storage): the program packs each JSON
-- document with zstd and a built-in dictionary (`src/packed.rs`). Rows written before keep their
-- text, now as its UTF-8 bytes, and read as they are; the chain covers the text, so no hash
-- changes. Changing a column's type rewrites the table without firing its triggers.
ALTER TABLE events ALTER COLUMN payload TYPE bytea USING convert_to(payload, 'UTF8');
ALTER TABLE cases ALTER COLUMN state TYPE bytea USING convert_to(state, 'UTF8');
