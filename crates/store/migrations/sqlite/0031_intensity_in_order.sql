-- An episode's intensity is a series of periods, each from its change's date up to the next
-- change: a change dated before a later change of the same episode would cut into a period
-- already recorded, so the periods would overlap. The database refuses it, whatever path the
-- row comes by; a change on the same day as the latest one replaces that day's intensity. A
-- recorded change keeps its episode and date.
CREATE TRIGGER intensity_changes_in_order BEFORE INSERT ON intensity_changes
WHEN EXISTS (SELECT 1 FROM intensity_changes i WHERE i.episode_id = NEW.episode_id AND i.from_date > NEW.from_date)
BEGIN
    SELECT RAISE(ABORT, 'intensiteit: er is al een latere wijziging; perioden mogen elkaar niet overlappen');
END;
CREATE TRIGGER intensity_changes_fixed BEFORE UPDATE OF episode_id, from_date ON intensity_changes
WHEN NEW.episode_id <> OLD.episode_id OR NEW.from_date <> OLD.from_date
BEGIN
    SELECT RAISE(ABORT, 'intensiteit: een vastgelegde wijziging houdt haar begeleiding en datum');
END;
