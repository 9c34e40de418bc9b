-- A unit's subtree is a range of paths, [/1/4/, /1/40), which holds only when paths compare as
-- bytes. A database created with a collation that ignores punctuation (ICU "ka-shifted", or
-- many glibc locales) sorts /1/4/7/ after /1/40, so a town would lose its villages' cases
-- and could be shown another branch's. The columns compare as bytes whatever the database's
-- collation; their indexes are rebuilt.
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE cases
    ALTER COLUMN registered_path TYPE TEXT COLLATE "C",
    ALTER COLUMN handling_path TYPE TEXT COLLATE "C",
    ALTER COLUMN responsible_path TYPE TEXT COLLATE "C";
ALTER TABLE records ALTER COLUMN unit_path TYPE TEXT COLLATE "C";
