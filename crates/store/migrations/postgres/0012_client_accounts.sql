-- The cliënt role: a person's own account, linked to their file.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('coordinator', 'professional', 'main_resident', 'buddy', 'partner', 'admin', 'client'));

-- A cliënt account belongs to exactly one person.
CREATE TABLE client_accounts (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    person_id BIGINT NOT NULL UNIQUE REFERENCES persons(id),
    invited_by TEXT NOT NULL,
    invited_at TEXT NOT NULL
);
