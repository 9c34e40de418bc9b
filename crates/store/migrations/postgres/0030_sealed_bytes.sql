-- Sealed personal data and its digest as bytes, not hex (#20, storage: about 220 bytes less a
-- case). A sealed value's bytes are its key's id (8) and then the nonce and ciphertext, the text
-- `<key id>:<hex>` without the colon.
ALTER TABLE petitioners
    ALTER COLUMN sealed TYPE bytea USING decode(replace(sealed, ':', ''), 'hex'),
    ALTER COLUMN digest TYPE bytea USING decode(digest, 'hex');
ALTER TABLE record_personal
    ALTER COLUMN sealed TYPE bytea USING decode(replace(sealed, ':', ''), 'hex'),
    ALTER COLUMN digest TYPE bytea USING decode(digest, 'hex');
