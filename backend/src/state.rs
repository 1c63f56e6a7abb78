//! What every handler can reach: the store and the settings. A leaf of the
//! house: handlers import it, and it imports no capability.

use std::sync::Arc;

use crate::config::Config;
use crate::store::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
        }
    }
}
