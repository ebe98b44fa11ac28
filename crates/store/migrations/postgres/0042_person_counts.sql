-- An organisation's persons, counted as they change: the person list shows its exact total
-- without counting a hundred thousand rows. Kept by statement triggers over the changed
-- rows, in the change's own transaction, so a total read in the same snapshot as a page of
-- rows always agrees with them; a bulk insert adds its rows up once.
CREATE TABLE person_counts (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations(id),
    n BIGINT NOT NULL DEFAULT 0
);
INSERT INTO person_counts (organisation_id, n)
SELECT organisation_id, COUNT(*) FROM persons GROUP BY organisation_id;
CREATE FUNCTION nabij_person_counts_added() RETURNS trigger AS $$
BEGIN
    INSERT INTO person_counts AS c (organisation_id, n)
    SELECT organisation_id, COUNT(*) FROM added GROUP BY organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION nabij_person_counts_removed() RETURNS trigger AS $$
BEGIN
    UPDATE person_counts c SET n = c.n - r.n
    FROM (SELECT organisation_id, COUNT(*) AS n FROM removed GROUP BY organisation_id) r
    WHERE c.organisation_id = r.organisation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION nabij_person_counts_changed() RETURNS trigger AS $$
BEGIN
    -- Only rows that moved to another organisation change the counts.
    INSERT INTO person_counts AS c (organisation_id, n)
    SELECT organisation_id, SUM(d) FROM (
        SELECT o.organisation_id, -1 AS d FROM removed o JOIN added a ON a.id = o.id
        WHERE o.organisation_id IS DISTINCT FROM a.organisation_id
        UNION ALL
        SELECT a.organisation_id, 1 FROM removed o JOIN added a ON a.id = o.id
        WHERE o.organisation_id IS DISTINCT FROM a.organisation_id
    ) moved GROUP BY organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER person_counts_insert AFTER INSERT ON persons
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION nabij_person_counts_added();
CREATE TRIGGER person_counts_update AFTER UPDATE ON persons
REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION nabij_person_counts_changed();
CREATE TRIGGER person_counts_delete AFTER DELETE ON persons
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION nabij_person_counts_removed();
