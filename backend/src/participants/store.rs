//! The SQL behind participants.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::code;
use super::model::{Candidate, Found, Minimal, ParticipantData};
use crate::access::SiteScope;
use crate::changes::item::WriteMeta;
use crate::changes::model::Head;
use crate::records::model::AgeBand;
use crate::refusal::{Refusal, RefusalCode};
use crate::store::{now_millis, placeholders, AnyQuery, Db};
use crate::validate::Checker;

/// A participant as stored, as the sync rule needs it.
pub async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
    sqlx::query_as("SELECT version, deleted, payload, site_id, created_by AS owner FROM participants WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Inserts version 1 unless the id exists (then returns false).
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    d: &ParticipantData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let insert = sqlx::query(
        "INSERT INTO participants (id, code, site_id, sex, birth_year, birth_year_estimated, disability_mode,
            wg_seeing, wg_hearing, wg_walking, wg_remembering, wg_selfcare, wg_communicating, has_disability,
            displacement, registered_on, given_name, wg_by_caregiver, created_by, device_created_at, received_at, updated_at, version, deleted, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, 1, 0, $22)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id);
    let done = bind_columns(insert, d)
        .bind(meta.actor_id)
        .bind(meta.device_time.as_deref())
        .bind(meta.now_ms)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces version `base` with `base + 1` (false when `base` is no longer current).
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    base: i64,
    d: &ParticipantData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let update = sqlx::query(
        "UPDATE participants SET code = $3, site_id = $4, sex = $5, birth_year = $6, birth_year_estimated = $7, disability_mode = $8,
            wg_seeing = $9, wg_hearing = $10, wg_walking = $11, wg_remembering = $12, wg_selfcare = $13, wg_communicating = $14,
            has_disability = $15, displacement = $16, registered_on = $17, given_name = $18, wg_by_caregiver = $19, updated_at = $20,
            version = version + 1, deleted = 0, payload = $21
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(base);
    let done = bind_columns(update, d)
        .bind(meta.now_ms)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Binds a participant's columns, `code` to `wg_by_caregiver`, in table order:
/// insert and update both list them in that order after their own keys.
fn bind_columns<'q>(query: AnyQuery<'q>, d: &'q ParticipantData) -> AnyQuery<'q> {
    let wg = d.wg.map(|w| w.all().map(|a| a as i64));
    query
        .bind(&d.code)
        .bind(d.site_id)
        .bind(d.sex.as_str())
        .bind(d.birth_year)
        .bind(d.birth_year_estimated as i64)
        .bind(disability_mode(d))
        .bind(wg.map(|w| w[0]))
        .bind(wg.map(|w| w[1]))
        .bind(wg.map(|w| w[2]))
        .bind(wg.map(|w| w[3]))
        .bind(wg.map(|w| w[4]))
        .bind(wg.map(|w| w[5]))
        .bind(d.has_disability() as i64)
        .bind(d.displacement.as_str())
        .bind(&d.registered_on)
        .bind(d.given_name.as_deref())
        .bind(d.wg_by_caregiver as i64)
}

fn disability_mode(d: &ParticipantData) -> &'static str {
    use super::model::DisabilityMode::*;
    match d.disability {
        Wg => "wg",
        Yes => "yes",
        No => "no",
        NotAsked => "not_asked",
    }
}

/// Checks that every id in `ids` is a live participant that `scope`'s
/// sites know, naming the others under `field`: registered at one of them,
/// or a visitor of one of them (see [`known_in_scope`]).
pub async fn check_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    field: &str,
    ids: &[String],
    check: &mut Checker,
) -> Result<(), sqlx::Error> {
    let found = known_in_scope(conn, scope, ids).await?;
    let unknown: Vec<&str> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        check.fail(
            field,
            Refusal::new(RefusalCode::UnknownParticipants).values(unknown),
        );
    }
    Ok(())
}

/// The ids among `ids` of live participants that `scope`'s sites know:
/// registered at one of them (herself, or a registration merged into her),
/// present at least once at one of them (a visitor, first recorded there by
/// the code on her card), or looked up by
/// her code by `scope`'s user (the audited lookup that showed the phone her
/// id). Ids of anyone else answer as if they did not exist: only a code,
/// which the person carries, brings someone of another site in.
async fn known_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT p.id FROM participants p WHERE p.deleted = 0 AND p.id IN ({}) AND ({} OR EXISTS (
            SELECT 1 FROM attendances a JOIN activity_records r ON r.id = a.record_id
            WHERE a.participant_id = p.id AND {}) OR EXISTS (
            SELECT 1 FROM participants m WHERE m.merged_into = p.id AND {}) OR EXISTS (
            SELECT 1 FROM audit_log l WHERE l.user_id = $2 AND l.action = '{}' AND l.target_id = p.id))",
        placeholders(3, ids.len()),
        SiteScope::sql("p.site_id", 1),
        SiteScope::sql("r.site_id", 1),
        SiteScope::sql("m.site_id", 1),
        super::model::LOOKUP_ACTION,
    );
    let (all, uid) = scope.binds();
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(all).bind(uid);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

/// A participant found by code, as resolving a code needs it.
#[derive(Debug, sqlx::FromRow)]
struct ByCode {
    code: String,
    id: String,
    #[sqlx(try_from = "crate::store::Flag")]
    deleted: bool,
    merged_into: Option<String>,
}

/// The participant each canonical code in `codes` names today (a merged-away
/// code names the survivor); codes no live participant has are left out.
pub async fn ids_by_code(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<HashMap<String, String>, sqlx::Error> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT code, id, deleted, merged_into FROM participants WHERE code IN ({})",
        placeholders(1, codes.len())
    );
    let mut q = sqlx::query_as::<_, ByCode>(&sql);
    for c in codes {
        q = q.bind(c);
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| match r.merged_into {
            Some(survivor) => Some((r.code, survivor)),
            None => (!r.deleted).then_some((r.code, r.id)),
        })
        .collect())
}

/// For each id among `ids` that was merged away, the survivor's id.
pub async fn survivors(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, merged_into FROM participants WHERE merged_into IS NOT NULL AND id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(conn).await?.into_iter().collect())
}

/// Whether the server issued the prefix of `code`.
pub async fn prefix_issued(conn: &mut AnyConnection, code: &str) -> Result<bool, sqlx::Error> {
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_prefixes WHERE prefix = $1")
        .bind(code::prefix_of(code))
        .fetch_one(conn)
        .await?;
    Ok(issued > 0)
}

/// Whether another participant than `id` has `code`. The unique index is
/// the final referee (for races); this gives the clear reason.
pub async fn code_taken(
    conn: &mut AnyConnection,
    code: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE code = $1 AND id <> $2")
            .bind(code)
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(taken > 0)
}

/// What happened to a request for a prefix.
pub enum Issued {
    Prefix(String),
    /// The user has drawn their share for now; the oldest of them leaves
    /// the window at this time (Unix milliseconds).
    Limited {
        until_ms: i64,
    },
}

/// Hands the next prefix to `user_id`, unless they drew `limit` in the last
/// `window_ms`. The counter row is taken first: it orders every issuer, so
/// both the number and the user's count are read after the last commit.
pub async fn issue_prefix(
    db: &Db,
    user_id: i64,
    limit: i64,
    window_ms: i64,
) -> anyhow::Result<Issued> {
    let mut tx = db.begin().await?;
    let number = take_prefix_number(&mut tx).await?;
    let now = now_millis();
    let recent: Vec<i64> =
        sqlx::query_scalar("SELECT created_at FROM device_prefixes WHERE user_id = $1 AND created_at > $2 ORDER BY created_at")
            .bind(user_id)
            .bind(now - window_ms)
            .fetch_all(&mut *tx)
            .await?;
    if recent.len() as i64 >= limit {
        tx.rollback().await?;
        return Ok(Issued::Limited {
            until_ms: recent[0] + window_ms,
        });
    }
    let prefix = record_prefix(&mut tx, number, user_id).await?;
    tx.commit().await?;
    Ok(Issued::Prefix(prefix))
}

/// Hands the next prefix to `user_id` with no limit (a bulk load that
/// registers participants as phones would).
pub async fn next_prefix(conn: &mut AnyConnection, user_id: i64) -> anyhow::Result<String> {
    let number = take_prefix_number(conn).await?;
    record_prefix(conn, number, user_id).await
}

/// The next prefix number; the counter row stays locked until commit.
async fn take_prefix_number(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE prefix_counter SET issued = issued + 1 WHERE id = 1 RETURNING issued",
    )
    .fetch_one(conn)
    .await
}

async fn record_prefix(
    conn: &mut AnyConnection,
    number: i64,
    user_id: i64,
) -> anyhow::Result<String> {
    // Prefixes are numbered from 1, so no code starts with zeros.
    let prefix = u32::try_from(number)
        .ok()
        .and_then(code::prefix_for)
        .ok_or_else(|| anyhow::anyhow!("all participant-code prefixes are used"))?;
    sqlx::query("INSERT INTO device_prefixes (prefix, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(&prefix)
        .bind(user_id)
        .bind(now_millis())
        .execute(conn)
        .await?;
    Ok(prefix)
}

/// A search hit as read: everything a home site sees, and whether she is
/// a visitor (then [`FoundRow::shown`] keeps only her minimal form).
#[derive(Debug, sqlx::FromRow)]
struct FoundRow {
    id: String,
    code: String,
    site_id: i64,
    given_name: Option<String>,
    sex: String,
    birth_year: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    has_disability: bool,
    displacement: String,
    #[sqlx(try_from = "crate::store::Flag")]
    visitor: bool,
}

impl FoundRow {
    fn shown(self, year: i64) -> Found {
        Found {
            age_band: AgeBand::at(self.birth_year, year).as_str().into(),
            given_name: if self.visitor { None } else { self.given_name },
            birth_year: (!self.visitor).then_some(self.birth_year),
            id: self.id,
            code: self.code,
            site_id: self.site_id,
            sex: self.sex,
            has_disability: self.has_disability,
            displacement: self.displacement,
            visitor: self.visitor,
        }
    }
}

/// Participants in `scope` whose code starts with, or given name contains,
/// `q`; and visitors of `scope`'s sites whose code starts with `q` (never
/// by name: their names stay with their own site).
pub async fn search(
    db: &Db,
    scope: &SiteScope,
    q: &str,
    limit: i64,
) -> Result<Vec<Found>, sqlx::Error> {
    let code_prefix = q.to_uppercase().replace('-', "");
    let sql = format!(
        "SELECT id, code, site_id, given_name, sex, birth_year, has_disability, displacement, 0 AS visitor FROM participants
         WHERE deleted = 0 AND {home} AND (code LIKE $3 OR LOWER(COALESCE(given_name, '')) LIKE $4)
         UNION ALL
         SELECT * FROM (
            SELECT p.id, p.code, (SELECT MIN(r.site_id) FROM attendances a JOIN activity_records r ON r.id = a.record_id
                                  WHERE a.participant_id = p.id AND {visited}) AS site_id,
                   NULL AS given_name, p.sex, p.birth_year, p.has_disability, p.displacement, 1 AS visitor
            FROM participants p WHERE p.deleted = 0 AND NOT {away} AND p.code LIKE $3) v
         WHERE v.site_id IS NOT NULL
         ORDER BY 2 LIMIT $5",
        home = SiteScope::sql("site_id", 1),
        away = SiteScope::sql("p.site_id", 1),
        visited = SiteScope::sql("r.site_id", 1),
    );
    let (all, uid) = scope.binds();
    let rows: Vec<FoundRow> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(format!("{}%", escape_like(&code_prefix)))
        .bind(format!("%{}%", escape_like(&q.to_lowercase())))
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let year = crate::validate::dates::today().year() as i64;
    Ok(rows.into_iter().map(|r| r.shown(year)).collect())
}

fn escape_like(s: &str) -> String {
    s.replace(['%', '_'], "")
}

/// The participants present at record `record_id` who are registered at
/// another site than `site_id` and not yet announced there as visitors.
pub async fn new_visitors(
    conn: &mut AnyConnection,
    record_id: &str,
    site_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT p.id FROM attendances a JOIN participants p ON p.id = a.participant_id
         WHERE a.record_id = $1 AND p.site_id <> $2 AND NOT EXISTS (
            SELECT 1 FROM sync_changes c WHERE c.entity = 'visitor' AND c.entity_id = p.id || $3)",
    )
    .bind(record_id)
    .bind(site_id)
    .bind(format!("@{site_id}"))
    .fetch_all(conn)
    .await
}

/// The sites where participant `id` was announced as a visitor.
pub async fn visited_sites(conn: &mut AnyConnection, id: &str) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT entity_id FROM sync_changes WHERE entity = 'visitor' AND entity_id LIKE $1",
    )
    .bind(format!("{id}@%"))
    .fetch_all(conn)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|v| super::model::parse_visitor_id(v).map(|(_, site)| site))
        .collect())
}

/// A participant as other sites see her: no name, no birth year, no answers.
#[derive(Debug, sqlx::FromRow)]
pub struct MinimalRow {
    pub id: String,
    pub code: String,
    pub sex: String,
    pub birth_year: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    pub has_disability: bool,
    pub displacement: String,
    pub version: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    pub deleted: bool,
    pub merged_into: Option<String>,
}

impl MinimalRow {
    /// What other sites see of her, her age band as of this year.
    pub fn shown(&self) -> Minimal {
        let year = crate::validate::dates::today().year() as i64;
        Minimal {
            id: self.id.clone(),
            code: self.code.clone(),
            sex: self.sex.clone(),
            age_band: AgeBand::at(self.birth_year, year).as_str().into(),
            has_disability: self.has_disability,
            displacement: self.displacement.clone(),
        }
    }
}

/// The participants with these ids, in their minimal form.
pub async fn minimal(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<MinimalRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT id, code, sex, birth_year, has_disability, displacement, version, deleted, merged_into
         FROM participants WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, MinimalRow>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

/// The live participant `code` names today (a merged-away code names the
/// survivor), in her minimal form.
pub async fn find_by_code(db: &Db, code: &str) -> Result<Option<MinimalRow>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let Some(id) = ids_by_code(&mut conn, &[code.to_string()])
        .await?
        .remove(code)
    else {
        return Ok(None);
    };
    let found = minimal(&mut conn, &[id]).await?.pop();
    Ok(found.filter(|p| !p.deleted))
}

/// A participant as a merge reads her.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MergeSide {
    pub id: String,
    pub code: String,
    pub site_id: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    pub deleted: bool,
    pub version: i64,
}

/// Participant `id` as stored, if she is live and at a site of `scope`.
pub async fn live_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    id: &str,
) -> Result<Option<MergeSide>, sqlx::Error> {
    let sql = format!(
        "SELECT id, code, site_id, deleted, version FROM participants WHERE id = $3 AND deleted = 0 AND {}",
        SiteScope::sql("site_id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Makes `merge` an alias of `keep` for ever: deleted (so counted nowhere),
/// her code still hers (so never handed out again), pointing at `keep`;
/// and every older alias of `merge` now points at `keep` (chains stay flat).
pub async fn mark_merged(
    conn: &mut AnyConnection,
    merge: &str,
    keep: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE participants SET merged_into = $2, deleted = 1, version = version + 1, updated_at = $3 WHERE id = $1",
    )
    .bind(merge)
    .bind(keep)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE participants SET merged_into = $2 WHERE merged_into = $1")
        .bind(merge)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(())
}

/// The live registrations with a given name at `scope`'s sites, for the
/// duplicate rule.
pub async fn candidates(db: &Db, scope: &SiteScope) -> Result<Vec<Candidate>, sqlx::Error> {
    let sql = format!(
        "SELECT p.id, p.code, p.site_id, s.partner_id, p.sex, p.birth_year, p.given_name
         FROM participants p JOIN sites s ON s.id = p.site_id
         WHERE p.deleted = 0 AND p.given_name IS NOT NULL AND p.given_name <> '' AND {}",
        SiteScope::sql("p.site_id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .fetch_all(db.pool())
        .await
}
