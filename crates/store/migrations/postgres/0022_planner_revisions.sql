-- The capacity planner keeps its calibration while the data it rests on is unchanged; new
-- rows show in the tables' highest ids, but a changed date of an existing stay does not.
-- Each such change counts one up here, in the same transaction as the change.
CREATE TABLE data_revisions (
    name TEXT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO data_revisions (name, revision) VALUES ('stay_dates', 0);
CREATE FUNCTION nabij_stay_dates_revised() RETURNS trigger AS $$
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'stay_dates';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stay_dates_revised AFTER UPDATE OF start_date, ready_on, exit_date, destination ON stays
FOR EACH STATEMENT EXECUTE FUNCTION nabij_stay_dates_revised();
