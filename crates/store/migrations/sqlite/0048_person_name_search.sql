-- Searching persons by a part of their name: a trigram index over the lowercased full name,
-- so `LIKE '%…%'` with three characters or more reads the index instead of every person.
-- The rowid is the person's id; triggers keep it equal to `persons`.
CREATE VIRTUAL TABLE person_names USING fts5(name, tokenize = 'trigram');
-- A changed or anonymised name leaves nothing of the old one in the index's pages.
INSERT INTO person_names (person_names, rank) VALUES ('secure-delete', 1);
INSERT INTO person_names (rowid, name)
    SELECT id, LOWER(first_name || ' ' || last_name) FROM persons;
CREATE TRIGGER person_names_insert AFTER INSERT ON persons
BEGIN
    INSERT INTO person_names (rowid, name)
        VALUES (NEW.id, LOWER(NEW.first_name || ' ' || NEW.last_name));
END;
CREATE TRIGGER person_names_update AFTER UPDATE OF first_name, last_name ON persons
BEGIN
    UPDATE person_names SET name = LOWER(NEW.first_name || ' ' || NEW.last_name)
        WHERE rowid = NEW.id;
END;
CREATE TRIGGER person_names_delete AFTER DELETE ON persons
BEGIN
    DELETE FROM person_names WHERE rowid = OLD.id;
END;
