-- Lists are read a page at a time in the order of (sort key, id), filtered by the conditions
-- that are set. These indexes serve those orders, so a page reads its rows and no others.
CREATE INDEX stays_active_by_end ON stays(planned_end, id) WHERE exit_date IS NULL;
CREATE INDEX stays_by_exit ON stays(exit_date, id);
CREATE INDEX stays_by_start ON stays(start_date, id);
CREATE INDEX stays_active_by_start ON stays(start_date) WHERE exit_date IS NULL;
CREATE INDEX stays_by_person ON stays(person_id, start_date);
CREATE INDEX referrals_by_organisation ON referrals(organisation_id, received_at, id);
CREATE INDEX referrals_open_by_organisation ON referrals(organisation_id, received_at, id) WHERE state = 'received';
CREATE INDEX referrals_by_referrer_time ON referrals(referred_by_organisation_id, received_at, id);
CREATE INDEX persons_by_organisation_newest ON persons(organisation_id, id);
CREATE INDEX access_log_by_organisation ON access_log(organisation_id, seq);
CREATE INDEX access_log_by_person_seq ON access_log(person_id, seq);
CREATE INDEX access_log_by_user_seq ON access_log(user_id, seq);
CREATE INDEX users_by_organisation ON users(organisation_id, username, id);
