-- The recovery measures read one period at a time: the assessments of a period by day (with
-- the person and moment, so the range alone answers which persons were assessed and who
-- left with an exit assessment), the episodes that ended in or after the period or still
-- run, the resumptions by start day, and an episode's intensity in force on a day.
CREATE INDEX zrm_assessments_by_day ON zrm_assessments(assessed_on, person_id, moment, id);
CREATE INDEX guidance_episodes_by_end ON guidance_episodes(ended_on, started_on, person_id, id);
CREATE INDEX guidance_episodes_resumed ON guidance_episodes(started_on, person_id) WHERE resumes_episode_id IS NOT NULL;
CREATE INDEX intensity_changes_in_force ON intensity_changes(episode_id, from_date, id, quarter_hours);
DROP INDEX intensity_changes_by_episode;
