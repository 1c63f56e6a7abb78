//! Server-side sessions in the database (tower-sessions with its sqlx
//! store), so a session survives a restart and any instance behind a load
//! balancer can serve any request. The cookie holds only a random id:
//! HttpOnly, SameSite=Lax, Secure when served over HTTPS.

use async_trait::async_trait;
use tower_sessions::cookie::time::{Duration, OffsetDateTime};
use tower_sessions::cookie::SameSite;
use tower_sessions::service::PlaintextCookie;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::cache::AuthCache;
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

/// The session store of whichever database is configured, remembering
/// what it loaded or saved for a moment (see [`super::cache`]).
#[derive(Clone)]
pub struct DbSessionStore {
    store: SqlxStore,
    cache: AuthCache,
}

#[derive(Debug, Clone)]
enum SqlxStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl DbSessionStore {
    pub fn new(db: &Db, cache: AuthCache) -> DbSessionStore {
        let store = match db.session_pool() {
            SessionPool::Sqlite(pool) => SqlxStore::Sqlite(SqliteStore::new(pool.clone())),
            SessionPool::Postgres(pool) => SqlxStore::Postgres(PostgresStore::new(pool.clone())),
        };
        DbSessionStore { store, cache }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &self.store {
            SqlxStore::Sqlite(s) => s.create(record).await,
            SqlxStore::Postgres(s) => s.create(record).await,
        }?;
        self.cache.sessions.put(record.id, record.clone());
        Ok(())
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match &self.store {
            SqlxStore::Sqlite(s) => s.save(record).await,
            SqlxStore::Postgres(s) => s.save(record).await,
        }?;
        self.cache.sessions.put(record.id, record.clone());
        Ok(())
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        if let Some(record) = self.cache.sessions.get(id) {
            if record.expiry_date > now {
                return Ok(Some(record));
            }
        }
        let record = match &self.store {
            SqlxStore::Sqlite(s) => s.load(id).await,
            SqlxStore::Postgres(s) => s.load(id).await,
        }?;
        match &record {
            Some(r) => self.cache.sessions.put(*id, r.clone()),
            None => self.cache.sessions.forget(*id),
        }
        Ok(record)
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.cache.sessions.forget(*id);
        match &self.store {
            SqlxStore::Sqlite(s) => s.delete(id).await,
            SqlxStore::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match &self.store {
            SqlxStore::Sqlite(s) => s.delete_expired().await,
            SqlxStore::Postgres(s) => s.delete_expired().await,
        }
    }
}

pub fn layer(
    db: &Db,
    config: &Config,
    cache: AuthCache,
) -> SessionManagerLayer<DbSessionStore, PlaintextCookie> {
    SessionManagerLayer::new(DbSessionStore::new(db, cache))
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
    let store = DbSessionStore::new(db, AuthCache::default());
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
