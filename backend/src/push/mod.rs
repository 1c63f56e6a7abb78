//! Web push: the programme's VAPID key, users' browser subscriptions, and
//! a durable queue that sends notices to field staff (a flagged record, an
//! announcement, a reminder) through their browsers' push services.
//!
//! Payloads pass through third parties, so they carry no participant data
//! ([`model::Notice`]). Requests only queue ([`notify`]); the sender
//! ([`queue`]) runs in the background of each instance and shares the work
//! through leases.

mod handlers;
pub mod model;
pub mod notify;
pub mod queue;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::key))
        .routes(routes!(handlers::subscribe, handlers::unsubscribe))
        .routes(routes!(handlers::health))
        .routes(routes!(handlers::announce))
}

/// The session's mark on the subscriptions it made: a hash of its id, so
/// the table holds no usable session id.
pub fn session_hash(session: &tower_sessions::Session) -> Option<String> {
    use sha2::{Digest, Sha256};
    let id = session.id()?.to_string();
    let digest = Sha256::digest(id.as_bytes());
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}
