-- The access log's chain is keyed from a chain start entry on (see store/src/audit.rs);
-- keyed_from is that entry's sequence number, set once.
ALTER TABLE access_log_head ADD COLUMN keyed_from BIGINT;

-- The head only moves forward: rolling it back would hide a removed tail.
CREATE FUNCTION access_log_head_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'de kop van het toegangslog blijft staan';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM access_log_head) THEN
            RAISE EXCEPTION 'het toegangslog heeft één kop';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.seq < OLD.seq OR NEW.id <> OLD.id
        OR (OLD.keyed_from IS NOT NULL AND NEW.keyed_from IS DISTINCT FROM OLD.keyed_from) THEN
        RAISE EXCEPTION 'de kop van het toegangslog gaat alleen vooruit';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_log_head_forward BEFORE INSERT OR UPDATE OR DELETE ON access_log_head
FOR EACH ROW EXECUTE FUNCTION access_log_head_forward();

-- TRUNCATE skips row triggers: refuse it on the log and its head.
CREATE FUNCTION access_log_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'het toegangslog is alleen aan te vullen, niet te legen';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate();
CREATE TRIGGER access_log_head_no_truncate BEFORE TRUNCATE ON access_log_head
FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate();
