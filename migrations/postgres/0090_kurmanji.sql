-- Kurmanji (`kmr`: Badini as written in Duhok, in the Arabic-based Kurdish
-- alphabet) as a fourth language a user can choose (issue 12). PostgreSQL
-- changes the CHECK in place (the name is the one PostgreSQL gave the
-- column's CHECK in 0001); existing rows are checked against the new one.
ALTER TABLE users DROP CONSTRAINT users_language_check;
ALTER TABLE users ADD CONSTRAINT users_language_check CHECK (language IN ('en', 'ar', 'ckb', 'kmr'));
