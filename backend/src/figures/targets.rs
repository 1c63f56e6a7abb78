//! Targets: what a site (or the whole programme) planned to reach in a
//! period, shown against what the figures say was achieved.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::engine::{self, Filter, Grouping, Totals};
use super::period::Period;
use crate::audit::{self, Entry};
use crate::auth::{CurrentUser, Role, SiteScope};
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::store::now_millis;
use crate::validate::Checker;
use crate::AppState;

pub const INDICATORS: [&str; 7] = [
    "activities",
    "attendances",
    "unique_participants",
    "reached_by_head_count",
    "new_participants",
    "completed",
    "hours",
];

/// The value of `indicator` in `totals`.
pub fn achieved(indicator: &str, totals: &Totals) -> f64 {
    match indicator {
        "activities" => totals.activities as f64,
        "attendances" => totals.attendances as f64,
        "unique_participants" => totals.unique_participants as f64,
        "reached_by_head_count" => totals.reached_by_head_count as f64,
        "new_participants" => totals.new_participants as f64,
        "completed" => totals.completed as f64,
        "hours" => totals.hours,
        _ => 0.0,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub id: i64,
    pub indicator: String,
    /// Null: the whole programme.
    pub site_id: Option<i64>,
    pub period_start: String,
    pub period_end: String,
    pub value: i64,
    /// What the figures say so far (flagged records included).
    pub achieved: f64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    /// Only this site's targets (and the programme's).
    pub site_id: Option<i64>,
}

/// Targets of the user's scope, with what was achieved.
#[utoipa::path(get, path = "/targets", tag = "figures", params(TargetQuery), responses((status = 200, body = Vec<Target>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TargetQuery>,
) -> Result<Json<Vec<Target>>, ApiError> {
    user.require_staff()?;
    let sql = format!(
        "SELECT id, indicator, site_id, period_start, period_end, value FROM targets
         WHERE (site_id IS NULL OR {}) AND ($3 = 0 OR site_id IS NULL OR site_id = $4) ORDER BY period_start DESC, indicator",
        SiteScope::sql("site_id", 1)
    );
    let (all, uid) = user.scope.binds();
    let rows: Vec<(i64, String, Option<i64>, String, String, i64)> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(q.site_id.is_some() as i64)
        .bind(q.site_id.unwrap_or(0))
        .fetch_all(state.db.pool())
        .await?;
    let mut conn = state.db.begin_read().await?;
    let mut targets = vec![];
    for (id, indicator, site_id, period_start, period_end, value) in rows {
        let period =
            Period::from_range(&period_start, &period_end).expect("stored periods are valid");
        // A programme target is measured over what this user may see.
        let sites = match site_id {
            Some(site) => Some(vec![site]),
            None if user.scope.all_sites => None,
            None => Some(
                crate::sites::store::list_sites(&state.db, &user.scope)
                    .await?
                    .into_iter()
                    .map(|s| s.id)
                    .collect(),
            ),
        };
        let filter = Filter {
            sites,
            types: None,
            include_flagged: true,
            use_rollups: true,
        };
        let totals = engine::compute(&mut conn, period, &filter, Grouping::All)
            .await?
            .remove(&Some("all".into()))
            .map(|f| f.totals)
            .unwrap_or_default();
        targets.push(Target {
            achieved: achieved(&indicator, &totals),
            id,
            indicator,
            site_id,
            period_start,
            period_end,
            value,
        });
    }
    conn.commit().await?;
    Ok(Json(targets))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub indicator: String,
    /// Absent: a programme target (admins, or coordinators of every site).
    pub site_id: Option<i64>,
    pub period_start: String,
    pub period_end: String,
    pub value: i64,
}

/// Sets (or replaces) the target for an indicator, scope and period.
#[utoipa::path(post, path = "/targets", tag = "figures", request_body = TargetInput, responses((status = 201, body = Target), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<TargetInput>,
) -> Result<(StatusCode, Json<Target>), ApiError> {
    user.require_staff()?;
    let mut check = Checker::new();
    if !INDICATORS.contains(&body.indicator.as_str()) {
        check.fail(
            "indicator",
            format!("must be one of {}", INDICATORS.join(", ")),
        );
    }
    if Period::from_range(&body.period_start, &body.period_end).is_none() {
        check.fail(
            "period_end",
            "period_start and period_end must be dates, start before end",
        );
    }
    check.int_range("value", body.value, 0, 100_000_000);
    check.finish(())?;
    match body.site_id {
        Some(site) => {
            crate::sites::store::get_site(&state.db, &user.scope, site)
                .await?
                .ok_or_else(|| ApiError::not_found("site"))?;
        }
        None if user.role == Role::Admin || user.scope.all_sites => {}
        None => {
            return Err(ApiError::forbidden(
                "programme targets are set by admins and programme-wide coordinators",
            ))
        }
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM targets WHERE indicator = $1 AND COALESCE(site_id, 0) = $2 AND period_start = $3 AND period_end = $4")
        .bind(&body.indicator)
        .bind(body.site_id.unwrap_or(0))
        .bind(&body.period_start)
        .bind(&body.period_end)
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query_scalar("INSERT INTO targets (indicator, site_id, period_start, period_end, value, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(&body.indicator)
        .bind(body.site_id)
        .bind(&body.period_start)
        .bind(&body.period_end)
        .bind(body.value)
        .bind(user.id)
        .bind(now_millis())
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Entry::new("target.set").actor(user.id, &user.login).addr(&user.client_addr).target("target", id).detail(json!({
            "indicator": body.indicator, "site_id": body.site_id, "period_start": body.period_start, "period_end": body.period_end, "value": body.value
        })),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Target {
            id,
            indicator: body.indicator,
            site_id: body.site_id,
            period_start: body.period_start,
            period_end: body.period_end,
            value: body.value,
            achieved: 0.0,
        }),
    ))
}
