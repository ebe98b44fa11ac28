-- Searching persons by a part of their name: a trigram index over the lowercased full name,
-- so `LIKE '%…%'` with three characters or more reads the index instead of every person.
-- pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX persons_name_trigrams ON persons
    USING gin (LOWER(first_name || ' ' || last_name) gin_trgm_ops);
