-- Hot issues (#19). The 预警 a hot issue raised to the petition office when it grew past the
-- policy's threshold, once per issue (the issue is named by its first case; every server
-- process follows the log and tries, the first insert wins). The cases are the issue's within
-- the threshold's days, as ids; who may see which is decided when they are shown.
CREATE TABLE hot_warnings (
    issue BIGINT PRIMARY KEY,
    raised_at BIGINT NOT NULL,
    raised_on TEXT NOT NULL,
    cases TEXT NOT NULL,
    case_count INTEGER NOT NULL,
    collective INTEGER NOT NULL,
    days INTEGER NOT NULL
);
CREATE INDEX hot_warnings_raised ON hot_warnings(raised_at);
