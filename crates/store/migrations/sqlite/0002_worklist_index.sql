-- "Waiting on my unit", most urgent first: an index walk, whatever the size of the table.
CREATE INDEX cases_unit_due ON cases(responsible_unit, clock_due) WHERE clock_due IS NOT NULL;
CREATE INDEX cases_open_due ON cases(clock_due, responsible_path) WHERE clock_due IS NOT NULL;
