-- The keyed look-up tags of a case's petitioner (name, phone, ID number) as their 16 bytes, not
-- 32 hex digits (#20, storage: about 100 bytes less a case with the three indexes). SQLite cannot
-- change a column's type: each takes a new column in the old one's place, as `cases.state` did in
-- 0029, and its index is made again.
DROP INDEX cases_name_tag;
DROP INDEX cases_phone_tag;
DROP INDEX cases_id_tag;
ALTER TABLE cases ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE cases ADD COLUMN phone_key BLOB;
ALTER TABLE cases ADD COLUMN id_key BLOB;
UPDATE cases SET name_key = unhex(name_tag), phone_key = unhex(phone_tag), id_key = unhex(id_tag);
ALTER TABLE cases DROP COLUMN name_tag;
ALTER TABLE cases DROP COLUMN phone_tag;
ALTER TABLE cases DROP COLUMN id_tag;
ALTER TABLE cases RENAME COLUMN name_key TO name_tag;
ALTER TABLE cases RENAME COLUMN phone_key TO phone_tag;
ALTER TABLE cases RENAME COLUMN id_key TO id_tag;
CREATE INDEX cases_name_tag ON cases(name_tag);
CREATE INDEX cases_phone_tag ON cases(phone_tag);
CREATE INDEX cases_id_tag ON cases(id_tag);
