-- The keyed look-up tags of a case's petitioner (name, phone, ID number) as their 16 bytes, not
-- 32 hex digits (#20, storage: about 100 bytes less a case with the three indexes).
ALTER TABLE cases
    ALTER COLUMN name_tag TYPE bytea USING decode(name_tag, 'hex'),
    ALTER COLUMN phone_tag TYPE bytea USING decode(phone_tag, 'hex'),
    ALTER COLUMN id_tag TYPE bytea USING decode(id_tag, 'hex');
