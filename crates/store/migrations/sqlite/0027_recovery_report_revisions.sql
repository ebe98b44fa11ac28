-- The summary report holds the recovery measures too: changes to episodes, intensity, ZRM
-- assessments and persons (their municipality and organisation) count the kept reports'
-- revision up as well (see 0025).
CREATE TRIGGER guidance_episodes_insert_reports AFTER INSERT ON guidance_episodes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER guidance_episodes_update_reports AFTER UPDATE ON guidance_episodes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER guidance_episodes_delete_reports AFTER DELETE ON guidance_episodes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER intensity_changes_insert_reports AFTER INSERT ON intensity_changes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER intensity_changes_update_reports AFTER UPDATE ON intensity_changes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER intensity_changes_delete_reports AFTER DELETE ON intensity_changes
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER zrm_assessments_insert_reports AFTER INSERT ON zrm_assessments
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER zrm_assessments_update_reports AFTER UPDATE ON zrm_assessments
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER zrm_assessments_delete_reports AFTER DELETE ON zrm_assessments
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER persons_insert_reports AFTER INSERT ON persons
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER persons_update_reports AFTER UPDATE ON persons
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
CREATE TRIGGER persons_delete_reports AFTER DELETE ON persons
BEGIN
    UPDATE data_revisions SET revision = revision + 1 WHERE name = 'reports';
END;
