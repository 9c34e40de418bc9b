-- Subtree lists are read unit by unit (#20): each unit's cases newest first, and its open
-- cases most urgent first with the id breaking ties, so neither needs a sort.
CREATE INDEX cases_unit ON cases(responsible_unit, id);
DROP INDEX cases_unit_due;
CREATE INDEX cases_unit_due ON cases(responsible_unit, clock_due, id) WHERE clock_due IS NOT NULL;
