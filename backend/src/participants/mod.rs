//! Participants: the people who attend individually recorded activities,
//! registered on phones (offline) with a readable [`code`]. They reach the
//! server through [`crate::sync`] under the rule of [`crate::changes::item`]
//! ([`sync::Participants`]); this module also hands out code prefixes and
//! finds participants by code or name.

pub mod code;
mod handlers;
pub mod merge;
pub mod model;
pub mod store;
pub mod sync;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::new_prefix))
        .routes(routes!(handlers::find))
        .routes(routes!(handlers::by_code))
        .routes(routes!(handlers::duplicates))
        .routes(routes!(handlers::merge_two))
}
