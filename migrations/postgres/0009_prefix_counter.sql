-- Participant-code prefixes are numbered by one counter row: taking the
-- next number locks the row until commit, so phones asking at the same
-- moment each get their own prefix (a count of issued prefixes raced).
CREATE TABLE prefix_counter (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    issued BIGINT NOT NULL
);
INSERT INTO prefix_counter (id, issued) VALUES (1, (SELECT COUNT(*) FROM device_prefixes));
CREATE INDEX device_prefixes_user ON device_prefixes(user_id, created_at);
