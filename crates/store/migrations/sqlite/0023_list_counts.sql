-- Lists and the dashboard count exactly at national scale, through indexes only.
--
-- A stay carries its person's organisation, so the stays of an organisation are counted
-- and paged in one index range, instead of looking up the person of each of half a million
-- stays. Set by a trigger from the person on every insert (placements, the bulk load), so
-- no writer can forget it; a person's organisation never changes.
ALTER TABLE stays ADD COLUMN organisation_id INTEGER REFERENCES organisations(id);
UPDATE stays SET organisation_id = (SELECT p.organisation_id FROM persons p WHERE p.id = stays.person_id);
CREATE TRIGGER stays_organisation AFTER INSERT ON stays WHEN NEW.organisation_id IS NULL
BEGIN
    UPDATE stays SET organisation_id = (SELECT p.organisation_id FROM persons p WHERE p.id = NEW.person_id)
    WHERE id = NEW.id;
END;
-- Each list's order and count within one organisation. The running ones lead with
-- exit_date (always NULL in them), so the planner sees two equalities and takes them over
-- the index of all stays: running stays by planned end (overdue is a range of it), ready
-- ones waiting for housing, and the milestones' start-date edges with their done dates.
CREATE INDEX stays_org_active_by_end ON stays(organisation_id, exit_date, planned_end, id) WHERE exit_date IS NULL;
CREATE INDEX stays_org_waiting ON stays(organisation_id, exit_date, ready_on, planned_end, id) WHERE exit_date IS NULL AND ready_on IS NOT NULL;
CREATE INDEX stays_org_milestones ON stays(organisation_id, exit_date, start_date, plan_done_on, evaluation_done_on, exit_preparation_done_on) WHERE exit_date IS NULL;
CREATE INDEX stays_org_ended ON stays(organisation_id, exit_date, id) WHERE exit_date IS NOT NULL;
CREATE INDEX stays_org_by_start ON stays(organisation_id, start_date, id);
-- A home's place-nights read the stays of its places over a window.
CREATE INDEX stay_places_by_place ON stay_places(place_id, released_on);
-- The planner's calibration counts an organisation's referrals per person in index order,
-- then adds them up per municipality: a third of the time of a lookup per referral.
CREATE INDEX referrals_by_organisation_person ON referrals(organisation_id, person_id);
