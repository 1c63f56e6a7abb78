//! Site figures coordinators can trust (docs/design.md §3): the [`engine`]
//! computes them once for the dashboard, the API and the exports, over the
//! rollups that [`crate::records::write`] keeps; [`store`] resolves places
//! and names; targets say what was planned; [`exports`] lay the figures out
//! for donors and clusters, and [`download`] sends them as they are written
//! (CSV, or an XLSX [`workbook`] streamed as a zip).

pub mod download;
pub mod engine;
pub mod exports;
mod handlers;
pub mod model;
pub mod period;
pub mod store;
pub mod workbook;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::figures))
        .routes(routes!(handlers::site_table))
        .routes(routes!(handlers::list_targets, handlers::set_target))
        .routes(routes!(handlers::figures_export))
        .routes(routes!(handlers::records_export))
}
