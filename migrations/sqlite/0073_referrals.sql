-- Referrals between organisations and the service directory they point at
-- (docs/design.md §9). A referral carries nothing but what routes it: no
-- narrative, no reason, no kind of violence; a note only where the
-- programme switches notes on.

-- Organisations that offer services: one of the programme's partners, or
-- an outside organisation (partner_id null).
CREATE TABLE service_organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    partner_id INTEGER REFERENCES partners(id),
    contact TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES service_organisations(id),
    category TEXT NOT NULL CHECK (category IN ('specialised_mhpss', 'case_management', 'gbv_response', 'child_protection', 'legal_aid', 'health', 'livelihoods', 'education', 'shelter')),
    name TEXT NOT NULL,
    -- A governorate or a district the service covers.
    area_id INTEGER NOT NULL REFERENCES areas(id),
    -- Comma-separated language codes (ar, ckb, kmr, en, tr, syr).
    languages TEXT NOT NULL,
    accessibility TEXT,
    how_to_reach TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX services_organisation ON services(organisation_id);

-- One referral; its id is a UUID made on the phone. The organisation and
-- its partner are copied from the service when referred, so who may see it
-- never changes under it.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants(id),
    from_site_id INTEGER NOT NULL REFERENCES sites(id),
    referred_by INTEGER NOT NULL REFERENCES users(id),
    service_id INTEGER NOT NULL REFERENCES services(id),
    organisation_id INTEGER NOT NULL REFERENCES service_organisations(id),
    to_partner_id INTEGER REFERENCES partners(id),
    referred_on TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'emergency')),
    -- No consent, no referral: the row cannot exist without it.
    consent INTEGER NOT NULL CHECK (consent = 1),
    note TEXT,
    status TEXT NOT NULL CHECK (status IN ('referred', 'accepted', 'declined', 'service_received', 'not_reached', 'closed')),
    accepted_on TEXT,
    declined_on TEXT,
    service_on TEXT,
    not_reached_on TEXT,
    closed_on TEXT,
    version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    device_created_at TEXT,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX referrals_from_site ON referrals(from_site_id, referred_on);
CREATE INDEX referrals_to_partner ON referrals(to_partner_id, referred_on);
CREATE INDEX referrals_referred_by ON referrals(referred_by);

-- Every status change, dated and by whom.
CREATE TABLE referral_steps (
    id INTEGER PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    status TEXT NOT NULL,
    step_on TEXT NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL
);
CREATE INDEX referral_steps_referral ON referral_steps(referral_id, id);
