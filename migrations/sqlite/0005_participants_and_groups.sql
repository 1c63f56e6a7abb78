-- Participants: only what the figures need. Never surname, phone, address,
-- case notes or anything about violence suffered.
CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),
    birth_year INTEGER NOT NULL,
    birth_year_estimated INTEGER NOT NULL DEFAULT 0,
    -- 'wg': the six Washington Group answers below; 'yes' / 'no' / 'not_asked'.
    disability_mode TEXT NOT NULL CHECK (disability_mode IN ('wg', 'yes', 'no', 'not_asked')),
    wg_seeing INTEGER, wg_hearing INTEGER, wg_walking INTEGER, wg_remembering INTEGER, wg_selfcare INTEGER, wg_communicating INTEGER,
    -- Derived on write: any WG answer of 3 or 4, or a plain yes.
    has_disability INTEGER NOT NULL,
    displacement TEXT NOT NULL CHECK (displacement IN ('host', 'idp', 'refugee', 'returnee')),
    registered_on TEXT NOT NULL,
    given_name TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    device_created_at TEXT,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL
);
CREATE INDEX participants_site ON participants(site_id);

-- Recurring groups at one site, with one activity type.
CREATE TABLE activity_groups (
    id TEXT PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    name TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL
);
CREATE INDEX activity_groups_site ON activity_groups(site_id);

CREATE TABLE group_facilitators (
    group_id TEXT NOT NULL REFERENCES activity_groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES activity_groups(id),
    participant_id TEXT NOT NULL REFERENCES participants(id),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    PRIMARY KEY (group_id, participant_id)
);
CREATE INDEX group_members_participant ON group_members(participant_id);
