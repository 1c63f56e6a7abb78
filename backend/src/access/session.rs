//! Server-side sessions in the database (tower-sessions with its sqlx
//! store), so a session survives a restart and any instance behind a load
//! balancer can serve any request. The cookie holds only a random id:
//! HttpOnly, SameSite=Lax, Secure when served over HTTPS.

use async_trait::async_trait;
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::service::PlaintextCookie;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::config::Config;
use crate::error::ApiError;
use crate::store::{Db, SessionPool};

pub const COOKIE_NAME: &str = "sijil_session";
/// The name over HTTPS: the `__Host-` prefix makes browsers keep it only if
/// it is Secure, for the whole host, and set by the host itself.
pub const SECURE_COOKIE_NAME: &str = "__Host-sijil_session";

/// Session key: the signed-in user's id (written at login, read by the guard).
pub const USER_ID_KEY: &str = "uid";
/// Session key: the user's session epoch at login (see the guard).
pub const EPOCH_KEY: &str = "epoch";
/// Session key: when the session was last seen in use (see the guard).
pub const SEEN_KEY: &str = "seen";
/// Session key: when the user signed in (the absolute lifetime counts from it).
pub const LOGIN_AT_KEY: &str = "login_at";
/// Session key: when a session from before logins were dated was first seen.
pub const UNDATED_SINCE_KEY: &str = "undated_since";

/// A failure of the session store, as an internal error.
pub fn session_error(e: tower_sessions::session::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("session store: {e}"))
}

/// The session store of whichever database is configured.
#[derive(Debug, Clone)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    pub fn new(db: &Db) -> DbSessionStore {
        match db.session_pool() {
            SessionPool::Sqlite(pool) => DbSessionStore::Sqlite(SqliteStore::new(pool.clone())),
            SessionPool::Postgres(pool) => {
                DbSessionStore::Postgres(PostgresStore::new(pool.clone()))
            }
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(s) => s.create(record).await,
            DbSessionStore::Postgres(s) => s.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(s) => s.save(record).await,
            DbSessionStore::Postgres(s) => s.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            DbSessionStore::Sqlite(s) => s.load(id).await,
            DbSessionStore::Postgres(s) => s.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(s) => s.delete(id).await,
            DbSessionStore::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(s) => s.delete_expired().await,
            DbSessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}

pub fn layer(db: &Db, config: &Config) -> SessionManagerLayer<DbSessionStore, PlaintextCookie> {
    SessionManagerLayer::new(DbSessionStore::new(db))
        .with_name(if config.secure_cookies {
            SECURE_COOKIE_NAME
        } else {
            COOKIE_NAME
        })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(Duration::seconds(
            config.session_idle_secs,
        )))
}

/// Removes expired sessions every ten minutes for as long as the server runs.
pub fn spawn_expired_session_sweeper(db: &Db) -> tokio::task::JoinHandle<()> {
    let store = DbSessionStore::new(db);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
        }
    })
}
