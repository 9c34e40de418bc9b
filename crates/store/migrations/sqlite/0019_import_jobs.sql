-- Imports run from 系统管理 → 导入 (#17): the uploaded register with its sheet and mapping, and
-- the run's progress, result and error report, in the database so that every server process
-- sees them and a run stopped with its process can be resumed. Uploads hold personal data: the
-- file is dropped once imported, and jobs are forgotten after a week (never in backups).
CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    file BLOB,
    file_bytes INTEGER NOT NULL,
    sheet TEXT,
    mapping TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    report BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX import_jobs_created ON import_jobs(created_at);

-- Mappings kept by name for next month's file: a mapping file's TOML ([columns], [values.*]).
CREATE TABLE import_mappings (
    name TEXT PRIMARY KEY,
    mapping TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
