//! The audit log: who did what, when, from where. Every capability appends
//! to it ([`store::record`]) in the same transaction as the change it
//! describes, so a change and its entry stand or fall together. Admins read
//! it newest first.

mod handlers;
pub mod model;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use model::Entry;
pub use store::{record, record_standalone};

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(handlers::list))
}
