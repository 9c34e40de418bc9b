-- Cases whose written opinion is drafted and waits for a head's or leader's signature (#16): the
-- worklist of those who sign lists them. No case had a draft before this migration.
ALTER TABLE cases ADD COLUMN signoff BIGINT NOT NULL DEFAULT 0;
CREATE INDEX cases_signoff ON cases(responsible_path) WHERE signoff = 1;
