//! Referrals between organisations, tracked to the service received, with
//! no case narrative (docs/design.md §9): a participant (by code) referred
//! from a site to a service of the [`crate::directory`], with consent; its
//! status moved by the receiving organisation's staff (or, for an outside
//! organisation, by the referring side); overdue when unanswered; counted
//! in figures of their own.
//!
//! Made on phones offline, a referral reaches the server as a pushed item
//! under the rule of [`crate::changes::item`] ([`sync::Referrals`]); its
//! status reaches the referrer's phone through the change feed.

pub mod exports;
pub mod figures;
mod handlers;
pub mod model;
pub mod store;
pub mod sync;
pub mod views;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use handlers::{refusal, NOTES_OFF};

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::create, handlers::list))
        .routes(routes!(handlers::figures))
        .routes(routes!(handlers::export))
        .routes(routes!(handlers::one))
        .routes(routes!(handlers::move_status))
}
