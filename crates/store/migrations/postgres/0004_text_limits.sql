-- The longest text each free-text column takes (characters), as in nabij_domain::limits.
-- Only new writes are checked: a row stored before keeps its text, stays readable, and
-- stays usable (an update of another column is not refused). The message names the column
-- and is turned into a Dutch error by the store.
-- A trigger, not a CHECK ... NOT VALID constraint: PostgreSQL checks a constraint on every
-- update of a row, so an old over-long name would block e.g. a password change.

CREATE FUNCTION nabij_text_limit() RETURNS trigger AS $$
BEGIN
    -- TG_ARGV: the column, its limit.
    IF char_length(to_jsonb(NEW) ->> TG_ARGV[0]) > TG_ARGV[1]::integer THEN
        RAISE EXCEPTION 'nabij:te_lang:%.%', TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER organisations_name_length BEFORE INSERT OR UPDATE OF name ON organisations
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('name', '120');
CREATE TRIGGER users_username_length BEFORE INSERT OR UPDATE OF username ON users
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('username', '40');
CREATE TRIGGER users_display_name_length BEFORE INSERT OR UPDATE OF display_name ON users
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('display_name', '120');
CREATE TRIGGER users_phone_length BEFORE INSERT OR UPDATE OF phone ON users
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('phone', '20');
CREATE TRIGGER api_tokens_name_length BEFORE INSERT OR UPDATE OF name ON api_tokens
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('name', '80');
CREATE TRIGGER regions_name_length BEFORE INSERT OR UPDATE OF name ON regions
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('name', '120');
CREATE TRIGGER municipalities_name_length BEFORE INSERT OR UPDATE OF name ON municipalities
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('name', '120');
CREATE TRIGGER municipalities_code_length BEFORE INSERT OR UPDATE OF code ON municipalities
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('code', '16');
CREATE TRIGGER neighbourhoods_name_length BEFORE INSERT OR UPDATE OF name ON neighbourhoods
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('name', '120');
CREATE TRIGGER neighbourhoods_code_length BEFORE INSERT OR UPDATE OF code ON neighbourhoods
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('code', '16');
CREATE TRIGGER homes_name_length BEFORE INSERT OR UPDATE OF name ON homes
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('name', '120');
CREATE TRIGGER homes_address_length BEFORE INSERT OR UPDATE OF address ON homes
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('address', '200');
CREATE TRIGGER homes_landlord_length BEFORE INSERT OR UPDATE OF landlord ON homes
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('landlord', '120');
CREATE TRIGGER places_label_length BEFORE INSERT OR UPDATE OF label ON places
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('label', '60');
CREATE TRIGGER place_blocks_reason_length BEFORE INSERT OR UPDATE OF reason ON place_blocks
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('reason', '500');
CREATE TRIGGER persons_first_name_length BEFORE INSERT OR UPDATE OF first_name ON persons
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('first_name', '100');
CREATE TRIGGER persons_last_name_length BEFORE INSERT OR UPDATE OF last_name ON persons
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('last_name', '100');
CREATE TRIGGER persons_phone_length BEFORE INSERT OR UPDATE OF phone ON persons
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('phone', '20');
CREATE TRIGGER referrals_situation_length BEFORE INSERT OR UPDATE OF situation ON referrals
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('situation', '2000');
CREATE TRIGGER referrals_close_reason_length BEFORE INSERT OR UPDATE OF close_reason ON referrals
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('close_reason', '1000');
CREATE TRIGGER stays_exit_reason_length BEFORE INSERT OR UPDATE OF exit_reason ON stays
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('exit_reason', '1000');
CREATE TRIGGER stay_extensions_decided_by_length BEFORE INSERT OR UPDATE OF decided_by ON stay_extensions
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('decided_by', '120');
CREATE TRIGGER stay_extensions_reason_length BEFORE INSERT OR UPDATE OF reason ON stay_extensions
FOR EACH ROW EXECUTE FUNCTION nabij_text_limit('reason', '1000');
