//! Activity records: group sessions, CFS days and awareness events, one
//! model for the three ([`model`]). Created on phones with a UUID and sent
//! through [`crate::sync`] ([`sync::Records`]); read and reviewed by
//! coordinators; closed month by month with locks. Every change of a record
//! takes its one write path ([`write`]), which keeps the rollups and the
//! change feed in step and enforces month locks.

pub mod batch;
mod handlers;
pub mod model;
pub mod store;
pub mod sync;
pub mod write;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list))
        .routes(routes!(handlers::get))
        .routes(routes!(handlers::review))
        .routes(routes!(handlers::list_locks, handlers::lock_month))
        .routes(routes!(handlers::unlock_month))
}
