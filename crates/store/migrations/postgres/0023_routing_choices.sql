-- Routing (#18). What routing suggested and what the officer chose: one row per registration (the
-- category) and per forward or assignment at sorting (the unit), so that administrators see
-- each month how often the first suggestion was taken and how often the final routing was
-- among the suggestions. Reports (检举控告) are not recorded.
CREATE TABLE routing_choices (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    month TEXT NOT NULL,
    case_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    target TEXT NOT NULL,
    suggested TEXT NOT NULL,
    chosen TEXT NOT NULL
);
CREATE INDEX routing_choices_month ON routing_choices(month);

-- The routing models as last trained (from the history, or from a labelled file for a cold
-- start), so that a restarted server suggests from its first request. One row per name.
CREATE TABLE routing_models (
    name TEXT PRIMARY KEY,
    saved_at BIGINT NOT NULL,
    state TEXT NOT NULL
);
