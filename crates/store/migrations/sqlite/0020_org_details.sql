-- What an organisation's import brings beside the tree (#17): a unit's short name and region, a
-- person's work phone. Kept apart from units and people, whose rows the org chart is read from.
CREATE TABLE unit_details (
    unit_id INTEGER PRIMARY KEY,
    short_name TEXT,
    region TEXT
);
CREATE TABLE person_details (
    person_id INTEGER PRIMARY KEY,
    phone TEXT
);
