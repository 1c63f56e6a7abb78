//! How phones and server agree (docs/design.md §4), as HTTP: phones push
//! what they made offline and pull what changed in their scope, by a
//! server-side cursor.
//!
//! - [`push`]: a batch, one answer per item; each item goes through the one
//!   rule of [`crate::changes::item`] and its kind's write path;
//! - [`pull`]: pages of the change feed ([`crate::changes::store`]) after a
//!   cursor, with each changed thing as phones hold it.

mod handlers;
pub mod model;
pub mod pull;
pub mod push;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::push_items))
        .layer(DefaultBodyLimit::max(model::PUSH_BODY_LIMIT))
        .routes(routes!(handlers::pull_changes))
}
