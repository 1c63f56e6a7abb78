-- The login throttle counts attempts per login name and per client address
-- in one row each, incremented atomically before the password is checked,
-- so parallel attempts cannot all slip under the limit (checking failures,
-- then recording them, let them).
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
DROP TABLE login_failures;
