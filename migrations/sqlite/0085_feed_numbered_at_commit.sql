-- PostgreSQL numbers the change feed at commit (see its 0085). SQLite has
-- one writer at a time, so a change still takes its clock value when it is
-- written (changes::store::touch): nothing to change here.
SELECT 1;
