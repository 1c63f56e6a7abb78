//! Logging: human-readable by default, JSON lines with `SIJIL_LOG_FORMAT=json`.
//! Request spans carry method, route, status and latency, never bodies,
//! cookies or query strings (they may name participants).

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("SIJIL_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sqlx::query=error,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
