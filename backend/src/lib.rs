//! Sijil: an offline-first register for community psychosocial programmes.
//!
//! The crate is laid out by capability, one folder each, with thin HTTP
//! handlers over plain domain functions and one storage seam:
//!
//! - [`store`]: the database handle (SQLite or PostgreSQL) and migrations;
//! - [`auth`]: login, sessions, throttling, and the `CurrentUser` guard every
//!   handler goes through;
//! - [`users`], [`sites`], [`activity_types`]: the admin-managed data;
//! - [`participants`], [`groups`], [`records`]: what phones capture offline,
//!   and [`sync`]: how phones and server agree on it;
//! - [`figures`]: the numbers coordinators read, their rollups, exports,
//!   targets and month locks;
//! - [`audit`]: the append-only log of who did what;
//! - [`http`]: the router, middleware (security headers, CSRF, tracing) and
//!   the embedded PWA.

pub mod activity_types;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod figures;
pub mod groups;
pub mod http;
pub mod participants;
pub mod records;
pub mod sites;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod users;
pub mod validate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use http::app;

/// What every handler can reach: the store and the settings.
#[derive(Clone)]
pub struct AppState {
    pub db: store::Db,
    pub config: Arc<config::Config>,
}

impl AppState {
    pub fn new(db: store::Db, config: config::Config) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
        }
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = auth::session::spawn_expired_session_sweeper(&state.db);
    let router = app(state);
    let result = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    result
}
