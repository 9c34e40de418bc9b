-- Imports run from 系统管理 → 导入 (#17): the uploaded register with its sheet and mapping, and
-- the run's progress, result and error report, in the database so that every server process
-- sees them and a run stopped with its process can be resumed. Uploads hold personal data: the
-- file is dropped once imported, and jobs are forgotten after a week (never in backups).
CREATE TABLE import_jobs (
    id BIGINT PRIMARY KEY,
    person_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    file BYTEA,
    file_bytes BIGINT NOT NULL,
    sheet TEXT,
    mapping TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    dry_run BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    result TEXT,
    report BYTEA,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX import_jobs_created ON import_jobs(created_at);

-- Mappings kept by name for next month's file: a mapping file's TOML ([columns], [values.*]).
CREATE TABLE import_mappings (
    name TEXT PRIMARY KEY,
    mapping TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
