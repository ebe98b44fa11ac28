-- The access log's chain is keyed from a chain start entry on (see store/src/audit.rs);
-- keyed_from is that entry's sequence number, set once.
ALTER TABLE access_log_head ADD COLUMN keyed_from INTEGER;

-- The head only moves forward: rolling it back would hide a removed tail.
CREATE TRIGGER access_log_head_no_delete BEFORE DELETE ON access_log_head
BEGIN
    SELECT RAISE(ABORT, 'de kop van het toegangslog blijft staan');
END;

CREATE TRIGGER access_log_head_one_row BEFORE INSERT ON access_log_head
WHEN EXISTS (SELECT 1 FROM access_log_head)
BEGIN
    SELECT RAISE(ABORT, 'het toegangslog heeft één kop');
END;

CREATE TRIGGER access_log_head_forward BEFORE UPDATE ON access_log_head
WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id
    OR (OLD.keyed_from IS NOT NULL AND (NEW.keyed_from IS NULL OR NEW.keyed_from <> OLD.keyed_from))
BEGIN
    SELECT RAISE(ABORT, 'de kop van het toegangslog gaat alleen vooruit');
END;
