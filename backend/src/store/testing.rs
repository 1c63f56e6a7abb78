//! Throwaway databases for tests: a fresh SQLite file, and a fresh
//! PostgreSQL database when `SIJIL_TEST_POSTGRES_URL` is set.
//!
//! Lives in the library (not behind `cfg(test)`) because the end-to-end test
//! crate uses it too.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

/// A database that exists for one test and is removed when dropped.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new empty SQLite database in its own temporary folder.
    pub fn sqlite() -> TestDatabase {
        let dir =
            std::env::temp_dir().join(format!("sijil-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("sijil.db").display());
        TestDatabase {
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A new empty PostgreSQL database on the server named by
    /// `SIJIL_TEST_POSTGRES_URL`, or `None` when it is not set.
    pub async fn postgres() -> Option<TestDatabase> {
        let admin_url = std::env::var("SIJIL_TEST_POSTGRES_URL").ok()?;
        let name = format!("sijil_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnectOptions::from_str(&admin_url)
            .expect("SIJIL_TEST_POSTGRES_URL parses")
            .connect()
            .await
            .expect("connect to SIJIL_TEST_POSTGRES_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        conn.close().await.ok();
        let url = with_database(&admin_url, &name);
        Some(TestDatabase {
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    /// The PostgreSQL database `name` on the server named by
    /// `SIJIL_TEST_POSTGRES_URL`, created if missing and never dropped (for
    /// benchmarks that keep what they generated); `None` when not set.
    pub async fn kept_postgres(name: &str) -> Option<String> {
        let admin_url = std::env::var("SIJIL_TEST_POSTGRES_URL").ok()?;
        let mut conn = PgConnectOptions::from_str(&admin_url)
            .expect("SIJIL_TEST_POSTGRES_URL parses")
            .connect()
            .await
            .expect("connect to SIJIL_TEST_POSTGRES_URL");
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await
                .expect("list databases");
        if !exists {
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create kept database");
        }
        conn.close().await.ok();
        Some(with_database(&admin_url, name))
    }

    /// Every database the tests should run on: SQLite always, PostgreSQL
    /// when configured.
    pub async fn all() -> Vec<TestDatabase> {
        let mut dbs = vec![TestDatabase::sqlite()];
        dbs.extend(TestDatabase::postgres().await);
        dbs
    }

    /// Copies a PostgreSQL test database aside (as a backup would), or
    /// `None` on SQLite (whose backups the product takes itself). Nothing
    /// may be connected to it meanwhile: stop the app first.
    pub async fn copy_postgres_aside(&self) -> Option<()> {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return None;
        };
        let mut conn = PgConnectOptions::from_str(admin_url)
            .ok()?
            .connect()
            .await
            .expect("connect");
        let sql = format!("CREATE DATABASE {name}_copy TEMPLATE {name}");
        conn.execute(sql.as_str())
            .await
            .expect("copy the database aside");
        conn.close().await.ok();
        Some(())
    }

    /// Puts the copy made by [`TestDatabase::copy_postgres_aside`] back in
    /// place of the database (as `pg_restore` would). Stop the app first.
    pub async fn put_postgres_copy_back(&self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            panic!("PostgreSQL only")
        };
        let mut conn = PgConnectOptions::from_str(admin_url)
            .expect("url")
            .connect()
            .await
            .expect("connect");
        for sql in [
            format!("DROP DATABASE {name} WITH (FORCE)"),
            format!("ALTER DATABASE {name}_copy RENAME TO {name}"),
        ] {
            conn.execute(sql.as_str()).await.expect("put the copy back");
        }
        conn.close().await.ok();
    }

    pub fn kind(&self) -> &'static str {
        match self.cleanup {
            Cleanup::Sqlite(_) => "sqlite",
            Cleanup::Postgres { .. } => "postgres",
        }
    }
}

/// Replaces the database name (the URL path) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop runs outside any async context we can rely on, so a
                // short-lived thread with its own runtime does the DROP.
                let admin_url = admin_url.clone();
                let name = name.clone();
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let mut conn = PgConnectOptions::from_str(&admin_url)
                            .ok()?
                            .connect()
                            .await
                            .ok()?;
                        // A copy set aside by a restore test goes too.
                        for db in [format!("{name}_copy"), name] {
                            let drop = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
                            conn.execute(drop.as_str()).await.ok()?;
                        }
                        Some(())
                    })
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_query_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h:1/db?sslmode=disable", "x"),
            "postgres://u@h:1/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
