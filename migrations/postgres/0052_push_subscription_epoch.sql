-- The user's session epoch when the subscription was made. A password
-- reset moves the epoch and so ends every session (a lost or stolen
-- phone); the phones subscribed under the old epoch stop getting notices
-- too: nothing is queued for them, and what was queued is not sent.
ALTER TABLE push_subscriptions ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
