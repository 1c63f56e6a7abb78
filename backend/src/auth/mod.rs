//! Who is asking: login and logout, the server-side session, the login
//! throttle, and the [`CurrentUser`] guard that every other handler takes.

mod current_user;
mod handlers;
pub mod password;
pub mod session;
mod throttle;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use current_user::{AdminUser, ClientAddr, CurrentUser, Role, SiteScope};

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::login))
        .routes(routes!(handlers::logout))
        .routes(routes!(handlers::me, handlers::update_me))
}
