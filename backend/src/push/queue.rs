//! The durable sender: a background task in every instance (unless told
//! not to) that claims due notices with a lease, builds each message with
//! `web-push` (aes128gcm, RFC 8291; VAPID, RFC 8292) and sends it with our
//! own HTTP client. Requests never wait on it: they only insert rows.
//!
//! - A claim is a lease (`claimed_by`, `claimed_until`): several instances
//!   on one PostgreSQL never hold the same notice, and one whose instance
//!   died mid-send is taken again when its lease runs out.
//! - 2xx: sent. 404/410: the subscription is gone and is deleted. 429, 5xx,
//!   a timeout or a refused connection: tried again with exponential
//!   backoff, up to [`MAX_ATTEMPTS`]. Any other 4xx: failed for good.
//! - A notice older than its TTL is not sent any more.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use web_push::{
    ContentEncoding, SubscriptionInfo, Urgency as WpUrgency, VapidSignatureBuilder,
    WebPushMessageBuilder,
};

use super::model::{audience, endpoint_rule, reminder_day, VapidKey};
use super::store::{self, Due};
use crate::state::AppState;
use crate::store::{now_millis, Db};

/// Notices being sent at once by one instance.
const IN_FLIGHT: usize = 16;
/// Attempts before a notice fails for good.
pub const MAX_ATTEMPTS: i64 = 8;
/// The first retry waits this long, each later one twice as long …
const FIRST_BACKOFF_MS: i64 = 30_000;
/// … up to this.
const MAX_BACKOFF_MS: i64 = 3_600_000;

/// Makes the programme's VAPID key on first start, or reads it. Two
/// instances starting together agree on one (see `store::insert_vapid_key`).
pub async fn ensure_key(db: &Db) -> anyhow::Result<VapidKey> {
    if let Some(row) = store::vapid_key(db).await? {
        return checked(row);
    }
    let fresh = VapidKey::generate();
    store::insert_vapid_key(db, &fresh.private_key, &fresh.public_key, now_millis()).await?;
    let row = store::vapid_key(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the VAPID key is missing right after it was stored"))?;
    checked(row)
}

fn checked(row: store::KeyRow) -> anyhow::Result<VapidKey> {
    VapidKey::new(&row.private_key)
        .ok_or_else(|| anyhow::anyhow!("the stored VAPID private key is not a P-256 key"))
}

/// Starts the sender, unless this instance is configured not to send.
pub fn spawn(state: AppState, key: VapidKey) -> Option<JoinHandle<()>> {
    if !state.config.push.send {
        return None;
    }
    Some(tokio::spawn(run(state, key)))
}

/// Starts the daily group reminders (every instance checks; one does the
/// day's run), unless no reminder hour is configured.
pub fn spawn_reminders(state: AppState) -> Option<JoinHandle<()>> {
    let hour = state.config.push.reminder_hour?;
    Some(tokio::spawn(async move {
        let poll = Duration::from_millis(state.config.push.reminder_poll_ms.max(50));
        let mut done_day = String::new();
        loop {
            let now = now_millis();
            if let Some((day, weekday)) =
                reminder_day(now, state.config.push.utc_offset_minutes, hour)
            {
                if day != done_day {
                    match reminders(&state.db, &day, weekday, now).await {
                        Ok(queued) => {
                            if let Some(devices) = queued {
                                tracing::info!(day, devices, "web push: group reminders queued");
                            }
                            done_day = day;
                        }
                        Err(e) => tracing::warn!(error = %e, "web push: group reminders failed"),
                    }
                }
            }
            tokio::time::sleep(poll).await;
        }
    }))
}

async fn reminders(db: &Db, day: &str, weekday: u8, now: i64) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let queued = super::notify::group_reminders(&mut tx, day, weekday, now).await?;
    tx.commit().await?;
    Ok(queued)
}

/// The delay before attempt `attempts + 1`.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 20) - 1;
    (FIRST_BACKOFF_MS << doublings).min(MAX_BACKOFF_MS)
}

async fn run(state: AppState, key: VapidKey) {
    let worker = uuid::Uuid::new_v4().to_string();
    let timeout = Duration::from_millis(state.config.push.request_timeout_ms);
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // A push service answers; it does not send us elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "web push: no HTTP client; notifications stay queued");
            return;
        }
    };
    let sender = Sender {
        db: state.db.clone(),
        client,
        key,
        worker,
        subject: state.config.push.subject.clone(),
        allow_loopback: state.config.push.allow_loopback,
        // Longer than a request may take, so a live worker keeps its claim.
        lease_ms: 3 * state.config.push.request_timeout_ms as i64 + 30_000,
    };
    let poll = Duration::from_millis(state.config.push.poll_ms.max(50));
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        let free = in_flight.available_permits();
        let claimed = if free == 0 {
            Ok(0)
        } else {
            sender.round(&in_flight, free).await
        };
        match claimed {
            // As many as there was room for: there may be more waiting.
            Ok(n) if n > 0 && n == free => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "web push: could not claim notices"),
        }
        tokio::time::sleep(poll).await;
    }
}

#[derive(Clone)]
struct Sender {
    db: Db,
    client: reqwest::Client,
    key: VapidKey,
    worker: String,
    subject: String,
    allow_loopback: bool,
    lease_ms: i64,
}

/// What became of one attempt.
#[derive(Debug)]
enum Outcome {
    Sent,
    Gone,
    /// The user's sessions ended or they were deactivated after subscribing.
    Stale,
    Retry {
        error: String,
        after_ms: Option<i64>,
    },
    Failed(String),
}

impl Sender {
    /// Claims up to `room` due notices and starts sending each; returns how
    /// many were claimed. Each send holds a permit of `in_flight` until its
    /// outcome is stored, so a hanging push service holds up only its own
    /// notices, and no more than [`IN_FLIGHT`] are claimed at once.
    async fn round(&self, in_flight: &Arc<Semaphore>, room: usize) -> Result<usize, sqlx::Error> {
        let now = now_millis();
        let batch = store::claim(
            &self.db,
            &self.worker,
            now,
            now + self.lease_ms,
            room as i64,
        )
        .await?;
        let n = batch.len();
        for due in batch {
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                break;
            };
            let me = self.clone();
            tokio::spawn(async move {
                let outcome = me.attempt(&due).await;
                if let Err(e) = me.settle(&due, outcome).await {
                    tracing::warn!(error = %e, notice = due.id, "web push: could not record the outcome");
                }
                drop(permit);
            });
        }
        Ok(n)
    }

    async fn attempt(&self, due: &Due) -> Outcome {
        if due.stale {
            return Outcome::Stale;
        }
        if now_millis() > due.created_at + due.ttl_secs * 1000 {
            return Outcome::Failed("expired before it could be sent".into());
        }
        // Checked again here: a subscription stored while loopback was
        // allowed must not be sent to after the switch is off.
        if let Err(why) = endpoint_rule(&due.endpoint, self.allow_loopback) {
            return Outcome::Failed(format!("endpoint refused: {why}"));
        }
        let request = match self.build(due) {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("could not build the message: {e}")),
        };
        match request.send().await {
            Ok(res) => {
                let status = res.status();
                let retry_after = res
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .map(|secs| secs.clamp(1, 3600) * 1000);
                match status.as_u16() {
                    200..=299 => Outcome::Sent,
                    404 | 410 => Outcome::Gone,
                    429 | 500..=599 => Outcome::Retry {
                        error: format!("push service answered {status}"),
                        after_ms: retry_after,
                    },
                    _ => Outcome::Failed(format!("push service answered {status}")),
                }
            }
            Err(e) => Outcome::Retry {
                error: if e.is_timeout() {
                    "push service timed out".into()
                } else {
                    "push service unreachable".into()
                },
                after_ms: None,
            },
        }
    }

    /// The encrypted, signed request for `due`.
    fn build(&self, due: &Due) -> Result<reqwest::RequestBuilder, web_push::WebPushError> {
        let info = SubscriptionInfo::new(
            due.endpoint.as_str(),
            due.p256dh.as_str(),
            due.auth.as_str(),
        );
        let mut signature = VapidSignatureBuilder::from_base64(&self.key.private_key, &info)?;
        if let Some(aud) = audience(&due.endpoint) {
            signature.add_claim("aud", aud);
        }
        signature.add_claim("sub", self.subject.as_str());
        let signature = signature.build()?;
        let mut message = WebPushMessageBuilder::new(&info);
        message.set_ttl(due.ttl_secs.clamp(0, u32::MAX as i64) as u32);
        message.set_urgency(match due.urgency.as_str() {
            "very-low" => WpUrgency::VeryLow,
            "low" => WpUrgency::Low,
            "high" => WpUrgency::High,
            _ => WpUrgency::Normal,
        });
        if let Some(topic) = &due.topic {
            message.set_topic(topic.clone());
        }
        message.set_vapid_signature(signature);
        message.set_payload(ContentEncoding::Aes128Gcm, due.payload.as_bytes());
        let message = message.build()?;
        let mut request = self
            .client
            .post(message.endpoint.to_string())
            .header("TTL", message.ttl.to_string());
        if let Some(urgency) = message.urgency {
            request = request.header("Urgency", urgency.to_string());
        }
        if let Some(topic) = message.topic {
            request = request.header("Topic", topic);
        }
        if let Some(payload) = message.payload {
            request = request
                .header(
                    reqwest::header::CONTENT_ENCODING,
                    payload.content_encoding.to_str(),
                )
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream");
            for (name, value) in payload.crypto_headers {
                request = request.header(name, value);
            }
            request = request.body(payload.content);
        }
        Ok(request)
    }

    async fn settle(&self, due: &Due, outcome: Outcome) -> Result<(), sqlx::Error> {
        let now = now_millis();
        match outcome {
            Outcome::Sent => store::sent(&self.db, due, &self.worker, now).await,
            Outcome::Gone => {
                tracing::info!(
                    subscription = due.subscription_id,
                    "web push: the push service no longer knows a subscription; removed"
                );
                store::gone(&self.db, due.subscription_id).await
            }
            Outcome::Stale => store::gone(&self.db, due.subscription_id).await,
            Outcome::Retry { error, .. } if due.attempts >= MAX_ATTEMPTS => {
                let error = format!("{error}; gave up after {} attempts", due.attempts);
                store::failed(&self.db, due, &self.worker, &error, now).await
            }
            Outcome::Retry { error, after_ms } => {
                let wait = after_ms.unwrap_or_else(|| backoff_ms(due.attempts));
                store::retry(&self.db, due, &self.worker, now + wait, &error, now).await
            }
            Outcome::Failed(error) => store::failed(&self.db, due, &self.worker, &error, now).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(3), 120_000);
        assert_eq!(backoff_ms(7), 1_920_000);
        assert_eq!(backoff_ms(8), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(100), MAX_BACKOFF_MS);
    }
}
