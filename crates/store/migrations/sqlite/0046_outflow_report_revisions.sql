-- The summary report holds the outflow measures too: changes to offers and their answers,
-- quotas, lease flips and their events, and the municipalities a partner covers count the
-- kept reports' revision up as well (see 0025).
CREATE TRIGGER offers_insert_reports AFTER INSERT ON offers
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER offers_update_reports AFTER UPDATE ON offers
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER offers_delete_reports AFTER DELETE ON offers
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER offer_answers_insert_reports AFTER INSERT ON offer_answers
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER offer_answers_update_reports AFTER UPDATE ON offer_answers
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER offer_answers_delete_reports AFTER DELETE ON offer_answers
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER flips_insert_reports AFTER INSERT ON flips
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER flips_update_reports AFTER UPDATE ON flips
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER flips_delete_reports AFTER DELETE ON flips
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER flip_events_insert_reports AFTER INSERT ON flip_events
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER flip_events_update_reports AFTER UPDATE ON flip_events
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER flip_events_delete_reports AFTER DELETE ON flip_events
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER quotas_insert_reports AFTER INSERT ON quotas
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER quotas_update_reports AFTER UPDATE ON quotas
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER quotas_delete_reports AFTER DELETE ON quotas
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER partner_municipalities_insert_reports AFTER INSERT ON partner_municipalities
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER partner_municipalities_update_reports AFTER UPDATE ON partner_municipalities
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER partner_municipalities_delete_reports AFTER DELETE ON partner_municipalities
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
