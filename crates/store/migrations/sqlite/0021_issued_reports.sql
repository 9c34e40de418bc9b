-- Monthly assessment reports as issued (印发, #17): once a closed month's figures go out, the
-- figures printed stay as they were, whatever later merges or splits change in the live ones.
-- One report per month, issuing unit and extent (its own figures, or with its subtrees).
CREATE TABLE issued_reports (
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    subtree INTEGER NOT NULL,
    figures TEXT NOT NULL,
    issued_by INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    UNIQUE (month, unit_id, subtree)
);
