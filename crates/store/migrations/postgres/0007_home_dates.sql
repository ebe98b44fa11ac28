-- A home is open from opened_on up to (not including) closed_on; a place counts from
-- opened_on up to (not including) retired_on. These dates bound capacity everywhere:
-- placement, the dashboard, occupancy, the reports and the planner's calibration.
-- Existing homes and places open on the date their home was created.
ALTER TABLE homes ADD COLUMN opened_on TEXT NOT NULL DEFAULT '1900-01-01';
ALTER TABLE homes ADD COLUMN closed_on TEXT CHECK (closed_on IS NULL OR closed_on > opened_on);
UPDATE homes SET opened_on = SUBSTR(created_at, 1, 10);

ALTER TABLE places ADD COLUMN opened_on TEXT NOT NULL DEFAULT '1900-01-01';
ALTER TABLE places ADD COLUMN retired_on TEXT CHECK (retired_on IS NULL OR retired_on > opened_on);
UPDATE places SET opened_on = (SELECT h.opened_on FROM homes h WHERE h.id = places.home_id);

CREATE INDEX homes_by_organisation ON homes(organisation_id, id);
CREATE INDEX places_by_home ON places(home_id, opened_on);
