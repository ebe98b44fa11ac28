-- The capacity planner keeps its calibration while the data it rests on is unchanged; new
-- rows show in the tables' highest ids, but a changed date of an existing stay does not.
-- Each such change counts one up here, in the same transaction as the change.
CREATE TABLE data_revisions (
    name TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
);
INSERT INTO data_revisions (name, revision) VALUES ('stay_dates', 0);
CREATE TRIGGER stay_dates_revised AFTER UPDATE OF start_date, ready_on, exit_date, destination ON stays
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'stay_dates';
END;
