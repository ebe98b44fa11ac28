-- The chain and outflow (domain.md §6): partner kinds and the municipalities they cover,
-- quotas and housing offers with their answers, referral links to a known file, and the
-- omklapwoning lease flip with every step recorded.

ALTER TABLE organisations ADD COLUMN partner_kind TEXT
    CHECK (partner_kind IS NULL OR partner_kind IN ('gemeente', 'sociaal_team', 'woningcorporatie', 'zorgaanbieder', 'overig'));

CREATE TABLE partner_municipalities (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    PRIMARY KEY (organisation_id, municipality_id)
);
CREATE INDEX partner_municipalities_by_municipality ON partner_municipalities(municipality_id);

-- A partner's referral that matched a known person (BSN, or name and date of birth) is
-- filed on that person; a coordinator confirms the link.
ALTER TABLE referrals ADD COLUMN link_to_confirm BIGINT NOT NULL DEFAULT 0 CHECK (link_to_confirm IN (0, 1));

-- Uitstroomcontingent: corporation × municipality × year.
CREATE TABLE quotas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES organisations(id),
    corporation_id BIGINT NOT NULL REFERENCES organisations(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    year BIGINT NOT NULL CHECK (year BETWEEN 1900 AND 2199),
    total BIGINT NOT NULL CHECK (total BETWEEN 0 AND 10000),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (corporation_id, municipality_id, year)
);
CREATE INDEX quotas_by_provider ON quotas(provider_id, year, municipality_id);

-- A housing offer. It holds a unit of its quota while open or proposed (holds_unit = 1);
-- a decline gives the unit back and returns the offer to matching; an acceptance uses a
-- unit of the quota of the key date's year (used_quota_id).
CREATE TABLE offers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES organisations(id),
    corporation_id BIGINT NOT NULL REFERENCES organisations(id),
    quota_id BIGINT NOT NULL REFERENCES quotas(id),
    address TEXT NOT NULL CHECK (LENGTH(address) BETWEEN 1 AND 200),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    neighbourhood_id BIGINT REFERENCES neighbourhoods(id),
    rooms BIGINT NOT NULL CHECK (rooms BETWEEN 1 AND 12),
    rent_euros BIGINT NOT NULL CHECK (rent_euros BETWEEN 0 AND 10000),
    accessible BIGINT NOT NULL DEFAULT 0 CHECK (accessible IN (0, 1)),
    available_from TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'proposed', 'accepted', 'withdrawn')),
    holds_unit BIGINT NOT NULL CHECK (holds_unit IN (0, 1)),
    person_id BIGINT REFERENCES persons(id),
    stay_id BIGINT REFERENCES stays(id),
    proposed_on TEXT,
    key_date TEXT,
    used_quota_id BIGINT REFERENCES quotas(id),
    moved_on TEXT,
    withdraw_reason TEXT CHECK (withdraw_reason IS NULL OR LENGTH(withdraw_reason) <= 1000),
    registered_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((state IN ('proposed', 'accepted')) = (person_id IS NOT NULL)),
    CHECK ((state = 'accepted') = (key_date IS NOT NULL)),
    CHECK ((state = 'accepted') = (used_quota_id IS NOT NULL)),
    CHECK (state IN ('open', 'proposed') OR holds_unit = 0)
);
CREATE INDEX offers_by_quota ON offers(quota_id, holds_unit);
CREATE INDEX offers_by_used_quota ON offers(used_quota_id);
CREATE INDEX offers_by_provider ON offers(provider_id, state, id);
CREATE INDEX offers_by_corporation ON offers(corporation_id, id);
CREATE INDEX offers_by_municipality ON offers(municipality_id, available_from);
-- A person has at most one offer proposed at a time.
CREATE UNIQUE INDEX one_proposed_offer_per_person ON offers(person_id) WHERE state = 'proposed';

CREATE TABLE offer_answers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id BIGINT NOT NULL REFERENCES offers(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    answer TEXT NOT NULL CHECK (answer IN ('accepted', 'declined')),
    reason TEXT NOT NULL CHECK (LENGTH(reason) <= 1000),
    answered_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX offer_answers_by_offer ON offer_answers(offer_id, id);
CREATE INDEX offer_answers_by_date ON offer_answers(answered_on);

-- An omklapwoning's lease flip: requested → in_use → flip_review → flipped (or back to in_use).
CREATE TABLE flips (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES organisations(id),
    corporation_id BIGINT NOT NULL REFERENCES organisations(id),
    home_id BIGINT NOT NULL UNIQUE REFERENCES homes(id),
    state TEXT NOT NULL CHECK (state IN ('requested', 'in_use', 'flip_review', 'flipped')),
    requested_on TEXT NOT NULL,
    resident_person_id BIGINT REFERENCES persons(id),
    stay_id BIGINT REFERENCES stays(id),
    usage_from TEXT,
    review_started_on TEXT,
    reviews_failed BIGINT NOT NULL DEFAULT 0,
    flipped_on TEXT,
    replaces_flip_id BIGINT REFERENCES flips(id),
    created_at TEXT NOT NULL,
    CHECK ((state = 'requested') = (resident_person_id IS NULL)),
    CHECK ((state = 'flipped') = (flipped_on IS NOT NULL))
);
CREATE INDEX flips_by_provider ON flips(provider_id, id);
CREATE INDEX flips_by_corporation ON flips(corporation_id, id);
CREATE INDEX flips_by_flipped_on ON flips(flipped_on);

-- Every step of a flip, with date and by whom; criteria of the current review included.
CREATE TABLE flip_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    flip_id BIGINT NOT NULL REFERENCES flips(id),
    what TEXT NOT NULL CHECK (what IN ('requested', 'in_use', 'flip_review', 'criterion', 'review_failed', 'flipped')),
    criterion TEXT CHECK (criterion IS NULL OR criterion IN ('rent_paid', 'no_nuisance', 'goals_met', 'corporation_agrees')),
    met BIGINT CHECK (met IS NULL OR met IN (0, 1)),
    note TEXT NOT NULL CHECK (LENGTH(note) <= 1000),
    on_date TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX flip_events_by_flip ON flip_events(flip_id, id);
