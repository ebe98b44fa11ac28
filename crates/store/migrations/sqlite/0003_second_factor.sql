-- Wrong second-factor codes are counted apart from wrong passwords: a correct password clears
-- the password count, and must not give a code guesser a fresh start.
CREATE TABLE second_factor_failures (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX second_factor_failures_by_user ON second_factor_failures(user_id, at);

-- The last RFC 6238 time step accepted for the user: a code is used once.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
