-- An organisation's persons, counted as they change: the person list shows its exact total
-- without counting a hundred thousand rows. Kept by triggers in the change's own
-- transaction, so a total read in the same snapshot as a page of rows always agrees.
CREATE TABLE person_counts (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    n INTEGER NOT NULL DEFAULT 0
);
INSERT INTO person_counts (organisation_id, n)
SELECT organisation_id, COUNT(*) FROM persons GROUP BY organisation_id;
CREATE TRIGGER person_counts_insert AFTER INSERT ON persons
BEGIN
    INSERT OR IGNORE INTO person_counts (organisation_id) VALUES (NEW.organisation_id);
    UPDATE person_counts SET n = n + 1 WHERE organisation_id = NEW.organisation_id;
END;
CREATE TRIGGER person_counts_update AFTER UPDATE OF organisation_id ON persons
WHEN OLD.organisation_id IS NOT NEW.organisation_id
BEGIN
    UPDATE person_counts SET n = n - 1 WHERE organisation_id = OLD.organisation_id;
    INSERT OR IGNORE INTO person_counts (organisation_id) VALUES (NEW.organisation_id);
    UPDATE person_counts SET n = n + 1 WHERE organisation_id = NEW.organisation_id;
END;
CREATE TRIGGER person_counts_delete AFTER DELETE ON persons
BEGIN
    UPDATE person_counts SET n = n - 1 WHERE organisation_id = OLD.organisation_id;
END;
