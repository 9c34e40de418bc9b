-- The cases behind every count (drill-down, #20): each case's facts (xinfang_domain::metrics::facts)
-- one row each, but for the people counts, kept by the writer beside unit_figures. measure is the
-- index of xinfang_domain::metrics::Measure; days are YYYYMMDD numbers; due is NULL when none.
-- A unit's cases behind one measure are one range of the key, newest cohort first; the due day
-- rides in the index so that overdue counts are answered from it alone.
CREATE TABLE case_facts (
    measure SMALLINT NOT NULL,
    unit_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    case_id BIGINT NOT NULL,
    due INTEGER,
    PRIMARY KEY (measure, unit_id, day, case_id) INCLUDE (due)
);

-- Cases behind one measure for two units on the same days (the handling unit's rating and the
-- office's): summed by measure, day, due day (99991231 when none) and the pair of units, so
-- that a subtree holding both counts such a case once without reading case_facts.
CREATE TABLE fact_pairs (
    measure SMALLINT NOT NULL,
    day INTEGER NOT NULL,
    due INTEGER NOT NULL,
    unit_a BIGINT NOT NULL,
    unit_b BIGINT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (measure, day, due, unit_a, unit_b)
);
