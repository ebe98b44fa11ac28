-- An organisation's running and ended stays, counted as they change: the lists of all,
-- running and ended stays show their exact totals without counting half a million rows.
-- Kept by triggers in the change's own transaction, so a total read in the same snapshot
-- as a page of rows always agrees with them.
CREATE TABLE stay_counts (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    running INTEGER NOT NULL DEFAULT 0,
    ended INTEGER NOT NULL DEFAULT 0
);
INSERT INTO stay_counts (organisation_id, running, ended)
SELECT organisation_id, SUM(exit_date IS NULL), SUM(exit_date IS NOT NULL)
FROM stays WHERE organisation_id IS NOT NULL GROUP BY organisation_id;
CREATE TRIGGER stay_counts_insert AFTER INSERT ON stays WHEN NEW.organisation_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO stay_counts (organisation_id) VALUES (NEW.organisation_id);
    UPDATE stay_counts SET running = running + (NEW.exit_date IS NULL),
        ended = ended + (NEW.exit_date IS NOT NULL)
    WHERE organisation_id = NEW.organisation_id;
END;
CREATE TRIGGER stay_counts_update AFTER UPDATE OF organisation_id, exit_date ON stays
BEGIN
    UPDATE stay_counts SET running = running - (OLD.exit_date IS NULL),
        ended = ended - (OLD.exit_date IS NOT NULL)
    WHERE organisation_id = OLD.organisation_id;
    INSERT OR IGNORE INTO stay_counts (organisation_id)
    SELECT NEW.organisation_id WHERE NEW.organisation_id IS NOT NULL;
    UPDATE stay_counts SET running = running + (NEW.exit_date IS NULL),
        ended = ended + (NEW.exit_date IS NOT NULL)
    WHERE organisation_id = NEW.organisation_id;
END;
CREATE TRIGGER stay_counts_delete AFTER DELETE ON stays
BEGIN
    UPDATE stay_counts SET running = running - (OLD.exit_date IS NULL),
        ended = ended - (OLD.exit_date IS NOT NULL)
    WHERE organisation_id = OLD.organisation_id;
END;
