-- Web push (issue 13). The programme's one VAPID key pair: row 1 only, so
-- two instances starting together both try to insert it and the loser
-- reads the winner's (INSERT … ON CONFLICT DO NOTHING, then SELECT).
CREATE TABLE push_vapid_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- Raw 32-byte P-256 private scalar, base64url without padding.
    private_key TEXT NOT NULL,
    -- Uncompressed public point (65 bytes), base64url: what browsers get.
    public_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- A browser's push subscription. An endpoint belongs to one user at a time
-- (a shared phone re-subscribing for another user moves it); session_hash
-- names the session that made it, so logging out on that device removes it.
CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    session_hash TEXT,
    created_at INTEGER NOT NULL,
    last_success_at INTEGER,
    last_failure_at INTEGER
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_hash);

-- The durable send queue: one row per notification and subscription,
-- stored in the transaction of what caused it, then sent by whichever
-- instance claims it (claimed_by/claimed_until is the lease).
CREATE TABLE push_queue (
    id INTEGER PRIMARY KEY,
    -- NULL once the subscription is gone (the push service said 404/410).
    subscription_id INTEGER REFERENCES push_subscriptions(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    topic TEXT,
    urgency TEXT NOT NULL,
    ttl_secs INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_until INTEGER,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    last_error TEXT
);
CREATE INDEX push_queue_due ON push_queue(status, due_at);
CREATE INDEX push_queue_subscription ON push_queue(subscription_id);
