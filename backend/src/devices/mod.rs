//! Devices: what the server knows of each phone a user signed in on, for the
//! phone's encryption at rest and for remote wipe (docs/design.md, "Shared
//! and lost phones").
//!
//! A phone encrypts its copy of a user's data under a random data key and
//! wraps that key twice: under a key derived from the user's PIN, and under
//! this device's *recovery key*, which only the server keeps and releases to
//! a signed-in session. So after too many wrong PINs (the PIN wrap is
//! destroyed) or a forgotten PIN, a password login reads and sends the
//! outbox again; and a copy of the phone's storage alone never holds it.
//!
//! An admin marks a user's devices for wiping; at its next contact the phone
//! is told, sends what is unsent (the push is judged and logged as any
//! other), deletes the user's data and reports back; the server then forgets
//! the recovery key.

mod handlers;
pub mod model;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::key))
        .routes(routes!(handlers::status))
        .routes(routes!(handlers::wiped))
        .routes(routes!(handlers::list_of_user))
        .routes(routes!(handlers::wipe_user_devices))
}
