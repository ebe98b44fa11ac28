-- When a handover slips, the key date of an accepted offer is postponed (or brought
-- forward) with a reason; every change is kept, so the offer shows what was agreed when.
CREATE TABLE key_date_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id BIGINT NOT NULL REFERENCES offers(id),
    -- Whose move it was: an offer whose acceptance is cancelled no longer names the person.
    person_id BIGINT NOT NULL REFERENCES persons(id),
    key_date_before TEXT NOT NULL,
    key_date TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (LENGTH(reason) BETWEEN 1 AND 1000),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX key_date_changes_by_offer ON key_date_changes(offer_id, id);
-- The move job reads the accepted offers not yet moved into by key date.
CREATE INDEX offers_awaiting_move ON offers(key_date) WHERE state = 'accepted' AND moved_on IS NULL;
