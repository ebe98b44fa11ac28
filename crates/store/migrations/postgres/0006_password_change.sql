-- A temporary password (made by an administrator or the command line) must be replaced by
-- the user at the next sign-in.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
