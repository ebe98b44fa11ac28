-- The summary report holds the recovery measures too: changes to episodes, intensity, ZRM
-- assessments and persons (their municipality and organisation) count the kept reports'
-- revision up as well (see 0025).
CREATE TRIGGER guidance_episodes_reports AFTER INSERT OR UPDATE OR DELETE ON guidance_episodes
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER intensity_changes_reports AFTER INSERT OR UPDATE OR DELETE ON intensity_changes
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER zrm_assessments_reports AFTER INSERT OR UPDATE OR DELETE ON zrm_assessments
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
CREATE TRIGGER persons_reports AFTER INSERT OR UPDATE OR DELETE ON persons
FOR EACH STATEMENT EXECUTE FUNCTION nabij_reports_revised();
