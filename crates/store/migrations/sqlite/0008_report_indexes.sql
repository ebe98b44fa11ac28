-- The reports read one period at a time: extensions by decision time, no-place events by
-- when they occurred and blocks by their first day. Placements by start date and returns
-- by person and start date use stays_by_start and stays_by_person (0009); exits by date
-- use stays_by_exit (0009).
CREATE INDEX extensions_by_decided_at ON stay_extensions(decided_at);
CREATE INDEX no_place_events_by_time ON no_place_events(occurred_at);
CREATE INDEX place_blocks_by_from ON place_blocks(from_date);
