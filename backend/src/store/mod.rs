//! The one seam between Sijil and its database.
//!
//! Sijil runs on SQLite (one machine, the default) or PostgreSQL (several
//! instances sharing one database). Rather than write every query twice, the
//! store speaks through sqlx's `Any` driver and keeps its SQL to the common
//! ground of both: `$N` placeholders (SQLite accepts them), integer flags
//! instead of booleans, Unix-millisecond integers for instants, ISO text for
//! calendar dates. Where the two really differ (schema DDL, transaction
//! start), [`Backend`] says which one we are on. The capability modules
//! (`sites::store`, `users::store`, …) hold their own SQL over this type;
//! [`rows`] is the multi-row INSERT they share, and [`Flag`] reads the
//! integer flags into typed rows.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AnyPool, Executor};

pub mod backup;
pub mod rows;
pub mod testing;

/// A transaction on whichever database is configured.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// A statement being bound, for helpers that bind a shared run of columns.
pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle every capability uses: a pool of `Any` connections,
/// plus a pool typed for the session store (tower-sessions' sqlx store needs
/// the concrete driver).
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    sessions: SessionPool,
}

/// The concrete pool handed to the session store.
#[derive(Clone)]
pub enum SessionPool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// SQLite waits this long for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    /// Opens a pool for `url` (`sqlite://…` or `postgres://…`), creating the
    /// SQLite file and its folder when missing. Does not migrate.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT);
                if let Some(folder) = options.get_filename().parent() {
                    if !folder.as_os_str().is_empty() {
                        std::fs::create_dir_all(folder)?;
                    }
                }
                // Open the typed pool first: it creates the file and switches
                // it to WAL, which is a property of the file from then on.
                let sessions = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await?;
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // The Any driver only reads the URL, so the per-connection
                            // settings are repeated here.
                            conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(AnyConnectOptions::from_str(url)?)
                    .await?;
                Ok(Db {
                    pool,
                    backend,
                    sessions: SessionPool::Sqlite(sessions),
                })
            }
            Backend::Postgres => {
                let sessions = PgPoolOptions::new()
                    .max_connections(4)
                    .connect_with(PgConnectOptions::from_str(url)?)
                    .await?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .connect_with(AnyConnectOptions::from_str(url)?)
                    .await?;
                Ok(Db {
                    pool,
                    backend,
                    sessions: SessionPool::Postgres(sessions),
                })
            }
        }
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        // tower-sessions' store owns its table's schema.
        match &self.sessions {
            SessionPool::Sqlite(p) => {
                tower_sessions_sqlx_store::SqliteStore::new(p.clone())
                    .migrate()
                    .await?
            }
            SessionPool::Postgres(p) => {
                tower_sessions_sqlx_store::PostgresStore::new(p.clone())
                    .migrate()
                    .await?
            }
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn session_pool(&self) -> &SessionPool {
        &self.sessions
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes
    /// can fail with SQLITE_BUSY without waiting when another writer got in
    /// between, which would turn two phones syncing at once into an error.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Starts a read-only transaction that sees one consistent snapshot for
    /// all its statements (a sync page is read in several queries).
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            // WAL readers see one snapshot from their first read to commit.
            Backend::Sqlite => self.pool.begin().await,
            Backend::Postgres => {
                let mut tx = self
                    .pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?;
                // Figures group a quarter's presences by person in one hash
                // table; the default 4 MB sends that to disk. This is a
                // ceiling for this transaction's sorts and hashes, not an
                // allocation.
                tx.execute("SET LOCAL work_mem = '64MB'").await?;
                Ok(tx)
            }
        }
    }

    /// Answers whether the database is reachable (for `/healthz`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
        match &self.sessions {
            SessionPool::Sqlite(p) => p.close().await,
            SessionPool::Postgres(p) => p.close().await,
        }
    }
}

fn backend_of(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://")
    }
}

/// Now, in Unix milliseconds: the server is the clock for every instant it
/// stores.
pub fn now_millis() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A 0/1 integer column read as a bool (see the module comment for why
/// flags are integers). Typed rows take it with
/// `#[sqlx(try_from = "Flag")] active: bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl sqlx::Type<sqlx::Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        <i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(|n| Flag(n != 0))
    }
}

/// `$start, $start+1, …` for `n` values: an `IN (…)` list that binds
/// portably on both databases.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
