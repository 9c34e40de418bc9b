-- Keys of the systems that may post requests through Open311 GeoReport v2 (admins manage them;
-- only a hash is kept), and the requests they posted.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE open311_requests (
    request_id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL UNIQUE,
    api_key_id INTEGER NOT NULL,
    service_code TEXT NOT NULL,
    address TEXT,
    lat TEXT,
    lon TEXT,
    requested_at INTEGER NOT NULL
);
CREATE INDEX open311_requested ON open311_requests(requested_at);
