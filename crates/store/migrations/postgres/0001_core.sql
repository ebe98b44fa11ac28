-- The core loop: geography, homes and places, persons, referrals, stays.
-- Dates are ISO-8601 text (YYYY-MM-DD), instants are RFC 3339 UTC text; both sort as text.
-- Flags are 0/1 integers. The same column shapes are used on SQLite.

CREATE TABLE regions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE municipalities (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id BIGINT REFERENCES regions(id),
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL
);

CREATE TABLE neighbourhoods (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL
);
CREATE INDEX neighbourhoods_by_municipality ON neighbourhoods(municipality_id);

CREATE TABLE homes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pitstop', 'opvangwoning', 'omklapwoning', 'centrale_opvang')),
    address TEXT NOT NULL,
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id),
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    women_only BIGINT NOT NULL DEFAULT 0 CHECK (women_only IN (0, 1)),
    accessible BIGINT NOT NULL DEFAULT 0 CHECK (accessible IN (0, 1)),
    pets_allowed BIGINT NOT NULL DEFAULT 0 CHECK (pets_allowed IN (0, 1)),
    max_stay_months BIGINT NOT NULL DEFAULT 6 CHECK (max_stay_months BETWEEN 1 AND 24),
    landlord TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX homes_by_neighbourhood ON homes(neighbourhood_id);

CREATE TABLE places (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id BIGINT NOT NULL REFERENCES homes(id),
    label TEXT NOT NULL,
    UNIQUE (home_id, label)
);

-- A place is blocked from from_date up to and including until_date (open-ended when NULL).
CREATE TABLE place_blocks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id BIGINT NOT NULL REFERENCES places(id),
    from_date TEXT NOT NULL,
    until_date TEXT,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (until_date IS NULL OR until_date >= from_date)
);
CREATE INDEX place_blocks_by_place ON place_blocks(place_id);

CREATE TABLE persons (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    gender TEXT NOT NULL,
    date_of_birth TEXT,
    bsn TEXT,
    phone TEXT,
    household_size BIGINT NOT NULL CHECK (household_size BETWEEN 1 AND 12),
    needs_accessible BIGINT NOT NULL DEFAULT 0 CHECK (needs_accessible IN (0, 1)),
    needs_pets BIGINT NOT NULL DEFAULT 0 CHECK (needs_pets IN (0, 1)),
    needs_women_only BIGINT NOT NULL DEFAULT 0 CHECK (needs_women_only IN (0, 1)),
    own_municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    own_neighbourhood_id BIGINT REFERENCES neighbourhoods(id),
    created_at TEXT NOT NULL
);

CREATE TABLE person_avoid_areas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    municipality_id BIGINT REFERENCES municipalities(id),
    neighbourhood_id BIGINT REFERENCES neighbourhoods(id),
    CHECK ((municipality_id IS NULL) <> (neighbourhood_id IS NULL))
);
CREATE INDEX avoid_by_person ON person_avoid_areas(person_id);

CREATE TABLE referrals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    source TEXT NOT NULL,
    urgency TEXT NOT NULL,
    situation TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('received', 'placed', 'advised_elsewhere', 'withdrawn')),
    closed_at TEXT,
    close_reason TEXT,
    CHECK ((state = 'received') = (closed_at IS NULL))
);
CREATE INDEX referrals_by_state ON referrals(state, received_at);
CREATE INDEX referrals_by_person ON referrals(person_id);

-- "Geen plek in eigen gebied": nothing was free in the own municipality at intake.
CREATE TABLE no_place_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id BIGINT NOT NULL UNIQUE REFERENCES referrals(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    occurred_at TEXT NOT NULL
);

CREATE TABLE stays (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    home_id BIGINT NOT NULL REFERENCES homes(id),
    referral_id BIGINT UNIQUE REFERENCES referrals(id),
    start_date TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    placed_at TEXT NOT NULL,
    proximity TEXT NOT NULL CHECK (proximity IN ('own_neighbourhood', 'own_municipality', 'elsewhere')),
    distance_km DOUBLE PRECISION NOT NULL,
    ready_on TEXT,
    exit_date TEXT,
    destination TEXT,
    exit_reason TEXT,
    plan_done_on TEXT,
    evaluation_done_on TEXT,
    exit_preparation_done_on TEXT,
    CHECK (planned_end > start_date),
    CHECK ((exit_date IS NULL) = (destination IS NULL)),
    CHECK (exit_date IS NULL OR exit_date >= start_date)
);
-- At most one active stay per person.
CREATE UNIQUE INDEX one_active_stay_per_person ON stays(person_id) WHERE exit_date IS NULL;
CREATE INDEX stays_by_home ON stays(home_id);
CREATE INDEX stays_active ON stays(exit_date, planned_end);

CREATE TABLE stay_places (
    stay_id BIGINT NOT NULL REFERENCES stays(id),
    place_id BIGINT NOT NULL REFERENCES places(id),
    released_on TEXT,
    PRIMARY KEY (stay_id, place_id)
);
-- At most one active stay per place.
CREATE UNIQUE INDEX one_active_stay_per_place ON stay_places(place_id) WHERE released_on IS NULL;

CREATE TABLE stay_extensions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stay_id BIGINT NOT NULL REFERENCES stays(id),
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    previous_end TEXT NOT NULL,
    new_end TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    CHECK (new_end > previous_end)
);
CREATE INDEX extensions_by_stay ON stay_extensions(stay_id);
