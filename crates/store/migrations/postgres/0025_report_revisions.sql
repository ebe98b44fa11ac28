-- A computed report is kept while the data it rests on is unchanged. Every insert, change
-- or removal of a row a report reads counts one up here, in the change's own transaction,
-- so a kept report is never older than the data: the next report after any change is
-- computed afresh. The measures of signals and buddies are part of the summary, so their
-- tables count too.
INSERT INTO data_revisions (name, revision) VALUES ('reports', 0);
CREATE FUNCTION nabij_reports_revised() RETURNS trigger AS $$
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stays_reports AFTER INSERT OR UPDATE OR DELETE ON stays
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER stay_places_reports AFTER INSERT OR UPDATE OR DELETE ON stay_places
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER stay_extensions_reports AFTER INSERT OR UPDATE OR DELETE ON stay_extensions
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER places_reports AFTER INSERT OR UPDATE OR DELETE ON places
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER homes_reports AFTER INSERT OR UPDATE OR DELETE ON homes
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER place_blocks_reports AFTER INSERT OR UPDATE OR DELETE ON place_blocks
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER no_place_events_reports AFTER INSERT OR UPDATE OR DELETE ON no_place_events
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER referrals_reports AFTER INSERT OR UPDATE OR DELETE ON referrals
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER neighbourhoods_reports AFTER INSERT OR UPDATE OR DELETE ON neighbourhoods
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER municipalities_reports AFTER INSERT OR UPDATE OR DELETE ON municipalities
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
-- Signals once per statement that changed rows: the escalation job's pass usually changes
-- none, and a statement that changes nothing leaves the kept reports alone.
CREATE FUNCTION nabij_reports_revised_if_changed() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER signals_insert_reports AFTER INSERT ON signals
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised_if_changed();
CREATE TRIGGER signals_update_reports AFTER UPDATE ON signals
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised_if_changed();
CREATE TRIGGER signals_delete_reports AFTER DELETE ON signals
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised_if_changed();
CREATE TRIGGER buddy_matches_reports AFTER INSERT OR UPDATE OR DELETE ON buddy_matches
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER buddy_check_ins_reports AFTER INSERT OR UPDATE OR DELETE ON buddy_check_ins
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
