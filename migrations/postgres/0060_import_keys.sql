-- What an import of a programme's existing lists has created, by the key
-- each row is known by (the programme's own id, or a tuple of site code,
-- given name, sex and birth year), so importing the same file again
-- changes nothing. The key is stored as a SHA-256 hash: the tuple holds a
-- given name, and this table must not become a second list of names.
CREATE TABLE import_keys (
    kind TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, key_hash)
);
