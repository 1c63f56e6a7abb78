//! All of web push's SQL: the VAPID key, subscriptions, and the send queue
//! with its leases.

use sqlx::AnyConnection;

use super::model::{NewSubscription, Notice};
use crate::store::{Backend, Db, Flag};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub private_key: String,
    pub public_key: String,
}

/// The programme's VAPID key, if made.
pub async fn vapid_key(db: &Db) -> Result<Option<KeyRow>, sqlx::Error> {
    sqlx::query_as("SELECT private_key, public_key FROM push_vapid_key WHERE id = 1")
        .fetch_optional(db.pool())
        .await
}

/// Stores a key unless one is there already: of two instances starting at
/// once, one inserts and the other's insert does nothing; both then read
/// the one that won.
pub async fn insert_vapid_key(
    db: &Db,
    private_key: &str,
    public_key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO push_vapid_key (id, private_key, public_key, created_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(private_key)
    .bind(public_key)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Stores `sub` for `user_id`, or moves an endpoint already known (a phone
/// shared by two users) to them; its pending notices for the previous
/// user fail first, so they never reach the new user's screen.
pub async fn subscribe(
    conn: &mut AnyConnection,
    user_id: i64,
    sub: &NewSubscription,
    session_hash: Option<&str>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE push_queue SET status = 'failed', last_error = 'subscription moved to another user', \
         claimed_by = NULL, claimed_until = NULL \
         WHERE status = 'pending' AND subscription_id IN \
         (SELECT id FROM push_subscriptions WHERE endpoint = $1 AND user_id <> $2)",
    )
    .bind(&sub.endpoint)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, session_hash, created_at, session_epoch) \
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT session_epoch FROM users WHERE id = $1)) \
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, \
         auth = excluded.auth, session_hash = excluded.session_hash, session_epoch = excluded.session_epoch \
         RETURNING id",
    )
    .bind(user_id)
    .bind(&sub.endpoint)
    .bind(&sub.p256dh)
    .bind(&sub.auth)
    .bind(session_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Removes the user's subscription at `endpoint`; false when there was none.
pub async fn unsubscribe(db: &Db, user_id: i64, endpoint: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2",
    )
    .bind(user_id)
    .bind(endpoint)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        remove(&mut tx, *id, "unsubscribed").await?;
    }
    tx.commit().await?;
    Ok(!ids.is_empty())
}

/// Removes the subscriptions made in the session that is logging out.
pub async fn unsubscribe_session(db: &Db, session_hash: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM push_subscriptions WHERE session_hash = $1")
            .bind(session_hash)
            .fetch_all(&mut *tx)
            .await?;
    for id in &ids {
        remove(&mut tx, *id, "signed out").await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// Deletes subscription `id`; what was pending for it fails with `why`.
async fn remove(conn: &mut AnyConnection, id: i64, why: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE push_queue SET status = 'failed', last_error = $2, claimed_by = NULL, claimed_until = NULL \
         WHERE subscription_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(why)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Queues `notice` for each device of `user_id`, in the caller's
/// transaction (so it exists exactly when what caused it does). Returns how
/// many devices it will go to.
pub async fn enqueue(
    conn: &mut AnyConnection,
    user_id: i64,
    notice: &Notice,
    payload: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    // Devices subscribed before the user's sessions were ended (a password
    // reset) are dropped, not notified; their pending notices fail.
    sqlx::query(
        "DELETE FROM push_subscriptions WHERE user_id = $1 \
         AND session_epoch <> (SELECT session_epoch FROM users WHERE id = $1)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "INSERT INTO push_queue (subscription_id, kind, payload, topic, urgency, ttl_secs, status, attempts, due_at, created_at) \
         SELECT id, $2, $3, $4, $5, $6, 'pending', 0, $7, $7 FROM push_subscriptions WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(notice.kind)
    .bind(payload)
    .bind(notice.topic.as_deref())
    .bind(notice.urgency().as_str())
    .bind(i64::from(notice.ttl_secs))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// What a flag notice needs to know about a record.
#[derive(Debug, sqlx::FromRow)]
pub struct FlaggedRecord {
    pub kind: String,
    pub occurred_on: String,
    pub recorded_by: i64,
    pub site_name: String,
    pub language: String,
}

pub async fn flagged_record(
    conn: &mut AnyConnection,
    record_id: &str,
) -> Result<Option<FlaggedRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.kind, r.occurred_on, r.recorded_by, s.name AS site_name, u.language \
         FROM activity_records r JOIN sites s ON s.id = r.site_id JOIN users u ON u.id = r.recorded_by \
         WHERE r.id = $1 AND u.active = 1",
    )
    .bind(record_id)
    .fetch_optional(&mut *conn)
    .await
}

/// A claimed notice with where it goes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub subscription_id: i64,
    pub payload: String,
    pub topic: Option<String>,
    pub urgency: String,
    pub ttl_secs: i64,
    pub attempts: i64,
    pub created_at: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    /// The user was deactivated, or their sessions ended (password reset),
    /// since the subscription was made: not to be sent.
    #[sqlx(try_from = "Flag")]
    pub stale: bool,
}

/// Claims up to `limit` due notices for `worker` until `lease_until`: a
/// notice another live worker holds is skipped, one whose lease ran out (its
/// worker died mid-send) is taken over. On PostgreSQL the rows are locked
/// with `FOR UPDATE SKIP LOCKED`, so two instances claiming at once get
/// different rows; SQLite has one writer at a time (`BEGIN IMMEDIATE`), so
/// the guarded UPDATE is enough.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Due>, sqlx::Error> {
    // A plain read first: most polls find nothing, and on SQLite a write
    // transaction would take the database's one write lock every poll.
    let waiting: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM push_queue WHERE status = 'pending' AND due_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    if waiting.is_none() {
        return Ok(Vec::new());
    }
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut tx = db.begin().await?;
    // A notice whose subscription went with its user has nowhere to go.
    sqlx::query(
        "UPDATE push_queue SET status = 'failed', last_error = 'no subscription' \
         WHERE status = 'pending' AND subscription_id IS NULL",
    )
    .execute(&mut *tx)
    .await?;
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE push_queue SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM push_queue WHERE status = 'pending' AND due_at <= $3 \
         AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY due_at, id LIMIT $4{lock}) \
         RETURNING id"
    ))
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT q.id, q.subscription_id, q.payload, q.topic, q.urgency, q.ttl_secs, q.attempts, q.created_at, \
         s.endpoint, s.p256dh, s.auth, \
         CASE WHEN u.active = 1 AND u.session_epoch = s.session_epoch THEN 0 ELSE 1 END AS stale \
         FROM push_queue q JOIN push_subscriptions s ON s.id = q.subscription_id JOIN users u ON u.id = s.user_id \
         WHERE q.id IN ({}) ORDER BY q.due_at, q.id",
        crate::store::placeholders(1, ids.len())
    );
    let due = sqlx::query_as(&sql);
    let due = ids.iter().fold(due, |q, id| q.bind(*id));
    let due = due.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(due)
}

/// The push service accepted `due`. Only while `worker` still holds it.
pub async fn sent(db: &Db, due: &Due, worker: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE push_queue SET status = 'sent', sent_at = $3, claimed_by = NULL, claimed_until = NULL, last_error = NULL \
         WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
    )
    .bind(due.id)
    .bind(worker)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE push_subscriptions SET last_success_at = $2 WHERE id = $1")
        .bind(due.subscription_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Try `due` again at `due_at`.
pub async fn retry(
    db: &Db,
    due: &Due,
    worker: &str,
    due_at: i64,
    error: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE push_queue SET due_at = $3, last_error = $4, claimed_by = NULL, claimed_until = NULL \
         WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
    )
    .bind(due.id)
    .bind(worker)
    .bind(due_at)
    .bind(error)
    .execute(&mut *tx)
    .await?;
    failure_seen(&mut tx, due.subscription_id, now).await?;
    tx.commit().await
}

/// `due` will not be sent.
pub async fn failed(
    db: &Db,
    due: &Due,
    worker: &str,
    error: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE push_queue SET status = 'failed', last_error = $3, claimed_by = NULL, claimed_until = NULL \
         WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
    )
    .bind(due.id)
    .bind(worker)
    .bind(error)
    .execute(&mut *tx)
    .await?;
    failure_seen(&mut tx, due.subscription_id, now).await?;
    tx.commit().await
}

async fn failure_seen(
    conn: &mut AnyConnection,
    subscription_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE push_subscriptions SET last_failure_at = $2 WHERE id = $1")
        .bind(subscription_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The push service says the subscription is gone (404/410): it is deleted,
/// and what was pending for it fails.
pub async fn gone(db: &Db, subscription_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    remove(&mut tx, subscription_id, "subscription gone").await?;
    tx.commit().await
}

/// Queue counts by status.
#[derive(Debug, sqlx::FromRow)]
pub struct StatusCount {
    pub status: String,
    pub n: i64,
}

pub async fn queue_counts(db: &Db) -> Result<Vec<StatusCount>, sqlx::Error> {
    sqlx::query_as("SELECT status, COUNT(*) AS n FROM push_queue GROUP BY status")
        .fetch_all(db.pool())
        .await
}

/// One subscription as admins see it (the endpoint is a capability URL:
/// only its origin is shown).
#[derive(Debug, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    pub endpoint: String,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    pub pending: i64,
}

pub async fn subscriptions(db: &Db) -> Result<Vec<SubscriptionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.user_id, u.login, s.endpoint, s.created_at, s.last_success_at, s.last_failure_at, \
         (SELECT COUNT(*) FROM push_queue q WHERE q.subscription_id = s.id AND q.status = 'pending') AS pending \
         FROM push_subscriptions s JOIN users u ON u.id = s.user_id ORDER BY s.id",
    )
    .fetch_all(db.pool())
    .await
}

/// A person a notice goes to, with the language it is written in.
#[derive(Debug, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub language: String,
}

/// The active staff of `site_ids` other than `sender_id`.
pub async fn site_staff(
    conn: &mut AnyConnection,
    site_ids: &[i64],
    sender_id: i64,
) -> Result<Vec<Recipient>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT u.id, u.language FROM users u JOIN user_sites us ON us.user_id = u.id \
         WHERE us.site_id IN ({}) AND u.active = 1 AND u.id <> $1 ORDER BY u.id",
        crate::store::placeholders(2, site_ids.len())
    );
    let query = sqlx::query_as(&sql).bind(sender_id);
    site_ids
        .iter()
        .fold(query, |q, id| q.bind(*id))
        .fetch_all(&mut *conn)
        .await
}

/// Takes the reminder run of local `day`: true for the one instance whose
/// insert lands (inside the caller's transaction, so a run that fails
/// leaves the day to the next try).
pub async fn take_reminder_day(
    conn: &mut AnyConnection,
    day: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO push_reminder_runs (day, ran_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
    )
    .bind(day)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A live group with what a reminder needs; its weekdays are in `payload`.
#[derive(Debug, sqlx::FromRow)]
pub struct GroupRow {
    pub id: String,
    pub created_by: i64,
    pub payload: String,
    pub site_name: String,
}

/// The live groups at active sites with no record dated `day`.
pub async fn groups_unrecorded_on(
    conn: &mut AnyConnection,
    day: &str,
) -> Result<Vec<GroupRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT g.id, g.created_by, g.payload, s.name AS site_name \
         FROM activity_groups g JOIN sites s ON s.id = g.site_id \
         WHERE g.deleted = 0 AND s.active = 1 AND NOT EXISTS \
         (SELECT 1 FROM activity_records r WHERE r.group_id = g.id AND r.occurred_on = $1 AND r.deleted = 0) \
         ORDER BY g.id",
    )
    .bind(day)
    .fetch_all(&mut *conn)
    .await
}

/// The active facilitators of `group_id`.
pub async fn facilitators(
    conn: &mut AnyConnection,
    group_id: &str,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.language FROM group_facilitators f JOIN users u ON u.id = f.user_id \
         WHERE f.group_id = $1 AND u.active = 1 ORDER BY u.id",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await
}

/// An active user's language, if active.
pub async fn active_language(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<Recipient>, sqlx::Error> {
    sqlx::query_as("SELECT id, language FROM users WHERE id = $1 AND active = 1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await
}

/// What a referral's notices need: who made it, in which language they
/// read, from which site, when, and the partner it is addressed to.
#[derive(Debug, sqlx::FromRow)]
pub struct ReferralFacts {
    pub referred_by: i64,
    pub language: String,
    #[sqlx(try_from = "Flag")]
    pub referrer_active: bool,
    pub from_site: String,
    pub referred_on: String,
    pub to_partner_id: Option<i64>,
}

pub async fn referral_facts(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Option<ReferralFacts>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.referred_by, u.language, u.active AS referrer_active, s.name AS from_site, r.referred_on, r.to_partner_id \
         FROM referrals r JOIN users u ON u.id = r.referred_by JOIN sites s ON s.id = r.from_site_id \
         WHERE r.id = $1",
    )
    .bind(referral_id)
    .fetch_optional(&mut *conn)
    .await
}

/// The active coordinators who work at a site of `partner_id` (named
/// sites: a programme-wide coordinator is not one partner's), but `except`.
pub async fn partner_coordinators(
    conn: &mut AnyConnection,
    partner_id: i64,
    except: i64,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT u.id, u.language FROM users u JOIN user_sites us ON us.user_id = u.id \
         JOIN sites s ON s.id = us.site_id \
         WHERE s.partner_id = $1 AND u.role = 'coordinator' AND u.active = 1 AND u.id <> $2 ORDER BY u.id",
    )
    .bind(partner_id)
    .bind(except)
    .fetch_all(&mut *conn)
    .await
}
