-- One row per local day whose group reminders were queued: the instance
-- that inserts it (in the transaction that queues them) does the day's
-- run; the others find it there and do nothing.
CREATE TABLE push_reminder_runs (
    day TEXT PRIMARY KEY,
    ran_at INTEGER NOT NULL
);
