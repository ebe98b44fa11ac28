-- An episode's intensity is a series of periods, each from its change's date up to the next
-- change: a change dated before a later change of the same episode would cut into a period
-- already recorded, so the periods would overlap. The database refuses it, whatever path the
-- row comes by; a change on the same day as the latest one replaces that day's intensity. A
-- recorded change keeps its episode and date. The episode row is locked first, so two
-- concurrent changes of one episode are checked one after the other.
CREATE FUNCTION intensity_changes_in_order() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.episode_id <> OLD.episode_id OR NEW.from_date <> OLD.from_date THEN
            RAISE EXCEPTION 'intensiteit: een vastgelegde wijziging houdt haar begeleiding en datum'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    PERFORM 1 FROM guidance_episodes WHERE id = NEW.episode_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM intensity_changes i
               WHERE i.episode_id = NEW.episode_id AND i.from_date > NEW.from_date) THEN
        RAISE EXCEPTION 'intensiteit: er is al een latere wijziging; perioden mogen elkaar niet overlappen'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER intensity_changes_in_order BEFORE INSERT OR UPDATE ON intensity_changes
FOR EACH ROW EXECUTE FUNCTION intensity_changes_in_order();
