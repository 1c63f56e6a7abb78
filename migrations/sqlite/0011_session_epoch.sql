-- A session carries its user's epoch from login; raising it (a password
-- reset) ends every session of that user on every instance at once.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
