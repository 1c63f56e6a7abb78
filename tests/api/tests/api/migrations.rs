//! The two hand-kept copies of the migrations stay in step: the same
//! numbered files for both databases, and after migrating, the same tables
//! with the same columns.

use std::collections::BTreeSet;
use std::path::Path;

use sijil::store::testing::TestDatabase;
use sijil::store::Db;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");

/// The migration file names of one database.
fn files(database: &str) -> BTreeSet<String> {
    std::fs::read_dir(Path::new(MIGRATIONS).join(database))
        .expect("the migrations folder")
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".sql"))
        .collect()
}

#[test]
fn every_migration_exists_for_both_databases() {
    let (sqlite, postgres) = (files("sqlite"), files("postgres"));
    assert!(!sqlite.is_empty(), "no migrations found in {MIGRATIONS}");
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "migrations for one database only: sqlite {only_sqlite:?}, postgres {only_postgres:?}"
    );
}

/// Every `table.column` of our schema after migrating (the migration
/// bookkeeping and the session store's own table left out: each library
/// lays those out its own way).
async fn columns(db: &Db, postgres: bool) -> BTreeSet<String> {
    let sql = if postgres {
        "SELECT table_name || '.' || column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"
    } else {
        "SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT IN ('_sqlx_migrations', 'tower_sessions') AND m.name NOT LIKE 'sqlite_%'"
    };
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(db.pool())
        .await
        .expect("list columns");
    rows.into_iter().collect()
}

#[tokio::test]
async fn both_databases_have_the_same_tables_and_columns() {
    let Some(postgres) = TestDatabase::postgres().await else {
        // Needs a PostgreSQL server to migrate; CI sets SIJIL_TEST_POSTGRES_URL,
        // so this comparison runs there on every change.
        eprintln!("skipped: SIJIL_TEST_POSTGRES_URL is not set, so there is no PostgreSQL to compare with");
        return;
    };
    let sqlite = TestDatabase::sqlite();
    let mut found = vec![];
    for (database, is_postgres) in [(&sqlite, false), (&postgres, true)] {
        let db = Db::connect(&database.url).await.expect("connect");
        db.migrate().await.expect("migrate");
        found.push(columns(&db, is_postgres).await);
        db.close().await;
    }
    let (in_sqlite, in_postgres) = (&found[0], &found[1]);
    assert!(
        in_sqlite.len() > 50,
        "expected the whole schema, found {in_sqlite:?}"
    );
    let only_sqlite: Vec<_> = in_sqlite.difference(in_postgres).collect();
    let only_postgres: Vec<_> = in_postgres.difference(in_sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the schemas differ: only in SQLite {only_sqlite:?}; only in PostgreSQL {only_postgres:?}"
    );
}
