-- An optional e-mail address per user: where Nabij sends the notice that a signal waits
-- (never its content). Shown to administrators only.
ALTER TABLE users ADD COLUMN email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254);
