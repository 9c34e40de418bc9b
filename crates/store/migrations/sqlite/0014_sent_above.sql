-- What offices send to bodies above the deployment, counted in the figures (#15): sent, decided,
-- and awaited (overdue once past the tracking date).
ALTER TABLE unit_figures ADD COLUMN sent_above BIGINT NOT NULL DEFAULT 0;
ALTER TABLE unit_figures ADD COLUMN decided_above BIGINT NOT NULL DEFAULT 0;
ALTER TABLE unit_figures ADD COLUMN above_pending BIGINT NOT NULL DEFAULT 0;
