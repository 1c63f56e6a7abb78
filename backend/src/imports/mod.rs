//! Importing the lists a programme already keeps (issue 16): participants
//! and group rosters from a CSV file or an XLSX workbook, in English, Arabic
//! or Sorani headers (the reader is the only difference: [`table`]).
//! A dry run reports every row's problems by row and column and writes
//! nothing; an apply writes only a clean file (or, when the admin accepts,
//! its good rows), through the same write path as a phone's push, so the
//! imported people reach phones by pull with codes as if registered on a
//! phone. Re-importing a file changes nothing (`import_keys`).

mod handlers;
pub mod model;
mod run;
pub mod store;
pub mod table;
pub mod xlsx;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Largest file accepted: a few thousand rows of a programme's list (the
/// rest of the API keeps its smaller limit).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::import))
        .routes(routes!(handlers::template))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES))
}
