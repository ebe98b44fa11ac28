-- The reports read one period at a time through these indexes alone: each holds every
-- column its query reads, so a period's rows are one range of one index and the table
-- rows are never visited. Placements by start date, exits (and the stays holding places)
-- by exit date, later stays of a person by start date, and the places a stay held.
CREATE INDEX stays_report_by_start ON stays(start_date, home_id, referral_id, placed_at, proximity, distance_km);
CREATE INDEX stays_report_by_exit ON stays(exit_date, start_date, home_id, person_id, ready_on, destination, id);
CREATE INDEX stays_report_by_person ON stays(person_id, start_date, home_id);
CREATE INDEX stay_places_report ON stay_places(stay_id, place_id, released_on);
CREATE INDEX referrals_report_received ON referrals(id, received_at, organisation_id);
