-- Buddies (maatjes): the registry kept by coordinators. A buddy may have an account
-- (user_id) to see their matches. active_matches counts the open matches, so a new match
-- is refused in the same statement that would take the buddy beyond capacity.
CREATE TABLE buddies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    user_id BIGINT UNIQUE REFERENCES users(id),
    name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    phone TEXT CHECK (phone IS NULL OR char_length(phone) <= 20),
    -- Comma-separated interest codes.
    interests TEXT NOT NULL CHECK (char_length(interests) <= 200),
    neighbourhood_id BIGINT NOT NULL REFERENCES neighbourhoods(id),
    hours_per_week BIGINT NOT NULL CHECK (hours_per_week BETWEEN 1 AND 40),
    availability TEXT NOT NULL CHECK (char_length(availability) <= 200),
    capacity BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 5),
    active_matches BIGINT NOT NULL DEFAULT 0 CHECK (active_matches >= 0 AND active_matches <= capacity),
    status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
    vog_screened_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX buddies_by_organisation ON buddies(organisation_id, name, id);
CREATE INDEX buddies_by_vog ON buddies(organisation_id, vog_screened_on);

-- What a resident would like from a buddy; one wish per person.
CREATE TABLE buddy_wishes (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('hobby', 'paperwork', 'company')),
    interests TEXT NOT NULL CHECK (char_length(interests) <= 200),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- A match of a resident and a buddy. The buddy may have the resident's own number only
-- while contact_agreed_on is set and not revoked: who recorded it and when is kept.
CREATE TABLE buddy_matches (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    buddy_id BIGINT NOT NULL REFERENCES buddies(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('hobby', 'paperwork', 'company')),
    started_on TEXT NOT NULL,
    ended_on TEXT,
    check_in_weeks BIGINT NOT NULL CHECK (check_in_weeks BETWEEN 1 AND 26),
    contact_agreed_on TEXT,
    contact_agreed_by TEXT,
    contact_revoked_on TEXT,
    contact_revoked_by TEXT,
    -- The coordinator who made the match: the buddy calls them about the resident.
    coordinator_id BIGINT REFERENCES users(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE UNIQUE INDEX buddy_matches_one_open_per_person ON buddy_matches(person_id) WHERE ended_on IS NULL;
CREATE INDEX buddy_matches_by_buddy ON buddy_matches(buddy_id, ended_on);
CREATE INDEX buddy_matches_by_organisation ON buddy_matches(organisation_id, id);

-- A buddy's check-in: how it went and the hours spent.
CREATE TABLE buddy_check_ins (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    match_id BIGINT NOT NULL REFERENCES buddy_matches(id),
    on_date TEXT NOT NULL,
    went TEXT NOT NULL CHECK (went IN ('good', 'okay', 'difficult')),
    hours BIGINT NOT NULL CHECK (hours BETWEEN 0 AND 40),
    note TEXT CHECK (note IS NULL OR char_length(note) <= 500),
    created_at TEXT NOT NULL
);
CREATE INDEX buddy_check_ins_by_match ON buddy_check_ins(match_id, on_date);
