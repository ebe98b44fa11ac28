-- The longest text each free-text column takes (characters), as in nabij_domain::limits.
-- Only new writes are checked: a row stored before keeps its text, stays readable, and
-- stays usable (an update of another column is not refused). The message names the column
-- and is turned into a Dutch error by the store.

CREATE TRIGGER organisations_name_length_insert BEFORE INSERT ON organisations
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:organisations.name');
END;
CREATE TRIGGER organisations_name_length_update BEFORE UPDATE OF name ON organisations
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:organisations.name');
END;
CREATE TRIGGER users_username_length_insert BEFORE INSERT ON users
WHEN length(NEW.username) > 40
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.username');
END;
CREATE TRIGGER users_username_length_update BEFORE UPDATE OF username ON users
WHEN length(NEW.username) > 40
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.username');
END;
CREATE TRIGGER users_display_name_length_insert BEFORE INSERT ON users
WHEN length(NEW.display_name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.display_name');
END;
CREATE TRIGGER users_display_name_length_update BEFORE UPDATE OF display_name ON users
WHEN length(NEW.display_name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.display_name');
END;
CREATE TRIGGER users_phone_length_insert BEFORE INSERT ON users
WHEN length(NEW.phone) > 20
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.phone');
END;
CREATE TRIGGER users_phone_length_update BEFORE UPDATE OF phone ON users
WHEN length(NEW.phone) > 20
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:users.phone');
END;
CREATE TRIGGER api_tokens_name_length_insert BEFORE INSERT ON api_tokens
WHEN length(NEW.name) > 80
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:api_tokens.name');
END;
CREATE TRIGGER api_tokens_name_length_update BEFORE UPDATE OF name ON api_tokens
WHEN length(NEW.name) > 80
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:api_tokens.name');
END;
CREATE TRIGGER regions_name_length_insert BEFORE INSERT ON regions
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:regions.name');
END;
CREATE TRIGGER regions_name_length_update BEFORE UPDATE OF name ON regions
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:regions.name');
END;
CREATE TRIGGER municipalities_name_length_insert BEFORE INSERT ON municipalities
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:municipalities.name');
END;
CREATE TRIGGER municipalities_name_length_update BEFORE UPDATE OF name ON municipalities
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:municipalities.name');
END;
CREATE TRIGGER municipalities_code_length_insert BEFORE INSERT ON municipalities
WHEN length(NEW.code) > 16
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:municipalities.code');
END;
CREATE TRIGGER municipalities_code_length_update BEFORE UPDATE OF code ON municipalities
WHEN length(NEW.code) > 16
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:municipalities.code');
END;
CREATE TRIGGER neighbourhoods_name_length_insert BEFORE INSERT ON neighbourhoods
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:neighbourhoods.name');
END;
CREATE TRIGGER neighbourhoods_name_length_update BEFORE UPDATE OF name ON neighbourhoods
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:neighbourhoods.name');
END;
CREATE TRIGGER neighbourhoods_code_length_insert BEFORE INSERT ON neighbourhoods
WHEN length(NEW.code) > 16
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:neighbourhoods.code');
END;
CREATE TRIGGER neighbourhoods_code_length_update BEFORE UPDATE OF code ON neighbourhoods
WHEN length(NEW.code) > 16
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:neighbourhoods.code');
END;
CREATE TRIGGER homes_name_length_insert BEFORE INSERT ON homes
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:homes.name');
END;
CREATE TRIGGER homes_name_length_update BEFORE UPDATE OF name ON homes
WHEN length(NEW.name) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:homes.name');
END;
CREATE TRIGGER homes_address_length_insert BEFORE INSERT ON homes
WHEN length(NEW.address) > 200
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:homes.address');
END;
CREATE TRIGGER homes_address_length_update BEFORE UPDATE OF address ON homes
WHEN length(NEW.address) > 200
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:homes.address');
END;
CREATE TRIGGER homes_landlord_length_insert BEFORE INSERT ON homes
WHEN length(NEW.landlord) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:homes.landlord');
END;
CREATE TRIGGER homes_landlord_length_update BEFORE UPDATE OF landlord ON homes
WHEN length(NEW.landlord) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:homes.landlord');
END;
CREATE TRIGGER places_label_length_insert BEFORE INSERT ON places
WHEN length(NEW.label) > 60
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:places.label');
END;
CREATE TRIGGER places_label_length_update BEFORE UPDATE OF label ON places
WHEN length(NEW.label) > 60
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:places.label');
END;
CREATE TRIGGER place_blocks_reason_length_insert BEFORE INSERT ON place_blocks
WHEN length(NEW.reason) > 500
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:place_blocks.reason');
END;
CREATE TRIGGER place_blocks_reason_length_update BEFORE UPDATE OF reason ON place_blocks
WHEN length(NEW.reason) > 500
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:place_blocks.reason');
END;
CREATE TRIGGER persons_first_name_length_insert BEFORE INSERT ON persons
WHEN length(NEW.first_name) > 100
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:persons.first_name');
END;
CREATE TRIGGER persons_first_name_length_update BEFORE UPDATE OF first_name ON persons
WHEN length(NEW.first_name) > 100
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:persons.first_name');
END;
CREATE TRIGGER persons_last_name_length_insert BEFORE INSERT ON persons
WHEN length(NEW.last_name) > 100
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:persons.last_name');
END;
CREATE TRIGGER persons_last_name_length_update BEFORE UPDATE OF last_name ON persons
WHEN length(NEW.last_name) > 100
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:persons.last_name');
END;
CREATE TRIGGER persons_phone_length_insert BEFORE INSERT ON persons
WHEN length(NEW.phone) > 20
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:persons.phone');
END;
CREATE TRIGGER persons_phone_length_update BEFORE UPDATE OF phone ON persons
WHEN length(NEW.phone) > 20
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:persons.phone');
END;
CREATE TRIGGER referrals_situation_length_insert BEFORE INSERT ON referrals
WHEN length(NEW.situation) > 2000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:referrals.situation');
END;
CREATE TRIGGER referrals_situation_length_update BEFORE UPDATE OF situation ON referrals
WHEN length(NEW.situation) > 2000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:referrals.situation');
END;
CREATE TRIGGER referrals_close_reason_length_insert BEFORE INSERT ON referrals
WHEN length(NEW.close_reason) > 1000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:referrals.close_reason');
END;
CREATE TRIGGER referrals_close_reason_length_update BEFORE UPDATE OF close_reason ON referrals
WHEN length(NEW.close_reason) > 1000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:referrals.close_reason');
END;
CREATE TRIGGER stays_exit_reason_length_insert BEFORE INSERT ON stays
WHEN length(NEW.exit_reason) > 1000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:stays.exit_reason');
END;
CREATE TRIGGER stays_exit_reason_length_update BEFORE UPDATE OF exit_reason ON stays
WHEN length(NEW.exit_reason) > 1000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:stays.exit_reason');
END;
CREATE TRIGGER stay_extensions_decided_by_length_insert BEFORE INSERT ON stay_extensions
WHEN length(NEW.decided_by) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:stay_extensions.decided_by');
END;
CREATE TRIGGER stay_extensions_decided_by_length_update BEFORE UPDATE OF decided_by ON stay_extensions
WHEN length(NEW.decided_by) > 120
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:stay_extensions.decided_by');
END;
CREATE TRIGGER stay_extensions_reason_length_insert BEFORE INSERT ON stay_extensions
WHEN length(NEW.reason) > 1000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:stay_extensions.reason');
END;
CREATE TRIGGER stay_extensions_reason_length_update BEFORE UPDATE OF reason ON stay_extensions
WHEN length(NEW.reason) > 1000
BEGIN
    SELECT RAISE(ABORT, 'nabij:te_lang:stay_extensions.reason');
END;
