//! The triggers: what makes a notice, for whom, in their language. Each is
//! called inside the transaction of what caused it, so a notice is queued
//! exactly when its cause is stored.

use sqlx::AnyConnection;

use super::model::{
    announcement_notice, flagged_notice, referral_made_notice, referral_moved_notice,
    reminder_notice, Announcement, Notice,
};
use super::store::{self, Recipient};
use crate::users::model::Language;

fn language(recipient: &Recipient) -> Language {
    Language::parse(&recipient.language).unwrap_or(Language::En)
}

/// Queues `notice` for `user_id`'s devices; how many.
async fn queue(
    conn: &mut AnyConnection,
    user_id: i64,
    notice: &Notice,
    now: i64,
) -> Result<u64, sqlx::Error> {
    match notice.payload() {
        Some(payload) => store::enqueue(conn, user_id, notice, &payload, now).await,
        None => {
            tracing::warn!(
                kind = notice.kind,
                "web push: a notice over the size limit was not queued"
            );
            Ok(0)
        }
    }
}

/// A coordinator's announcement to the staff of `announcement.site_ids`
/// (the caller checked they are in the sender's scope). Returns the people
/// and the devices it was queued for.
pub async fn announce(
    conn: &mut AnyConnection,
    sender_id: i64,
    sender_name: &str,
    announcement: &Announcement,
    now: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let staff = store::site_staff(conn, &announcement.site_ids, sender_id).await?;
    let mut devices = 0;
    for person in &staff {
        let notice = announcement_notice(language(person), sender_name, &announcement.text);
        devices += queue(conn, person.id, &notice, now).await?;
    }
    Ok((staff.len() as i64, devices as i64))
}

/// The day's group reminders: each live group that meets on `weekday`
/// (ISO) and has no record dated `day` → its facilitators (or, with none,
/// whoever made the group). Done once per day across instances: only the
/// caller whose transaction takes the day queues anything. Returns how
/// many devices were queued, or None when the day was done already.
pub async fn group_reminders(
    conn: &mut AnyConnection,
    day: &str,
    weekday: u8,
    now: i64,
) -> Result<Option<u64>, sqlx::Error> {
    if !store::take_reminder_day(conn, day, now).await? {
        return Ok(None);
    }
    let mut devices = 0;
    for group in store::groups_unrecorded_on(conn, day).await? {
        // Read from the stored payload as plain JSON (`groups::model::GroupData`
        // names the field), so this floor does not import the groups above it.
        let meets_today = serde_json::from_str::<serde_json::Value>(&group.payload)
            .ok()
            .and_then(|g| g.get("weekdays").and_then(|w| w.as_array()).cloned())
            .is_some_and(|days| days.iter().any(|d| d.as_u64() == Some(u64::from(weekday))));
        if !meets_today {
            continue;
        }
        let mut people = store::facilitators(conn, &group.id).await?;
        if people.is_empty() {
            people.extend(store::active_language(conn, group.created_by).await?);
        }
        for person in &people {
            let notice = reminder_notice(language(person), &group.id, &group.site_name);
            devices += queue(conn, person.id, &notice, now).await?;
        }
    }
    Ok(Some(devices))
}

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

/// Referral `referral_id` was just made (online or pushed from a phone):
/// the coordinators of the partner it is addressed to hear of it (an
/// outside organisation has nobody here). Not the referrer, if one of
/// them. Returns how many devices were queued.
pub async fn referral_made(
    conn: &mut AnyConnection,
    referral_id: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let Some(facts) = store::referral_facts(conn, referral_id).await? else {
        return Ok(0);
    };
    let Some(partner) = facts.to_partner_id else {
        return Ok(0);
    };
    let mut devices = 0;
    for person in store::partner_coordinators(conn, partner, facts.referred_by).await? {
        let notice = referral_made_notice(
            language(&person),
            referral_id,
            &facts.referred_on,
            &facts.from_site,
        );
        devices += queue(conn, person.id, &notice, now).await?;
    }
    Ok(devices)
}

/// Referral `referral_id` moved to `status` by `mover`: the staff member
/// who made it hears of an answer (accepted, declined, service received,
/// not reached), unless they recorded it themselves. Returns how many
/// devices were queued.
pub async fn referral_moved(
    conn: &mut AnyConnection,
    referral_id: &str,
    status: &str,
    mover: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let Some(facts) = store::referral_facts(conn, referral_id).await? else {
        return Ok(0);
    };
    if facts.referred_by == mover || !facts.referrer_active {
        return Ok(0);
    }
    let lang = Language::parse(&facts.language).unwrap_or(Language::En);
    match referral_moved_notice(lang, referral_id, &facts.referred_on, status) {
        Some(notice) => queue(conn, facts.referred_by, &notice, now).await,
        None => Ok(0),
    }
}
