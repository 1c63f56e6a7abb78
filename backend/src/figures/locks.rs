//! Month locks: once a coordinator has reviewed a site's month, it is
//! closed; pushes that would change a record dated in it are refused with a
//! reason the phone shows, until an admin unlocks it (with a logged reason).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;

use crate::audit::{self, Entry};
use crate::auth::{AdminUser, CurrentUser};
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::store::now_millis;
use crate::AppState;

/// Why a record dated `date` at `site_id` may not change, if its month is locked.
pub async fn locked(
    conn: &mut AnyConnection,
    site_id: i64,
    date: &str,
) -> Result<Option<String>, sqlx::Error> {
    let Some(month) = date.get(..7) else {
        return Ok(None);
    };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM month_locks WHERE site_id = $1 AND month = $2")
            .bind(site_id)
            .bind(month)
            .fetch_one(conn)
            .await?;
    Ok((n > 0).then(|| {
        format!("{month} at this site is locked after review; ask your coordinator to unlock it")
    }))
}

fn valid_month(month: &str) -> bool {
    month.len() == 7
        && month.as_bytes()[4] == b'-'
        && month[..4].parse::<u16>().is_ok()
        && month[5..]
            .parse::<u8>()
            .is_ok_and(|m| (1..=12).contains(&m))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MonthLock {
    pub site_id: i64,
    pub month: String,
    pub locked_by: i64,
    pub locked_at: i64,
}

async fn site_in_scope(state: &AppState, user: &CurrentUser, site_id: i64) -> Result<(), ApiError> {
    crate::sites::store::get_site(&state.db, &user.scope, site_id)
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("site"))
}

/// The locked months of a site.
#[utoipa::path(get, path = "/sites/{id}/locks", tag = "review", params(("id" = i64, Path)), responses((status = 200, body = Vec<MonthLock>), (status = 404, body = ErrorBody)))]
pub async fn list_locks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(site_id): Path<i64>,
) -> Result<Json<Vec<MonthLock>>, ApiError> {
    site_in_scope(&state, &user, site_id).await?;
    let rows: Vec<(i64, String, i64, i64)> =
        sqlx::query_as("SELECT site_id, month, locked_by, locked_at FROM month_locks WHERE site_id = $1 ORDER BY month DESC").bind(site_id).fetch_all(state.db.pool()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(site_id, month, locked_by, locked_at)| MonthLock {
                site_id,
                month,
                locked_by,
                locked_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    /// `YYYY-MM`.
    pub month: String,
}

/// Locks a site's month after review (coordinators and admins).
#[utoipa::path(post, path = "/sites/{id}/locks", tag = "review", params(("id" = i64, Path)), request_body = LockBody, responses((status = 201, body = MonthLock), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock_month(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(site_id): Path<i64>,
    Json(body): Json<LockBody>,
) -> Result<(StatusCode, Json<MonthLock>), ApiError> {
    user.require_staff()?;
    if !valid_month(&body.month) {
        return Err(ApiError::invalid_field(
            "month",
            "must be a month like 2026-10",
        ));
    }
    site_in_scope(&state, &user, site_id).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    // Serialised with pushes (they hold the same row): a push either lands
    // before the lock or is refused by it.
    crate::sync::clock::tick(&mut tx).await?;
    let done = sqlx::query("INSERT INTO month_locks (site_id, month, locked_by, locked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (site_id, month) DO NOTHING")
        .bind(site_id)
        .bind(&body.month)
        .bind(user.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::Conflict {
            code: "already_locked",
            message: format!("{} is already locked", body.month),
        });
    }
    audit::record(
        &mut tx,
        Entry::new("month.lock")
            .actor(user.id, &user.login)
            .addr(&user.client_addr)
            .target("site", site_id)
            .detail(json!({ "month": body.month })),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(MonthLock {
            site_id,
            month: body.month,
            locked_by: user.id,
            locked_at: now,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockBody {
    pub month: String,
    /// Why the month reopens; kept in the audit log.
    pub reason: String,
}

/// Reopens a locked month (admins only, with a reason).
#[utoipa::path(post, path = "/sites/{id}/unlock", tag = "review", params(("id" = i64, Path)), request_body = UnlockBody, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unlock_month(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(site_id): Path<i64>,
    Json(body): Json<UnlockBody>,
) -> Result<StatusCode, ApiError> {
    let mut check = crate::validate::Checker::new();
    let reason = check.text("reason", &body.reason, 3, 500);
    check.finish(())?;
    let mut tx = state.db.begin().await?;
    crate::sync::clock::tick(&mut tx).await?;
    let done = sqlx::query("DELETE FROM month_locks WHERE site_id = $1 AND month = $2")
        .bind(site_id)
        .bind(&body.month)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("locked month"));
    }
    audit::record(
        &mut tx,
        Entry::new("month.unlock")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("site", site_id)
            .detail(json!({ "month": body.month, "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
