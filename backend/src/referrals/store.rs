//! All of the SQL of referrals: the row a push writes, the steps, the
//! lists each side reads (the side is part of the query, so the database
//! applies it), and the rows the figures count.

use sqlx::AnyConnection;

use super::model::{ReferralData, Status};
use super::views::{ListFilter, ReferralRow, Side, Step};
use crate::access::{Role, SiteScope};
use crate::changes::item::WriteMeta;
use crate::changes::model::Head;
use crate::changes::{self, Entity};
use crate::store::placeholders;

/// The referral `id` as the shared push rule reads it. A referral is never
/// deleted; its site is the referring site, its owner the referrer.
pub async fn load_head(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
    sqlx::query_as(
        "SELECT version, 0 AS deleted, payload, from_site_id AS site_id, referred_by AS owner FROM referrals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Where an active service of an active organisation sends a referral:
/// its organisation and that organisation's partner.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Target {
    pub organisation_id: i64,
    pub partner_id: Option<i64>,
}

pub async fn target(
    conn: &mut AnyConnection,
    service_id: i64,
) -> Result<Option<Target>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id AS organisation_id, o.partner_id FROM services sv JOIN service_organisations o ON o.id = sv.organisation_id
         WHERE sv.id = $1 AND sv.active = 1 AND o.active = 1",
    )
    .bind(service_id)
    .fetch_optional(conn)
    .await
}

/// Stores a new referral and its first step; false when another writer
/// stored this id first.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    participant_id: &str,
    target: Target,
    data: &ReferralData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO referrals (id, participant_id, from_site_id, referred_by, service_id, organisation_id, to_partner_id,
           referred_on, urgency, consent, note, status, version, payload, device_created_at, received_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, 'referred', 1, $11, $12, $13, $13)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(participant_id)
    .bind(data.site_id)
    .bind(meta.actor_id)
    .bind(data.service_id)
    .bind(target.organisation_id)
    .bind(target.partner_id)
    .bind(&data.referred_on)
    .bind(data.urgency.as_str())
    .bind(data.note.as_deref())
    .bind(payload)
    .bind(meta.device_time.as_deref())
    .bind(meta.now_ms)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    insert_step(
        &mut *conn,
        id,
        Status::Referred,
        &data.referred_on,
        meta.actor_id,
        meta.now_ms,
    )
    .await?;
    changes::store::touch(
        conn,
        Entity::Referral,
        id,
        Some(data.site_id),
        Some(meta.actor_id),
    )
    .await?;
    Ok(true)
}

async fn insert_step(
    conn: &mut AnyConnection,
    id: &str,
    status: Status,
    on: &str,
    by: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO referral_steps (referral_id, status, step_on, by_user, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(on)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves referral `id` from `from` at `version` to `to`, dated `on`, by
/// `by`; false when it is no longer at that version and status (someone
/// else moved it). Writes the step and tells the referrer's phone.
#[allow(clippy::too_many_arguments)]
pub async fn move_status(
    conn: &mut AnyConnection,
    id: &str,
    from: Status,
    to: Status,
    version: i64,
    on: &str,
    by: i64,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let column = to.date_column().expect("a step after referred has a date");
    let sql = format!(
        "UPDATE referrals SET status = $1, {column} = $2, version = version + 1, updated_at = $3
         WHERE id = $4 AND version = $5 AND status = $6"
    );
    let done = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(on)
        .bind(now_ms)
        .bind(id)
        .bind(version)
        .bind(from.as_str())
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    insert_step(&mut *conn, id, to, on, by, now_ms).await?;
    let (site, referrer): (i64, i64) =
        sqlx::query_as("SELECT from_site_id, referred_by FROM referrals WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    changes::store::touch(conn, Entity::Referral, id, Some(site), Some(referrer)).await?;
    Ok(true)
}

/// The select of a referral as answered, with the sides the reader stands
/// on. Binds `$1`, `$2` (the reader's scope) and `$3` (1 for staff). A
/// person merged into another since is shown (and counted) as the survivor.
fn select() -> String {
    format!(
        "SELECT r.id, p.code AS participant_code, p.sex, p.birth_year, p.has_disability, p.displacement,
           r.from_site_id, s.name AS from_site_name, r.referred_by, u.display_name AS referred_by_name,
           r.service_id, sv.name AS service_name, sv.category, r.organisation_id, o.name AS organisation_name,
           r.to_partner_id, r.referred_on, r.urgency, r.note, r.status, r.accepted_on, r.declined_on,
           r.service_on, r.not_reached_on, r.closed_on, r.version, r.received_at,
           CASE WHEN {made} THEN 1 ELSE 0 END AS referring,
           CASE WHEN {received} THEN 1 ELSE 0 END AS receiving
         FROM referrals r
         JOIN participants pr ON pr.id = r.participant_id
         JOIN participants p ON p.id = COALESCE(pr.merged_into, pr.id)
         JOIN sites s ON s.id = r.from_site_id
         JOIN users u ON u.id = r.referred_by
         JOIN services sv ON sv.id = r.service_id
         JOIN service_organisations o ON o.id = r.organisation_id",
        made = made_sql(),
        received = received_sql()
    )
}

/// Made by the reader, or (staff) from a site in their scope.
fn made_sql() -> String {
    format!(
        "(r.referred_by = $2 OR ($3 = 1 AND {}))",
        SiteScope::sql("r.from_site_id", 1)
    )
}

/// Addressed to the partner of a site in the reader's scope.
fn received_sql() -> String {
    format!(
        "(r.to_partner_id IN (SELECT partner_id FROM sites WHERE {}))",
        SiteScope::sql("id", 1)
    )
}

/// Who reads: their scope and whether they are staff.
fn reader_binds(role: Role, scope: &SiteScope) -> (i64, i64, i64) {
    let (all, uid) = scope.binds();
    (all, uid, role.is_staff() as i64)
}

/// Referral `id` if the reader stands on either side of it.
pub async fn one(
    conn: &mut AnyConnection,
    role: Role,
    scope: &SiteScope,
    id: &str,
) -> Result<Option<ReferralRow>, sqlx::Error> {
    let sql = format!(
        "{} WHERE r.id = $4 AND ({} OR {})",
        select(),
        made_sql(),
        received_sql()
    );
    let (all, uid, staff) = reader_binds(role, scope);
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(staff)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The referrals of one side of the reader, newest first: at most `limit`
/// of them after `filter.before` (keyset paging on the order's three keys,
/// so each page is read from the index where the last one ended).
pub async fn list(
    conn: &mut AnyConnection,
    role: Role,
    scope: &SiteScope,
    filter: &ListFilter,
    limit: i64,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let side = match filter.side {
        Side::Made => made_sql(),
        Side::Received => received_sql(),
    };
    let sql = format!(
        "{} WHERE {side} AND ($4 = '' OR r.status = $4)
           AND ($5 = '' OR (r.status = 'referred' AND r.referred_on < $5))
           AND ($6 = 0 OR r.from_site_id = $6)
           AND ($8 = '' OR r.referred_on < $8
                OR (r.referred_on = $8 AND (r.received_at < $9 OR (r.received_at = $9 AND r.id < $10))))
         ORDER BY r.referred_on DESC, r.received_at DESC, r.id DESC LIMIT $7",
        select()
    );
    let (all, uid, staff) = reader_binds(role, scope);
    let before = filter.before.as_ref();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(staff)
        .bind(filter.status.map_or("", |s| s.as_str()))
        .bind(filter.overdue_before.as_deref().unwrap_or(""))
        .bind(filter.site_id.unwrap_or(0))
        .bind(limit)
        .bind(before.map_or("", |b| b.referred_on.as_str()))
        .bind(before.map_or(0, |b| b.received_at))
        .bind(before.map_or("", |b| b.id.as_str()))
        .fetch_all(conn)
        .await
}

/// The steps of referral `id`, in order.
pub async fn steps(conn: &mut AnyConnection, id: &str) -> Result<Vec<Step>, sqlx::Error> {
    sqlx::query_as(
        r#"SELECT st.status, st.step_on AS "on", st.by_user AS by_id, u.display_name AS by_name
         FROM referral_steps st JOIN users u ON u.id = st.by_user WHERE st.referral_id = $1 ORDER BY st.id"#,
    )
    .bind(id)
    .fetch_all(conn)
    .await
}

/// The referrals with these ids, as their referrers' phones pull them.
pub async fn pulled(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // The referrer's own: both sides' flags are of no use to the phone.
    let sql = format!(
        "{} WHERE r.id IN ({})",
        select()
            .replace(&made_sql(), "(1 = 1)")
            .replace(&received_sql(), "(1 = 0)"),
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, ReferralRow>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

/// The live participant a canonical code names today (a merged-away code
/// names the survivor).
pub async fn participant_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<String>, sqlx::Error> {
    Ok(
        crate::participants::store::ids_by_code(conn, &[code.to_string()])
            .await?
            .remove(code),
    )
}

/// The referrals the figures count: made in `from..=to`, of one side of
/// the reader, at the place asked (`place`: kind and id, see
/// [`super::figures::place`]).
pub async fn figure_rows(
    conn: &mut AnyConnection,
    role: Role,
    scope: &SiteScope,
    side: Side,
    from: &str,
    to: &str,
    place: (i64, i64),
) -> Result<Vec<super::figures::FigureRow>, sqlx::Error> {
    let side_sql = match side {
        Side::Made => made_sql(),
        Side::Received => received_sql(),
    };
    let sql = format!(
        "SELECT r.referred_on, r.status, r.accepted_on, r.declined_on, r.service_on, sv.category,
           r.organisation_id, o.name AS organisation_name, r.from_site_id AS site_id, s.name AS site_name,
           s.partner_id, pt.name AS partner_name, a.id AS area_id, a.parent_id AS area_parent,
           p.sex, p.birth_year, p.has_disability, p.displacement
         FROM referrals r
         JOIN participants pr ON pr.id = r.participant_id
         JOIN participants p ON p.id = COALESCE(pr.merged_into, pr.id)
         JOIN sites s ON s.id = r.from_site_id
         JOIN partners pt ON pt.id = s.partner_id
         JOIN areas a ON a.id = s.area_id
         JOIN services sv ON sv.id = r.service_id
         JOIN service_organisations o ON o.id = r.organisation_id
         WHERE {side_sql} AND r.referred_on >= $4 AND r.referred_on <= $5
           AND ($6 = 0 OR ($6 = 1 AND s.id = $7) OR ($6 = 2 AND s.area_id = $7)
                OR ($6 = 3 AND (a.id = $7 OR a.parent_id = $7)) OR ($6 = 4 AND s.partner_id = $7))"
    );
    let (all, uid, staff) = reader_binds(role, scope);
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(staff)
        .bind(from)
        .bind(to)
        .bind(place.0)
        .bind(place.1)
        .fetch_all(conn)
        .await
}

/// Whether the place asked holds a site of `scope` (a place with none of
/// the reader's sites answers 404, as everywhere in the figures).
pub async fn place_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    place: (i64, i64),
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM sites s JOIN areas a ON a.id = s.area_id
         WHERE (($3 = 1 AND s.id = $4) OR ($3 = 2 AND s.area_id = $4)
                OR ($3 = 3 AND (a.id = $4 OR a.parent_id = $4)) OR ($3 = 4 AND s.partner_id = $4))
           AND {}",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = scope.binds();
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(all)
        .bind(uid)
        .bind(place.0)
        .bind(place.1)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Every area's P-code and English name.
pub async fn area_names(
    conn: &mut AnyConnection,
) -> Result<Vec<super::figures::AreaName>, sqlx::Error> {
    sqlx::query_as("SELECT id, pcode, name_en FROM areas")
        .fetch_all(conn)
        .await
}
