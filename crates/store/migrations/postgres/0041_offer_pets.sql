-- Whether an offered home allows pets: a household that comes with pets only fits a home
-- that allows them. Offers registered before this was asked are taken to allow them.
ALTER TABLE offers ADD COLUMN no_pets BIGINT NOT NULL DEFAULT 0 CHECK (no_pets IN (0, 1));
