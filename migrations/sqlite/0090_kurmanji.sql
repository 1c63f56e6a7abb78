-- Kurmanji (`kmr`: Badini as written in Duhok, in the Arabic-based Kurdish
-- alphabet) as a fourth language a user can choose (issue 12).
--
-- SQLite cannot change a CHECK constraint in place, so users is rebuilt with
-- the same columns in the same order, as 0070 rebuilt its tables: foreign
-- keys stay on during migrations, so their check is deferred to the commit
-- (the records, devices, locks… that point at a user are orphans between the
-- DROP and the INSERT, and matched again before the commit checks them).
--
-- Deferring the check does not stop the actions a DROP's implicit DELETE
-- sets off: user_sites and push_subscriptions are ON DELETE CASCADE, and
-- push_queue.subscription_id is ON DELETE SET NULL under push_subscriptions.
-- So those rows are kept aside and put back with their ids. users has no
-- other index than its UNIQUE login, no trigger and no view.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE kept_users AS SELECT * FROM users;
CREATE TEMP TABLE kept_user_sites AS SELECT * FROM user_sites;
CREATE TEMP TABLE kept_push_subscriptions AS SELECT * FROM push_subscriptions;
CREATE TEMP TABLE kept_push_queue_links AS
    SELECT id, subscription_id FROM push_queue WHERE subscription_id IS NOT NULL;

DROP TABLE users;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'trainer', 'mobiliser')),
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ar', 'ckb', 'kmr')),
    -- Admins and programme-wide coordinators see every site.
    all_sites INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    session_epoch INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users (id, login, display_name, password_hash, role, language, all_sites, active, created_at, updated_at,
        session_epoch)
    SELECT id, login, display_name, password_hash, role, language, all_sites, active, created_at, updated_at,
        session_epoch
    FROM kept_users;

-- Whatever the cascade removed or unlinked, back as it was.
DELETE FROM user_sites;
INSERT INTO user_sites SELECT * FROM kept_user_sites;
DELETE FROM push_subscriptions;
INSERT INTO push_subscriptions SELECT * FROM kept_push_subscriptions;
UPDATE push_queue
    SET subscription_id = (SELECT k.subscription_id FROM kept_push_queue_links k WHERE k.id = push_queue.id)
    WHERE id IN (SELECT id FROM kept_push_queue_links);

DROP TABLE kept_push_queue_links;
DROP TABLE kept_push_subscriptions;
DROP TABLE kept_user_sites;
DROP TABLE kept_users;
