-- Subtree lists are read unit by unit (#20): each unit's cases newest first. The rowid is the
-- index's last column, so (responsible_unit) alone keeps the order by id.
CREATE INDEX cases_unit ON cases(responsible_unit);
