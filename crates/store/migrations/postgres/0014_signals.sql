-- Signals (signaleringen): a concern about a resident or a house, filed by a main
-- resident, a buddy or a professional. It is routed to the resident's professional at
-- filing (professional_id), or to the organisation's coordinators (NULL). It escalates to
-- the coordinators once when due_at passes unacknowledged; escalated_at says when.
CREATE TABLE signals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    home_id BIGINT REFERENCES homes(id),
    -- NULL: the signal is about the house itself.
    person_id BIGINT REFERENCES persons(id),
    filed_by BIGINT REFERENCES users(id),
    filed_by_role TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('wellbeing', 'conflict', 'substance_use', 'absence', 'rent_debt', 'safety', 'other')),
    urgency TEXT NOT NULL CHECK (urgency IN ('low', 'normal', 'high', 'acute')),
    text TEXT NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
    professional_id BIGINT REFERENCES users(id),
    filed_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by BIGINT REFERENCES users(id),
    escalated_at TEXT,
    closed_at TEXT,
    closed_by BIGINT REFERENCES users(id),
    follow_up TEXT CHECK (follow_up IS NULL OR char_length(follow_up) <= 2000),
    CHECK (home_id IS NOT NULL OR person_id IS NOT NULL),
    CHECK (closed_at IS NULL OR (acknowledged_at IS NOT NULL AND follow_up IS NOT NULL))
);
-- The escalation pass: only the open, unacknowledged, not yet escalated signals, by due time.
CREATE INDEX signals_to_escalate ON signals(due_at) WHERE acknowledged_at IS NULL AND escalated_at IS NULL;
CREATE INDEX signals_by_professional ON signals(professional_id, id);
CREATE INDEX signals_by_organisation ON signals(organisation_id, id);
-- The measures read the signals filed in a period.
CREATE INDEX signals_by_filing ON signals(organisation_id, filed_at);
CREATE INDEX signals_by_filer ON signals(filed_by, id);
CREATE INDEX signals_by_person ON signals(person_id);
-- Acute signals stay on the coordinators' dashboard until acknowledged.
CREATE INDEX signals_acute_open ON signals(organisation_id, id) WHERE urgency = 'acute' AND acknowledged_at IS NULL;

-- Who opened which signal: the inbox counts the rest as unread.
CREATE TABLE signal_reads (
    signal_id BIGINT NOT NULL REFERENCES signals(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    read_at TEXT NOT NULL,
    PRIMARY KEY (signal_id, user_id)
);

-- What a main resident reads about their house beside the yes/no rules: the house rules as
-- free text, and the numbers to call in an emergency or out of hours. Set by a coordinator.
CREATE TABLE home_notes (
    home_id BIGINT PRIMARY KEY REFERENCES homes(id),
    house_rules TEXT NOT NULL CHECK (char_length(house_rules) <= 4000),
    emergency_numbers TEXT NOT NULL CHECK (char_length(emergency_numbers) <= 500),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
