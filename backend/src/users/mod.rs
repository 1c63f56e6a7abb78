//! Accounts: who works for the programme, in what role, at which sites, and
//! each user's own record (`/me`). Admins manage accounts; coordinators read
//! those who share their sites. Passwords are hashed here ([`password`]);
//! signing in and out is [`crate::auth`]'s.

pub mod bootstrap;
mod handlers;
pub mod model;
pub mod password;
pub mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list, handlers::create))
        .routes(routes!(handlers::get, handlers::update))
        .routes(routes!(handlers::reset_password))
        .routes(routes!(handlers::me, handlers::update_me))
}
