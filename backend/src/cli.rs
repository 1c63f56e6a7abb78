//! The command line: `serve`, `migrate`, `demo`, `user create`.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DatabaseUrl, ThrottlePolicy};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://sijil-data/sijil.db?mode=rwc";

#[derive(Debug, Parser)]
#[command(
    name = "sijil",
    version,
    about = "Offline-first register for community psychosocial programmes"
)]
pub struct Cli {
    /// `sqlite://path?mode=rwc` (default: a file under ./sijil-data/) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: DatabaseUrl,

    /// Log format: `text` or `json`.
    #[arg(long, env = "SIJIL_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations, then serve the API and the app.
    Serve(ServeArgs),
    /// Run pending migrations and exit.
    Migrate,
    /// Fill the database with a realistic demo programme (and print its accounts).
    Demo,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SIJIL_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Mark the session cookie Secure (when served over HTTPS).
    #[arg(long, env = "SIJIL_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Minutes of inactivity after which a session ends (default: 7 days,
    /// since trainers may be without a network for days).
    #[arg(long, env = "SIJIL_SESSION_IDLE_MINUTES", default_value_t = 7 * 24 * 60)]
    pub session_idle_minutes: i64,
    /// Read the client address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "SIJIL_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            addr: self.addr,
            secure_cookies: self.secure_cookies,
            session_idle_minutes: self.session_idle_minutes.max(1),
            trust_forwarded_for: self.trust_forwarded_for,
            throttle: ThrottlePolicy::default(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create(CreateUserArgs),
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub login: String,
    #[arg(long)]
    pub name: String,
    /// admin, coordinator, trainer or mobiliser.
    #[arg(long)]
    pub role: String,
    /// Site code the user works at (repeatable).
    #[arg(long = "site")]
    pub sites: Vec<String>,
    /// en, ar or ckb.
    #[arg(long, default_value = "en")]
    pub language: String,
}
