-- The holiday calendar (DESIGN.md §4) lives in the database, so that every server process counts
-- working days on the same one: days off that would be working days ('holiday') and weekend days
-- worked ('workday', 调休). Seeded from the built-in official tables; administrators set each new
-- year's schedule when it is published; every change is an event in the log.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL
);
