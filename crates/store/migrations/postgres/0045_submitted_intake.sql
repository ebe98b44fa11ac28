-- A partner's referral filed on a known file keeps what the partner submitted, and the
-- consent recorded with it, until a coordinator decides: confirming the link drops the
-- submission; rejecting it opens a new file from it and moves that consent there. Until
-- then the partner sees the name it submitted, never the known file's.
ALTER TABLE referrals ADD COLUMN submitted_intake TEXT;
ALTER TABLE referrals ADD COLUMN submitted_consent_id BIGINT REFERENCES consents(id);
