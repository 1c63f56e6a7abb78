//! Sijil: an offline-first register for community psychosocial programmes.
//!
//! The crate is laid out by capability, one folder each with the same floor
//! plan (`mod.rs` the router, `handlers.rs`, `model.rs`, `store.rs` all of
//! its SQL), over a few leaves every handler takes. From the top down:
//!
//! - [`http`]: the router that merges every capability's routes, the
//!   middleware (security headers, CSRF, tracing) and the embedded PWA;
//! - [`sync`]: push and pull, the HTTP face of how phones and server agree;
//! - [`figures`]: the numbers coordinators read, targets and exports;
//! - [`records`], [`groups`], [`participants`]: what phones capture offline,
//!   each with its one write path; [`rollups`]: the figures' running sums;
//! - [`changes`]: the change clock and feed, and the one rule every pushed
//!   item goes through;
//! - [`auth`] (signing in and out), [`users`], [`sites`],
//!   [`activity_types`]: accounts and the admin-managed data;
//! - [`referrals`] and the [`directory`] of services they point at;
//! - [`push`]: web push to field staff, through a durable send queue;
//! - [`audit`]: the append-only log of who did what;
//! - [`access`]: the guard every handler takes, roles and site scope;
//! - leaves: [`state`], [`extract`], [`error`], [`validate`], [`store`] (the
//!   database seam), [`config`].
//!
//! `docs/architecture.md` draws the same map and follows one record from
//! push to rollup.

pub mod access;
pub mod activity_types;
pub mod audit;
pub mod auth;
pub mod changes;
pub mod cli;
pub mod config;
pub mod demo;
pub mod devices;
pub mod directory;
pub mod error;
pub mod extract;
pub mod figures;
pub mod groups;
pub mod http;
pub mod imports;
pub mod monitoring;
pub mod participants;
pub mod push;
pub mod records;
pub mod referrals;
pub mod refusal;
pub mod rollups;
pub mod sites;
pub mod state;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod users;
pub mod validate;

use std::future::Future;
use std::net::SocketAddr;

pub use http::app;
use state::AppState;

/// Serves the app on `listener` until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = access::session::spawn_expired_session_sweeper(&state.db);
    // Web push: the VAPID key is made on first start; the sender runs in
    // the background (several instances share the queue through leases).
    let push_key = push::queue::ensure_key(&state.db)
        .await
        .map_err(std::io::Error::other)?;
    let push_sender = push::queue::spawn(state.clone(), push_key);
    let push_reminders = push::queue::spawn_reminders(state.clone());
    let router = app(state);
    let result = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    for task in [push_sender, push_reminders].into_iter().flatten() {
        task.abort();
    }
    result
}
