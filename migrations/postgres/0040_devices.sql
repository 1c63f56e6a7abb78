-- A phone's copy of one user's data is encrypted under a random data key;
-- one of its wraps is under this device's recovery key, which only the
-- server holds and releases to a signed-in session (after a password
-- login), so a phone whose PIN wrap was destroyed (10 wrong PINs) can still
-- read and send its outbox. An admin marks a user's devices for wiping; the
-- phone hears of it at its next contact, sends its outbox, deletes its data
-- and reports back, and the key is then forgotten.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    recovery_key TEXT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    wipe_requested_at BIGINT,
    wiped_at BIGINT
);
CREATE INDEX devices_by_user ON devices (user_id);
