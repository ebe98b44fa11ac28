-- The reports read one period at a time: placements by start date, returns by person and
-- start date, extensions by decision time and no-place events by when they occurred.
-- (Exits by date use stays_active.)
CREATE INDEX stays_by_start ON stays(start_date);
CREATE INDEX stays_by_person_start ON stays(person_id, start_date);
CREATE INDEX extensions_by_decided_at ON stay_extensions(decided_at);
CREATE INDEX no_place_events_by_time ON no_place_events(occurred_at);
CREATE INDEX place_blocks_by_from ON place_blocks(from_date);
