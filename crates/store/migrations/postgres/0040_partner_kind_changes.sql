-- Every change of a partner organisation's kind and covered municipalities: what it became,
-- by whom and when (the access log is about persons; this is about organisations).
CREATE TABLE partner_kind_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    partner_kind TEXT NOT NULL CHECK (partner_kind IN ('gemeente', 'sociaal_team', 'woningcorporatie', 'zorgaanbieder', 'overig')),
    -- The covered municipalities by name, comma-separated, as they were at the change.
    municipalities TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX partner_kind_changes_by_organisation ON partner_kind_changes(organisation_id, id);
