-- Who saw or looked up petitioners' personal data: each reveal of a case's unmasked data and
-- each search by phone, ID number or name (the field, never the value searched for).
CREATE TABLE personal_data_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    case_id BIGINT,
    kind TEXT NOT NULL
);
CREATE INDEX personal_data_log_at ON personal_data_log(at);
