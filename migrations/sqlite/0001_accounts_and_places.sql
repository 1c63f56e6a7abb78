-- Accounts, places and the audit log: what every later capability stands on.
-- Timestamps are Unix milliseconds (BIGINT) and flags are integers 0/1 so the
-- same queries read the same types on SQLite and PostgreSQL.

CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

-- Governorates (level 1) and districts (level 2). P-codes are data entered by
-- the admin, never derived from names.
CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    level INTEGER NOT NULL CHECK (level IN (1, 2)),
    parent_id INTEGER REFERENCES areas(id),
    pcode TEXT NOT NULL UNIQUE,
    iso_code TEXT,
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    name_ckb TEXT NOT NULL,
    region TEXT,
    CHECK ((level = 1 AND parent_id IS NULL) OR (level = 2 AND parent_id IS NOT NULL))
);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('child_friendly_space', 'community_centre', 'womens_centre', 'camp', 'school', 'sports_ground', 'other')),
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    area_id INTEGER NOT NULL REFERENCES areas(id),
    latitude REAL,
    longitude REAL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX sites_partner ON sites(partner_id);
CREATE INDEX sites_area ON sites(area_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'trainer', 'mobiliser')),
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ar', 'ckb')),
    -- Admins and programme-wide coordinators see every site.
    all_sites INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE user_sites (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site ON user_sites(site_id);

-- Who did what, when, from where. Rows are only ever appended.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER,
    login TEXT,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id TEXT,
    client_addr TEXT,
    detail TEXT
);
CREATE INDEX audit_log_user ON audit_log(user_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);

-- Failed logins, kept in the database so that every server instance applies
-- the same throttle.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    login TEXT NOT NULL,
    client_addr TEXT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
CREATE INDEX login_failures_addr ON login_failures(client_addr, at);
