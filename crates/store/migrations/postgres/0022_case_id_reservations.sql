-- Case ids an import took before building its cases (#17): the cases of a batch carry their ids
-- in their events, so the writer reserves a block first, and every process's writer starts its
-- next registration above the highest reserved id (registrations go on while a file imports).
CREATE TABLE case_id_reservations (
    first BIGINT PRIMARY KEY,
    last BIGINT NOT NULL,
    source TEXT NOT NULL,
    reserved_at BIGINT NOT NULL
);
