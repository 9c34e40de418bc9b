-- Read models of the assessment figures, kept in the writer's transaction (see
-- crates/store/src/figures.rs): the sum of every case's facts (xinfang_domain::metrics::facts)
-- by unit, cohort day and due day ('9999-12-31' when none); cases answered late or still
-- unanswered by handling deadline and answer day, for 积案; registrations by channel, category
-- and region per day; and the version of the facts they were built with.
CREATE TABLE unit_figures (
    day TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    due TEXT NOT NULL,
    cases BIGINT NOT NULL DEFAULT 0,
    people BIGINT NOT NULL DEFAULT 0,
    collective BIGINT NOT NULL DEFAULT 0,
    collective_people BIGINT NOT NULL DEFAULT 0,
    skip_level BIGINT NOT NULL DEFAULT 0,
    repeats BIGINT NOT NULL DEFAULT 0,
    accept_on_time BIGINT NOT NULL DEFAULT 0,
    accept_late BIGINT NOT NULL DEFAULT 0,
    accept_pending BIGINT NOT NULL DEFAULT 0,
    done_on_time BIGINT NOT NULL DEFAULT 0,
    done_late BIGINT NOT NULL DEFAULT 0,
    open_pending BIGINT NOT NULL DEFAULT 0,
    evaluated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    evaluation_pending BIGINT NOT NULL DEFAULT 0,
    first_closed BIGINT NOT NULL DEFAULT 0,
    first_closed_once BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit_id, due)
);

CREATE TABLE late_figures (
    answered TEXT NOT NULL,
    deadline TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (answered, deadline, unit_id)
);

CREATE TABLE volume_figures (
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    grp TEXT NOT NULL,
    cases BIGINT NOT NULL DEFAULT 0,
    people BIGINT NOT NULL DEFAULT 0,
    collective BIGINT NOT NULL DEFAULT 0,
    collective_people BIGINT NOT NULL DEFAULT 0,
    skip_level BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, dim, grp)
);

CREATE TABLE read_models (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
