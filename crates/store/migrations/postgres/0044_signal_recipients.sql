-- Every professional a signal went to: all the professionals on the resident's running
-- episode at filing, the lead first (signals.professional_id). Their inboxes, unread counts
-- and the right to acknowledge a signal come from here. Signals filed before this table
-- went to the lead only.
CREATE TABLE signal_recipients (
    signal_id BIGINT NOT NULL REFERENCES signals(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (signal_id, user_id)
);
CREATE INDEX signal_recipients_by_user ON signal_recipients(user_id, signal_id);
INSERT INTO signal_recipients (signal_id, user_id)
    SELECT id, professional_id FROM signals WHERE professional_id IS NOT NULL;
