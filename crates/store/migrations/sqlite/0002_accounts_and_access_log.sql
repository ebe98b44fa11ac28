-- Accounts, roles and organisations; the NEN 7513 access log.
-- Every person, home and referral belongs to an organisation (existing rows to the first).

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- 'provider' runs homes and holds files; 'partner' refers people (municipality,
    -- social team, housing corporation, other) and belongs to a provider's network.
    kind TEXT NOT NULL CHECK (kind IN ('provider', 'partner')),
    provider_id INTEGER REFERENCES organisations(id),
    created_at TEXT NOT NULL,
    CHECK ((kind = 'partner') = (provider_id IS NOT NULL))
);
INSERT INTO organisations (id, name, kind, provider_id, created_at)
VALUES (1, 'Eigen organisatie', 'provider', NULL, '2026-01-01T00:00:00Z');

ALTER TABLE persons ADD COLUMN organisation_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE homes ADD COLUMN organisation_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE referrals ADD COLUMN organisation_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE persons ADD COLUMN anonymised_at TEXT;
ALTER TABLE referrals ADD COLUMN referred_by_organisation_id INTEGER;
CREATE INDEX persons_by_organisation ON persons(organisation_id);
CREATE INDEX referrals_by_referrer ON referrals(referred_by_organisation_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'professional', 'main_resident', 'buddy', 'partner', 'admin')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- RFC 6238 secret (base32); enabled once the user confirmed a code from it.
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    created_at TEXT NOT NULL
);

-- One-time codes for when the authenticator is lost; stored as SHA-256.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes(user_id);

-- Personal access tokens for the API, stored as SHA-256; they act with the user's role.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);

-- Consent of a person for a partner organisation and a purpose.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('referral', 'housing', 'care_coordination')),
    given_on TEXT NOT NULL,
    expires_on TEXT,
    revoked_on TEXT,
    revoked_by TEXT,
    recorded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (expires_on IS NULL OR expires_on >= given_on)
);
CREATE INDEX consents_by_person ON consents(person_id);
CREATE INDEX consents_by_organisation ON consents(organisation_id, purpose);

-- A main resident (or buddy) linked to the house they live in or serve.
CREATE TABLE user_homes (
    user_id INTEGER NOT NULL REFERENCES users(id),
    home_id INTEGER NOT NULL REFERENCES homes(id),
    PRIMARY KEY (user_id, home_id)
);

-- A professional's caseload: who guides whom, from when.
CREATE TABLE guidance (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    professional_id INTEGER NOT NULL REFERENCES users(id),
    started_on TEXT NOT NULL,
    ended_on TEXT
);
CREATE INDEX guidance_by_professional ON guidance(professional_id, ended_on);
CREATE INDEX guidance_by_person ON guidance(person_id, ended_on);

-- Sessions are stored by the SHA-256 of their id: the database never holds a usable cookie.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    -- Set once the second factor was confirmed in this session.
    second_factor INTEGER NOT NULL DEFAULT 0 CHECK (second_factor IN (0, 1)),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    address TEXT NOT NULL,
    client TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures(username, at);
CREATE INDEX login_failures_by_address ON login_failures(address, at);

-- NEN 7513: every view, change, export or print of a person's data. Append-only: the
-- triggers below refuse every update, and deletes of entries younger than five years.
-- Each entry's hash covers its fields and the previous entry's hash.
CREATE TABLE access_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    on_behalf_of TEXT NOT NULL,
    organisation_id INTEGER,
    person_id INTEGER,
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    address TEXT NOT NULL,
    client TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX access_log_by_person ON access_log(person_id, at);
CREATE INDEX access_log_by_user ON access_log(user_id, at);
CREATE INDEX access_log_by_time ON access_log(at);

-- The head of the chain; updating it serialises writers of the log.
CREATE TABLE access_log_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO access_log_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'het toegangslog is alleen aan te vullen, niet te wijzigen');
END;

CREATE TRIGGER access_log_keeps_five_years BEFORE DELETE ON access_log
WHEN OLD.at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 years')
BEGIN
    SELECT RAISE(ABORT, 'regels van het toegangslog blijven minstens vijf jaar bewaard');
END;
