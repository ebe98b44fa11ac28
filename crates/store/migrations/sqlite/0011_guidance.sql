-- Guidance and recovery (domain.md §3.6, §4): episodes with their professionals and
-- intensity, the contact log, the recovery plan's goals and ZRM assessments.

-- A guidance episode: one unbroken period of guidance of a person. It ends at exit, or runs
-- on as aftercare (from the exit date) up to its own end date. A resumption links to the
-- episode it resumes.
CREATE TABLE guidance_episodes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    lead_professional_id INTEGER NOT NULL REFERENCES users(id),
    started_on TEXT NOT NULL,
    aftercare_from TEXT,
    ended_on TEXT,
    resumes_episode_id INTEGER REFERENCES guidance_episodes(id),
    started_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (ended_on IS NULL OR ended_on >= started_on),
    CHECK (aftercare_from IS NULL OR (ended_on IS NOT NULL AND aftercare_from <= ended_on))
);
CREATE INDEX guidance_episodes_by_person ON guidance_episodes(person_id, started_on);
CREATE UNIQUE INDEX guidance_episodes_one_open ON guidance_episodes(person_id) WHERE ended_on IS NULL;

-- Every professional of an episode, the lead included; left_on once they stop.
CREATE TABLE episode_professionals (
    episode_id INTEGER NOT NULL REFERENCES guidance_episodes(id),
    professional_id INTEGER NOT NULL REFERENCES users(id),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    PRIMARY KEY (episode_id, professional_id)
);
CREATE INDEX episode_professionals_by_professional ON episode_professionals(professional_id, episode_id);

-- The intensity in quarter hours per week from a date on (0 to 40 hours).
CREATE TABLE intensity_changes (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES guidance_episodes(id),
    from_date TEXT NOT NULL,
    quarter_hours INTEGER NOT NULL CHECK (quarter_hours BETWEEN 0 AND 160),
    reason TEXT NOT NULL CHECK (length(reason) <= 500),
    changed_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX intensity_changes_by_episode ON intensity_changes(episode_id, from_date, id);

-- The contact log. Append-only: a correction is a new entry naming the one it corrects.
-- Only retention may blank a text.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    episode_id INTEGER REFERENCES guidance_episodes(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('home_visit', 'phone', 'partner_meeting', 'other')),
    text TEXT NOT NULL CHECK (length(text) <= 4000),
    working_note INTEGER NOT NULL DEFAULT 0 CHECK (working_note IN (0, 1)),
    corrects_id INTEGER REFERENCES contacts(id),
    author_id INTEGER,
    author_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX contacts_by_person ON contacts(person_id, at, id);
CREATE INDEX contacts_by_correction ON contacts(corrects_id);

CREATE TRIGGER contacts_append_only BEFORE UPDATE ON contacts
WHEN NEW.text <> '' OR NEW.at <> OLD.at OR NEW.kind <> OLD.kind OR NEW.person_id <> OLD.person_id
    OR NEW.working_note <> OLD.working_note OR NEW.author_name <> OLD.author_name
BEGIN
    SELECT RAISE(ABORT, 'het contactlog is alleen aan te vullen: een correctie is een nieuwe regel');
END;
CREATE TRIGGER contacts_no_delete BEFORE DELETE ON contacts
BEGIN
    SELECT RAISE(ABORT, 'het contactlog is alleen aan te vullen: een correctie is een nieuwe regel');
END;

-- Goals of the recovery plan, per ZRM domain.
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    domain TEXT NOT NULL CHECK (domain IN ('finances', 'work_education', 'time_use', 'housing',
        'domestic_relations', 'mental_health', 'physical_health', 'substance_use', 'basic_adl',
        'instrumental_adl', 'social_network', 'social_participation', 'justice')),
    title TEXT NOT NULL CHECK (length(title) <= 200),
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'achieved', 'stopped')),
    target_date TEXT,
    actions TEXT NOT NULL CHECK (length(actions) <= 2000),
    owner TEXT NOT NULL CHECK (owner IN ('person', 'professional', 'buddy')),
    recorded_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX goals_by_person ON goals(person_id, recorded_on, id);

-- ZRM assessments: the 13 domains, each 1 to 5.
CREATE TABLE zrm_assessments (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    assessed_on TEXT NOT NULL,
    moment TEXT NOT NULL CHECK (moment IN ('intake', 'periodic', 'exit')),
    finances INTEGER NOT NULL CHECK (finances BETWEEN 1 AND 5),
    work_education INTEGER NOT NULL CHECK (work_education BETWEEN 1 AND 5),
    time_use INTEGER NOT NULL CHECK (time_use BETWEEN 1 AND 5),
    housing INTEGER NOT NULL CHECK (housing BETWEEN 1 AND 5),
    domestic_relations INTEGER NOT NULL CHECK (domestic_relations BETWEEN 1 AND 5),
    mental_health INTEGER NOT NULL CHECK (mental_health BETWEEN 1 AND 5),
    physical_health INTEGER NOT NULL CHECK (physical_health BETWEEN 1 AND 5),
    substance_use INTEGER NOT NULL CHECK (substance_use BETWEEN 1 AND 5),
    basic_adl INTEGER NOT NULL CHECK (basic_adl BETWEEN 1 AND 5),
    instrumental_adl INTEGER NOT NULL CHECK (instrumental_adl BETWEEN 1 AND 5),
    social_network INTEGER NOT NULL CHECK (social_network BETWEEN 1 AND 5),
    social_participation INTEGER NOT NULL CHECK (social_participation BETWEEN 1 AND 5),
    justice INTEGER NOT NULL CHECK (justice BETWEEN 1 AND 5),
    assessed_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX zrm_assessments_by_person ON zrm_assessments(person_id, assessed_on, id);

-- Existing guidance: one episode per unbroken period of a person's guidance rows. A row that
-- starts on or before the day every earlier row of the person has ended (or while one still
-- runs) continues the period: rows of two professionals at once are one episode. The episode
-- takes the id of the period's first row; its lead is the professional whose row runs to the
-- period's end (of those, the one who started last).
CREATE TEMPORARY TABLE guidance_periods AS
WITH marked AS (
    SELECT g.*,
        CASE WHEN MAX(COALESCE(g.ended_on, '9999-12-31')) OVER earlier >= g.started_on
             THEN 0 ELSE 1 END AS starts
    FROM guidance g
    WINDOW earlier AS (PARTITION BY g.person_id ORDER BY g.started_on, g.id
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), numbered AS (
    SELECT m.*, SUM(m.starts) OVER (PARTITION BY m.person_id ORDER BY m.started_on, m.id) AS period
    FROM marked m
)
SELECT n.id AS guidance_id, n.person_id, n.professional_id, n.started_on, n.ended_on,
    FIRST_VALUE(n.id) OVER p AS episode_id,
    ROW_NUMBER() OVER (PARTITION BY n.person_id, n.period
        ORDER BY COALESCE(n.ended_on, '9999-12-31') DESC, n.started_on DESC, n.id DESC) AS from_last
FROM numbered n
WINDOW p AS (PARTITION BY n.person_id, n.period ORDER BY n.started_on, n.id);

INSERT INTO guidance_episodes (id, person_id, lead_professional_id, started_on, ended_on, started_by, created_at)
SELECT e.episode_id, e.person_id, l.professional_id, MIN(e.started_on),
    CASE WHEN COUNT(*) = COUNT(e.ended_on) THEN MAX(e.ended_on) END,
    'overgezet', '2026-01-01T00:00:00Z'
FROM guidance_periods e
JOIN guidance_periods l ON l.episode_id = e.episode_id AND l.from_last = 1
GROUP BY e.episode_id, e.person_id, l.professional_id;

INSERT INTO episode_professionals (episode_id, professional_id, joined_on, left_on)
SELECT episode_id, professional_id, MIN(started_on),
    CASE WHEN COUNT(*) = COUNT(ended_on) THEN MAX(ended_on) END
FROM guidance_periods
GROUP BY episode_id, professional_id;

DROP TABLE guidance_periods;
