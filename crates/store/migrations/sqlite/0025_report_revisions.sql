-- A computed report is kept while the data it rests on is unchanged. Every insert, change
-- or removal of a row a report reads counts one up here, in the change's own transaction,
-- so a kept report is never older than the data: the next report after any change is
-- computed afresh. The measures of signals and buddies are part of the summary, so their
-- tables count too.
INSERT INTO data_revisions (name, revision) VALUES ('reports', 0);
CREATE TRIGGER stays_insert_reports AFTER INSERT ON stays
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stays_update_reports AFTER UPDATE ON stays
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stays_delete_reports AFTER DELETE ON stays
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stay_places_insert_reports AFTER INSERT ON stay_places
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stay_places_update_reports AFTER UPDATE ON stay_places
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stay_places_delete_reports AFTER DELETE ON stay_places
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stay_extensions_insert_reports AFTER INSERT ON stay_extensions
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stay_extensions_update_reports AFTER UPDATE ON stay_extensions
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER stay_extensions_delete_reports AFTER DELETE ON stay_extensions
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER places_insert_reports AFTER INSERT ON places
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER places_update_reports AFTER UPDATE ON places
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER places_delete_reports AFTER DELETE ON places
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER homes_insert_reports AFTER INSERT ON homes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER homes_update_reports AFTER UPDATE ON homes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER homes_delete_reports AFTER DELETE ON homes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER place_blocks_insert_reports AFTER INSERT ON place_blocks
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER place_blocks_update_reports AFTER UPDATE ON place_blocks
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER place_blocks_delete_reports AFTER DELETE ON place_blocks
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER no_place_events_insert_reports AFTER INSERT ON no_place_events
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER no_place_events_update_reports AFTER UPDATE ON no_place_events
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER no_place_events_delete_reports AFTER DELETE ON no_place_events
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER referrals_insert_reports AFTER INSERT ON referrals
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER referrals_update_reports AFTER UPDATE ON referrals
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER referrals_delete_reports AFTER DELETE ON referrals
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER neighbourhoods_insert_reports AFTER INSERT ON neighbourhoods
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER neighbourhoods_update_reports AFTER UPDATE ON neighbourhoods
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER neighbourhoods_delete_reports AFTER DELETE ON neighbourhoods
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER municipalities_insert_reports AFTER INSERT ON municipalities
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER municipalities_update_reports AFTER UPDATE ON municipalities
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER municipalities_delete_reports AFTER DELETE ON municipalities
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER signals_insert_reports AFTER INSERT ON signals
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER signals_update_reports AFTER UPDATE ON signals
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER signals_delete_reports AFTER DELETE ON signals
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER buddy_matches_insert_reports AFTER INSERT ON buddy_matches
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER buddy_matches_update_reports AFTER UPDATE ON buddy_matches
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER buddy_matches_delete_reports AFTER DELETE ON buddy_matches
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER buddy_check_ins_insert_reports AFTER INSERT ON buddy_check_ins
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER buddy_check_ins_update_reports AFTER UPDATE ON buddy_check_ins
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER buddy_check_ins_delete_reports AFTER DELETE ON buddy_check_ins
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
