-- The summary report holds the outflow measures too: changes to offers and their answers,
-- quotas, lease flips and their events, and the municipalities a partner covers count the
-- kept reports' revision up as well (see 0025).
CREATE TRIGGER offers_reports AFTER INSERT OR UPDATE OR DELETE ON offers
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER offer_answers_reports AFTER INSERT OR UPDATE OR DELETE ON offer_answers
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER flips_reports AFTER INSERT OR UPDATE OR DELETE ON flips
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER flip_events_reports AFTER INSERT OR UPDATE OR DELETE ON flip_events
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER quotas_reports AFTER INSERT OR UPDATE OR DELETE ON quotas
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER partner_municipalities_reports AFTER INSERT OR UPDATE OR DELETE ON partner_municipalities
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
