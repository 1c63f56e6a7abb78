//! The triggers: what makes a notice, for whom, in their language. Each is
//! called inside the transaction of what caused it, so a notice is queued
//! exactly when its cause is stored.

use sqlx::AnyConnection;

use super::model::flagged_notice;
use super::store;
use crate::users::model::Language;

/// A coordinator flagged record `record_id`: its recorder hears of it on
/// each of their devices (nobody else does). Nothing when the reviewer
/// recorded it themselves, or the record's author has no subscription.
/// Returns how many devices were queued.
pub async fn record_flagged(
    conn: &mut AnyConnection,
    record_id: &str,
    reviewer_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let Some(record) = store::flagged_record(conn, record_id).await? else {
        return Ok(0);
    };
    if record.recorded_by == reviewer_id {
        return Ok(0);
    }
    let lang = Language::parse(&record.language).unwrap_or(Language::En);
    let mut notice = flagged_notice(
        lang,
        &record.kind,
        record_id,
        &record.occurred_on,
        &record.site_name,
    );
    let payload = match notice.payload() {
        Some(p) => p,
        None => {
            // A site name long enough to break the limit: say it without it.
            notice = flagged_notice(lang, &record.kind, record_id, &record.occurred_on, "…");
            notice.payload().unwrap_or_default()
        }
    };
    if payload.is_empty() {
        return Ok(0);
    }
    store::enqueue(conn, record.recorded_by, &notice, &payload, now).await
}
