-- Monthly assessment reports as issued (印发, #17): once a closed month's figures go out, the
-- figures printed stay as they were, whatever later merges or splits change in the live ones.
-- One report per month, issuing unit and extent (its own figures, or with its subtrees).
CREATE TABLE issued_reports (
    id BIGINT PRIMARY KEY,
    month TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    subtree BIGINT NOT NULL,
    figures TEXT NOT NULL,
    issued_by BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    UNIQUE (month, unit_id, subtree)
);
