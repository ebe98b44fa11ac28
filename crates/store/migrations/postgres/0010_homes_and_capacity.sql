-- Who changed a home or its places, and when: opening, editing, adding and retiring
-- places, closing and undoing a closing, blocking and unblocking. Homes hold no person's
-- data, so these changes are kept here rather than in the access log.
CREATE TABLE home_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id BIGINT NOT NULL REFERENCES homes(id),
    place_id BIGINT REFERENCES places(id),
    what TEXT NOT NULL,
    effective_on TEXT,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX home_changes_by_home ON home_changes(home_id, id);

-- The home list pages by name within an organisation.
CREATE INDEX homes_by_organisation_name ON homes(organisation_id, name, id);
-- The capacity planner's calibration groups by these (stays by person: stays_by_person, 0009).
CREATE INDEX capacity_referrals ON referrals(organisation_id, received_at, person_id);
CREATE INDEX capacity_persons ON persons(organisation_id, own_municipality_id, id);
