-- The cliënt role: a person's own account, linked to their file. SQLite cannot change a
-- CHECK constraint in place, so the users table is rebuilt (foreign keys are checked at
-- commit, when every user is back under the same id).
PRAGMA defer_foreign_keys = ON;

CREATE TABLE users_before_client AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'professional', 'main_resident', 'buddy', 'partner', 'admin', 'client')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    created_at TEXT NOT NULL,
    totp_last_step INTEGER,
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1))
);
INSERT INTO users (id, organisation_id, username, display_name, phone, role, password_hash, active,
    totp_secret, totp_enabled, created_at, totp_last_step, must_change_password)
SELECT id, organisation_id, username, display_name, phone, role, password_hash, active,
    totp_secret, totp_enabled, created_at, totp_last_step, must_change_password
FROM users_before_client;
DROP TABLE users_before_client;
CREATE INDEX users_by_organisation ON users(organisation_id, username, id);
CREATE TRIGGER users_username_length_insert BEFORE INSERT ON users
WHEN length(NEW.username) > 40
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.username');
END;
CREATE TRIGGER users_username_length_update BEFORE UPDATE OF username ON users
WHEN length(NEW.username) > 40
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.username');
END;
CREATE TRIGGER users_display_name_length_insert BEFORE INSERT ON users
WHEN length(NEW.display_name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.display_name');
END;
CREATE TRIGGER users_display_name_length_update BEFORE UPDATE OF display_name ON users
WHEN length(NEW.display_name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.display_name');
END;
CREATE TRIGGER users_phone_length_insert BEFORE INSERT ON users
WHEN length(NEW.phone) > 20
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.phone');
END;
CREATE TRIGGER users_phone_length_update BEFORE UPDATE OF phone ON users
WHEN length(NEW.phone) > 20
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.phone');
END;

-- A cliënt account belongs to exactly one person.
CREATE TABLE client_accounts (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    person_id INTEGER NOT NULL UNIQUE REFERENCES persons(id),
    invited_by TEXT NOT NULL,
    invited_at TEXT NOT NULL
);
