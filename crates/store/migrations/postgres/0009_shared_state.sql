-- State the server processes on one database share (several `xinfang serve` behind a load
-- balancer): secrets every process must sign and check with alike, and the proof-of-work
-- challenges already redeemed, so that one solved challenge is taken once whichever process
-- receives it.
CREATE TABLE shared_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE redeemed_challenges (
    challenge TEXT PRIMARY KEY,
    issued BIGINT NOT NULL
);
CREATE INDEX redeemed_challenges_issued ON redeemed_challenges(issued);
