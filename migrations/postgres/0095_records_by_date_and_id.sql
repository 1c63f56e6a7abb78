-- The records export reads a page at a time in (date, id) order, each page
-- after the last record of the one before. With an index on the date alone
-- each page sorted the rest of its day by id and worked out every one of
-- those records' codes first: at a million records (a few thousand a day)
-- a page cost several times its own rows (docs/scale.md, "Exports"). This
-- index gives the order itself; it replaces the one that was its prefix.
CREATE INDEX activity_records_date_id ON activity_records(occurred_on, id);
DROP INDEX activity_records_date;
