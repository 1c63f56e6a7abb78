//! The command line: `serve`, `migrate`, `demo`, `user create`.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DatabaseUrl, PushConfig, ReferralConfig, ThrottlePolicy};

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
    /// Write a consistent copy of the SQLite database while it is in use, and check it.
    Backup(BackupArgs),
    /// Put a SQLite backup in place of the database (stop the server first).
    Restore(RestoreArgs),
    /// Tell phones the database was restored (run after `pg_restore`).
    MarkRestored,
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
    /// Hours after login at which a session ends however much it is used
    /// (default: 30 days). Phones stay usable offline behind their app lock;
    /// only sending needs a fresh password login.
    #[arg(long, env = "SIJIL_SESSION_MAX_HOURS", default_value_t = 30 * 24)]
    pub session_max_hours: i64,
    /// How many reverse proxies in front append to X-Forwarded-For; the
    /// client address is the entry the outermost one wrote. 0: ignore the header.
    #[arg(long, env = "SIJIL_TRUSTED_PROXIES", default_value_t = 0)]
    pub trusted_proxies: usize,
    /// Days a phone keeps what it sent, to offer it again after the server
    /// is restored from a backup; set it above the age of your oldest backup.
    #[arg(long, env = "SIJIL_PHONE_KEEPS_SENT_DAYS", default_value_t = 14)]
    pub phone_keeps_sent_days: u32,
    /// A record first received more than this many days after the date it
    /// happened is marked "late entry" for the coordinator.
    #[arg(long, env = "SIJIL_LATE_ENTRY_DAYS", default_value_t = 7)]
    pub late_entry_days: i64,
    /// Days a phone keeps records after a clean sync; older ones (unless
    /// unsent) leave the phone, which needs them no more.
    #[arg(long, env = "SIJIL_PHONE_KEEPS_RECORDS_DAYS", default_value_t = 90)]
    pub phone_keeps_records_days: u32,
    /// The same as `--trusted-proxies 1` (kept for existing set-ups).
    #[arg(long, env = "SIJIL_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
    /// Accept `http://` web-push endpoints on loopback addresses (for a
    /// test push service). Off: only `https://` endpoints are accepted.
    #[arg(long, env = "SIJIL_PUSH_ALLOW_LOOPBACK", default_value_t = false)]
    pub push_allow_loopback: bool,
    /// How push services can reach the operator (VAPID `sub`), e.g.
    /// `mailto:it@example.org`.
    #[arg(
        long,
        env = "SIJIL_PUSH_SUBJECT",
        default_value = "mailto:admin@localhost"
    )]
    pub push_subject: String,
    /// Do not send web push from this instance (another instance sends).
    #[arg(long, env = "SIJIL_PUSH_NO_SEND", default_value_t = false)]
    pub push_no_send: bool,
    /// The local hour (0–23) after which the facilitators of a group that
    /// meets today and has no record yet get a reminder.
    #[arg(long, env = "SIJIL_PUSH_REMINDER_HOUR", default_value_t = 15, value_parser = clap::value_parser!(u8).range(0..=23))]
    pub push_reminder_hour: u8,
    /// The programme's clock for reminders, in minutes east of UTC.
    #[arg(
        long,
        env = "SIJIL_UTC_OFFSET_MINUTES",
        default_value_t = 180,
        allow_negative_numbers = true
    )]
    pub utc_offset_minutes: i32,
    /// Serve `GET /metrics` (Prometheus text) to scrapers sending
    /// `Authorization: Bearer <token>`; at least 16 characters. Unset: no `/metrics`.
    #[arg(long, env = "SIJIL_METRICS_TOKEN", hide_env_values = true, value_parser = metrics_token)]
    pub metrics_token: Option<String>,
    /// A referral with no answer (neither accepted nor declined) more than
    /// this many days after it was made is overdue.
    #[arg(long, env = "SIJIL_REFERRAL_OVERDUE_DAYS", default_value_t = 14, value_parser = clap::value_parser!(i64).range(0..=365))]
    pub referral_overdue_days: i64,
    /// Let a referral carry a short routing note (≤ 200 characters; never exported).
    #[arg(long, env = "SIJIL_REFERRAL_NOTES", default_value_t = false)]
    pub referral_notes: bool,
}

fn metrics_token(value: &str) -> Result<String, String> {
    if value.trim().len() < crate::monitoring::model::MIN_TOKEN_LEN {
        return Err(format!(
            "at least {} characters",
            crate::monitoring::model::MIN_TOKEN_LEN
        ));
    }
    Ok(value.trim().to_owned())
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            addr: self.addr,
            secure_cookies: self.secure_cookies,
            session_idle_secs: self.session_idle_minutes.max(1) * 60,
            session_max_secs: self.session_max_hours.max(1) * 3600,
            device_key_window_secs: 10 * 60,
            phone_keeps_records_days: self.phone_keeps_records_days.max(1),
            trusted_proxies: if self.trusted_proxies == 0 && self.trust_forwarded_for {
                1
            } else {
                self.trusted_proxies
            },
            throttle: ThrottlePolicy::default(),
            phone_keeps_sent_days: self.phone_keeps_sent_days,
            push: PushConfig {
                allow_loopback: self.push_allow_loopback,
                send: !self.push_no_send,
                subject: self.push_subject.clone(),
                reminder_hour: Some(self.push_reminder_hour),
                utc_offset_minutes: self.utc_offset_minutes.clamp(-14 * 60, 14 * 60),
                ..PushConfig::default()
            },
            metrics_token: self.metrics_token.clone(),
            late_entry_days: self.late_entry_days.max(0),
            referrals: ReferralConfig {
                overdue_days: self.referral_overdue_days,
                notes: self.referral_notes,
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist).
    #[arg(long)]
    pub out: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore.
    pub file: std::path::PathBuf,
    /// Replace an existing database.
    #[arg(long)]
    pub force: bool,
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
    /// en, ar, ckb (Sorani) or kmr (Kurmanji, Badini).
    #[arg(long, default_value = "en")]
    pub language: String,
}
