-- The chain's hashes as their 32 bytes, not 64 hex characters, and each only once: the previous
-- event's hash is the row before's (#20, storage: 96 bytes less an event). The chain reads them
-- back as hex, which is what each hash covers of the one before, so every hash stays the same.
-- Changing the type rewrites the table (the dropped column's space with it) without firing the
-- append-only trigger.
ALTER TABLE events
    DROP COLUMN prev_hash,
    ALTER COLUMN hash TYPE BYTEA USING decode(hash, 'hex');
