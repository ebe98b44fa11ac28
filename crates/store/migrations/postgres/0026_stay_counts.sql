-- An organisation's running and ended stays, counted as they change: the lists of all,
-- running and ended stays show their exact totals without counting half a million rows.
-- Kept by statement triggers over the changed rows, in the change's own transaction, so a
-- total read in the same snapshot as a page of rows always agrees with them; a bulk insert
-- adds its rows up once.
CREATE TABLE stay_counts (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    running BIGINT NOT NULL DEFAULT 0,
    ended BIGINT NOT NULL DEFAULT 0
);
INSERT INTO stay_counts (organisation_id, running, ended)
SELECT organisation_id, COUNT(*) FILTER (WHERE exit_date IS NULL), COUNT(*) FILTER (WHERE exit_date IS NOT NULL)
FROM stays WHERE organisation_id IS NOT NULL GROUP BY organisation_id;
CREATE FUNCTION nabij_stay_counts_added() RETURNS trigger AS $$
BEGIN
    INSERT INTO stay_counts AS c (organisation_id, running, ended)
    SELECT organisation_id, COUNT(*) FILTER (WHERE exit_date IS NULL), COUNT(*) FILTER (WHERE exit_date IS NOT NULL)
    FROM added WHERE organisation_id IS NOT NULL GROUP BY organisation_id
    ON CONFLICT (organisation_id) DO UPDATE
    SET running = c.running + EXCLUDED.running, ended = c.ended + EXCLUDED.ended;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION nabij_stay_counts_removed() RETURNS trigger AS $$
BEGIN
    UPDATE stay_counts c SET running = c.running - r.running, ended = c.ended - r.ended
    FROM (SELECT organisation_id, COUNT(*) FILTER (WHERE exit_date IS NULL) AS running,
                 COUNT(*) FILTER (WHERE exit_date IS NOT NULL) AS ended
          FROM removed WHERE organisation_id IS NOT NULL GROUP BY organisation_id) r
    WHERE c.organisation_id = r.organisation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION nabij_stay_counts_changed() RETURNS trigger AS $$
BEGIN
    -- Only rows whose organisation or exit changed move between the counts.
    UPDATE stay_counts c SET running = c.running + d.running, ended = c.ended + d.ended
    FROM (SELECT organisation_id, SUM(running) AS running, SUM(ended) AS ended FROM (
              SELECT o.organisation_id, -(CASE WHEN o.exit_date IS NULL THEN 1 ELSE 0 END) AS running,
                     -(CASE WHEN o.exit_date IS NULL THEN 0 ELSE 1 END) AS ended
              FROM removed o JOIN added n ON n.id = o.id
              WHERE o.organisation_id IS DISTINCT FROM n.organisation_id
                 OR (o.exit_date IS NULL) <> (n.exit_date IS NULL)
              UNION ALL
              SELECT n.organisation_id, (CASE WHEN n.exit_date IS NULL THEN 1 ELSE 0 END),
                     (CASE WHEN n.exit_date IS NULL THEN 0 ELSE 1 END)
              FROM removed o JOIN added n ON n.id = o.id
              WHERE o.organisation_id IS DISTINCT FROM n.organisation_id
                 OR (o.exit_date IS NULL) <> (n.exit_date IS NULL)
          ) moved WHERE organisation_id IS NOT NULL GROUP BY organisation_id) d
    WHERE c.organisation_id = d.organisation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stay_counts_insert AFTER INSERT ON stays
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION nabij_stay_counts_added();
CREATE TRIGGER stay_counts_update AFTER UPDATE ON stays
REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION nabij_stay_counts_changed();
CREATE TRIGGER stay_counts_delete AFTER DELETE ON stays
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION nabij_stay_counts_removed();
