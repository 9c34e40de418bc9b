-- Read models of the assessment figures, kept in the writer's transaction (see
-- crates/store/src/figures.rs): the sum of every case's facts (xinfang_domain::metrics::facts)
-- by unit, cohort day and due day ('9999-12-31' when none); cases answered late or still
-- unanswered by handling deadline and answer day, for 积案; registrations by channel, category
-- and region per day; and the version of the facts they were built with.
CREATE TABLE unit_figures (
    day TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    due TEXT NOT NULL,
    cases INTEGER NOT NULL DEFAULT 0,
    people INTEGER NOT NULL DEFAULT 0,
    collective INTEGER NOT NULL DEFAULT 0,
    collective_people INTEGER NOT NULL DEFAULT 0,
    skip_level INTEGER NOT NULL DEFAULT 0,
    repeats INTEGER NOT NULL DEFAULT 0,
    accept_on_time INTEGER NOT NULL DEFAULT 0,
    accept_late INTEGER NOT NULL DEFAULT 0,
    accept_pending INTEGER NOT NULL DEFAULT 0,
    done_on_time INTEGER NOT NULL DEFAULT 0,
    done_late INTEGER NOT NULL DEFAULT 0,
    open_pending INTEGER NOT NULL DEFAULT 0,
    evaluated INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    evaluation_pending INTEGER NOT NULL DEFAULT 0,
    first_closed INTEGER NOT NULL DEFAULT 0,
    first_closed_once INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit_id, due)
) WITHOUT ROWID;

CREATE TABLE late_figures (
    answered TEXT NOT NULL,
    deadline TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (answered, deadline, unit_id)
) WITHOUT ROWID;

CREATE TABLE volume_figures (
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    grp TEXT NOT NULL,
    cases INTEGER NOT NULL DEFAULT 0,
    people INTEGER NOT NULL DEFAULT 0,
    collective INTEGER NOT NULL DEFAULT 0,
    collective_people INTEGER NOT NULL DEFAULT 0,
    skip_level INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, dim, grp)
) WITHOUT ROWID;

CREATE TABLE read_models (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
