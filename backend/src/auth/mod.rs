//! Signing in and out, and the login throttle. Who is signed in is carried
//! by the session of [`crate::access`]; the accounts are [`crate::users`]'.

mod handlers;
pub mod model;
pub mod store;
mod throttle;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::login))
        .routes(routes!(handlers::logout))
}
