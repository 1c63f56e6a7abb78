//! The SQL around the figures: which sites a place covers, the names of
//! buckets, the site table, targets, and what exports add to the figures.
//! The figures themselves are counted by [`super::engine`].

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::model::{Grouping, Place, ScopeView, Target, TargetInput};
use crate::access::SiteScope;
use crate::error::ApiError;
use crate::store::{now_millis, Db, Flag};

/// The sites of `place` that `scope` may see (`None`: every site, for
/// users with all sites asking for the programme), and how to name the
/// place. A place that does not exist answers 404; so does another scope's
/// site, like one that does not exist.
pub async fn resolve_place(
    db: &Db,
    scope: &SiteScope,
    place: Place,
) -> Result<(ScopeView, Option<Vec<i64>>), ApiError> {
    let (condition, name): (&str, Option<String>) = match place {
        Place::Programme => ("1 = 1", Some("Whole programme".into())),
        Place::Governorate(id) => (
            "(s.area_id = $3 OR s.area_id IN (SELECT id FROM areas WHERE parent_id = $3))",
            area_name(db, id, 1).await?,
        ),
        Place::District(id) => ("s.area_id = $3", area_name(db, id, 2).await?),
        Place::Partner(id) => ("s.partner_id = $3", name_of(db, "partners", id).await?),
        Place::Site(id) => ("s.id = $3", name_of(db, "sites", id).await?),
    };
    let name = name.ok_or_else(|| ApiError::not_found(place.kind()))?;
    let sql = format!(
        "SELECT s.id FROM sites s WHERE {} AND {condition} ORDER BY s.id",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = scope.binds();
    let sites: Vec<i64> = sqlx::query_scalar(&sql)
        .bind(all)
        .bind(uid)
        .bind(place.id().unwrap_or(0))
        .fetch_all(db.pool())
        .await?;
    // A place holding none of the caller's sites answers like a site outside
    // their scope: what lies beyond one's sites is not disclosed, not even
    // as zeros. (Every site is the caller's when their scope is all sites.)
    let outside = match place {
        Place::Programme => false,
        Place::Site(_) => sites.is_empty(),
        _ => sites.is_empty() && !scope.all_sites,
    };
    if outside {
        return Err(ApiError::not_found(place.kind()));
    }
    let view = ScopeView {
        kind: place.kind().into(),
        id: place.id(),
        name,
        sites: sites.len(),
    };
    let every_site = place == Place::Programme && scope.all_sites;
    Ok((view, if every_site { None } else { Some(sites) }))
}

async fn area_name(db: &Db, id: i64, level: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name_en FROM areas WHERE id = $1 AND level = $2")
        .bind(id)
        .bind(level)
        .fetch_optional(db.pool())
        .await
}

async fn name_of(db: &Db, table: &'static str, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT name FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

/// The names of the buckets of `grouping`, by key; empty for time buckets.
pub async fn bucket_names(
    conn: &mut AnyConnection,
    grouping: Grouping,
) -> Result<BTreeMap<String, String>, sqlx::Error> {
    let sql = match grouping {
        Grouping::Site => "SELECT CAST(id AS TEXT), code || ' ' || name FROM sites",
        Grouping::District | Grouping::Governorate => "SELECT CAST(id AS TEXT), name_en FROM areas",
        Grouping::Partner => "SELECT CAST(id AS TEXT), name FROM partners",
        Grouping::Type => "SELECT CAST(id AS TEXT), label_en FROM activity_types",
        _ => return Ok(BTreeMap::new()),
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(conn).await?;
    Ok(rows.into_iter().collect())
}

/// A site as the dashboard's site table names it.
#[derive(Debug, sqlx::FromRow)]
pub struct SitePlace {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub partner: String,
    pub district: Option<String>,
    pub governorate: String,
    /// The district's and governorate's names in Arabic and Sorani, so
    /// screens in those languages name places as their readers do.
    pub district_ar: Option<String>,
    pub district_ckb: Option<String>,
    pub governorate_ar: String,
    pub governorate_ckb: String,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    /// The latest day anything was recorded there.
    pub last_activity: Option<String>,
}

/// Every site, named, with its last day of activity.
pub async fn site_places(conn: &mut AnyConnection) -> Result<Vec<SitePlace>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.code, s.name, p.name AS partner, CASE WHEN a.level = 2 THEN a.name_en END AS district,
                g.name_en AS governorate,
                CASE WHEN a.level = 2 THEN a.name_ar END AS district_ar, CASE WHEN a.level = 2 THEN a.name_ckb END AS district_ckb,
                g.name_ar AS governorate_ar, g.name_ckb AS governorate_ckb, s.active,
                (SELECT MAX(d.day) FROM activity_days d WHERE d.site_id = s.id AND d.activities > 0) AS last_activity
         FROM sites s JOIN partners p ON p.id = s.partner_id JOIN areas a ON a.id = s.area_id
              JOIN areas g ON g.id = COALESCE(a.parent_id, a.id)
         ORDER BY s.code",
    )
    .fetch_all(conn)
    .await
}

/// The targets of `scope` (the programme's and its sites'), optionally of
/// one site, newest period first; `achieved` is left for the caller.
pub async fn targets(
    db: &Db,
    scope: &SiteScope,
    site_id: Option<i64>,
) -> Result<Vec<Target>, sqlx::Error> {
    let sql = format!(
        "SELECT id, indicator, site_id, activity_type_id, sex, age_band, period_start, period_end, value FROM targets
         WHERE (site_id IS NULL OR {}) AND ($3 = 0 OR site_id IS NULL OR site_id = $4)
         ORDER BY period_start DESC, indicator, id",
        SiteScope::sql("site_id", 1)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(site_id.is_some() as i64)
        .bind(site_id.unwrap_or(0))
        .fetch_all(db.pool())
        .await
}

/// Sets the target for an indicator, scope and period, replacing one set
/// before; returns its id.
pub async fn set_target(
    conn: &mut AnyConnection,
    t: &TargetInput,
    set_by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "DELETE FROM targets WHERE indicator = $1 AND COALESCE(site_id, 0) = $2 AND period_start = $3 AND period_end = $4
           AND COALESCE(activity_type_id, 0) = $5 AND COALESCE(sex, '') = $6 AND COALESCE(age_band, '') = $7",
    )
    .bind(&t.indicator)
    .bind(t.site_id.unwrap_or(0))
    .bind(&t.period_start)
    .bind(&t.period_end)
    .bind(t.activity_type_id.unwrap_or(0))
    .bind(t.sex.as_deref().unwrap_or(""))
    .bind(t.age_band.as_deref().unwrap_or(""))
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "INSERT INTO targets (indicator, site_id, period_start, period_end, value, set_by, set_at, activity_type_id, sex, age_band)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&t.indicator)
    .bind(t.site_id)
    .bind(&t.period_start)
    .bind(&t.period_end)
    .bind(t.value)
    .bind(set_by)
    .bind(now_millis())
    .bind(t.activity_type_id)
    .bind(t.sex.as_deref())
    .bind(t.age_band.as_deref())
    .fetch_one(conn)
    .await
}

/// A site as a 5W row names it: its partner, codes and area P-codes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FiveWPlace {
    pub id: i64,
    pub partner: String,
    pub site_code: String,
    pub site_name: String,
    pub district_pcode: Option<String>,
    pub district_name: Option<String>,
    pub governorate_pcode: String,
    pub governorate_name: String,
}

pub async fn five_w_places(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<i64, FiveWPlace>, sqlx::Error> {
    let places: Vec<FiveWPlace> = sqlx::query_as(
        "SELECT s.id, p.name AS partner, s.code AS site_code, s.name AS site_name,
                CASE WHEN a.level = 2 THEN a.pcode END AS district_pcode, CASE WHEN a.level = 2 THEN a.name_en END AS district_name,
                g.pcode AS governorate_pcode, g.name_en AS governorate_name
         FROM sites s JOIN partners p ON p.id = s.partner_id JOIN areas a ON a.id = s.area_id
              JOIN areas g ON g.id = COALESCE(a.parent_id, a.id)",
    )
    .fetch_all(conn)
    .await?;
    Ok(places.into_iter().map(|p| (p.id, p)).collect())
}

/// Activity types by id: their code and English label.
pub async fn type_names(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<i64, (String, String)>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, code, label_en FROM activity_types")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, code, label)| (id, (code, label)))
        .collect())
}

/// One record as the row-level export lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct ExportedRecord {
    pub id: String,
    pub kind: String,
    pub type_code: String,
    pub site_code: String,
    pub date: String,
    pub start: String,
    pub minutes: i64,
    pub recorder: String,
    pub review: String,
    pub heads: i64,
    pub heads_disabled: i64,
    /// The canonical codes of those present, in order, separated by spaces.
    pub codes: String,
}

/// What a records export covers: the live records between `from` and `to`
/// (ISO dates) at `sites` (`None`: every site), flagged ones only when
/// `include_flagged`.
pub struct ExportFilter {
    pub sites: Option<Vec<i64>>,
    pub include_flagged: bool,
    pub from: String,
    pub to: String,
}

/// One page of the records `filter` covers, by date then id, after the
/// record `after` (`(date, id)`; `None`: from the start), each with the
/// codes of those present: one query per page. Keyset paging: the page
/// reads the date index from the last page's date on (its one lower bound,
/// so the planner cannot start at the period's start instead; the row
/// comparison then skips what that day already sent), so each page costs
/// the same however deep into the history it is.
pub async fn exported_records_page(
    conn: &mut AnyConnection,
    filter: &ExportFilter,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<ExportedRecord>, sqlx::Error> {
    // Site ids come from the database as integers: safe to inline.
    let sites = filter
        .sites
        .as_ref()
        .map(|s| {
            let ids: Vec<String> = s.iter().map(i64::to_string).collect();
            let list = if ids.is_empty() {
                "0".to_string()
            } else {
                ids.join(", ")
            };
            format!(" AND r.site_id IN ({list})")
        })
        .unwrap_or_default();
    let flagged = if filter.include_flagged {
        ""
    } else {
        " AND r.review_status <> 'flagged'"
    };
    // Every date is after '', so the first page needs no second query.
    let (after_date, after_id) = after.unwrap_or(("", ""));
    let from = filter.from.as_str().max(after_date);
    // `string_agg(… ORDER BY …)`: PostgreSQL, and SQLite since 3.44.
    let sql = format!(
        "SELECT r.id, r.kind, t.code AS type_code, s.code AS site_code, r.occurred_on AS date,
                COALESCE(r.start_time, '') AS start, r.duration_minutes AS minutes, u.login AS recorder,
                r.review_status AS review,
                CAST(COALESCE((SELECT SUM(x.count) FROM tallies x WHERE x.record_id = r.id), 0) AS BIGINT) AS heads,
                r.tally_disabled AS heads_disabled,
                COALESCE((SELECT string_agg(p.code, ' ' ORDER BY p.code) FROM attendances a
                          JOIN participants p ON p.id = a.participant_id WHERE a.record_id = r.id), '') AS codes
         FROM activity_records r JOIN activity_types t ON t.id = r.activity_type_id JOIN sites s ON s.id = r.site_id
              JOIN users u ON u.id = r.recorded_by
         WHERE r.deleted = 0 AND r.occurred_on BETWEEN $1 AND $2{sites}{flagged}
           AND (r.occurred_on, r.id) > ($3, $4)
         ORDER BY r.occurred_on, r.id LIMIT $5"
    );
    sqlx::query_as(&sql)
        .bind(from)
        .bind(&filter.to)
        .bind(after_date)
        .bind(after_id)
        .bind(limit)
        .fetch_all(conn)
        .await
}
