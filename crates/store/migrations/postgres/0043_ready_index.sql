-- The people ready to move on, ranked for a housing offer, are read from the waiting stays'
-- index alone: with the person's id in it, no stay row is visited.
DROP INDEX stays_org_waiting;
CREATE INDEX stays_org_waiting ON stays(organisation_id, exit_date, ready_on, planned_end, id, person_id) WHERE exit_date IS NULL AND ready_on IS NOT NULL;
