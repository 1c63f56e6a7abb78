//! Activity types: what kind of thing was done (a PSS group, a GBV
//! awareness event, a CFS day…), with labels in each language. Everyone
//! reads them (phones need them offline); admins manage them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Entry};
use crate::auth::{AdminUser, CurrentUser};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::http::Json;
use crate::store::{flag, Db};
use crate::sync::clock::{self, Entity};
use crate::validate::Checker;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

/// The three kinds of record. Group sessions and CFS days record who came;
/// awareness events record head counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    GroupSession,
    AwarenessEvent,
    CfsDay,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::GroupSession => "group_session",
            ActivityKind::AwarenessEvent => "awareness_event",
            ActivityKind::CfsDay => "cfs_day",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityType {
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub label_en: String,
    pub label_ar: String,
    pub label_ckb: String,
    /// Group sessions: attendances that count as "completed the cycle".
    pub cycle_sessions: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypeInput {
    pub kind: Option<ActivityKind>,
    pub code: Option<String>,
    pub label_en: Option<String>,
    pub label_ar: Option<String>,
    pub label_ckb: Option<String>,
    pub cycle_sessions: Option<i64>,
    pub active: Option<bool>,
}

struct Checked {
    kind: Option<ActivityKind>,
    code: Option<String>,
    labels: [Option<String>; 3],
    cycle_sessions: Option<i64>,
    active: Option<bool>,
}

impl ActivityTypeInput {
    fn parse(self, creating: bool) -> Result<Checked, ApiError> {
        let mut check = Checker::new();
        if creating {
            for (field, present) in [
                ("kind", self.kind.is_some()),
                ("code", self.code.is_some()),
                ("label_en", self.label_en.is_some()),
                ("label_ar", self.label_ar.is_some()),
                ("label_ckb", self.label_ckb.is_some()),
            ] {
                if !present {
                    check.fail(field, "is required");
                }
            }
        }
        if !creating && self.kind.is_some() {
            check.fail("kind", "cannot change; records of this type depend on it");
        }
        let code = self.code.as_deref().map(|c| check.code("code", c, 24));
        let labels = [
            ("label_en", &self.label_en),
            ("label_ar", &self.label_ar),
            ("label_ckb", &self.label_ckb),
        ]
        .map(|(field, v)| v.as_deref().map(|l| check.text(field, l, 1, 120)));
        if let Some(n) = self.cycle_sessions {
            if !(1..=200).contains(&n) {
                check.fail("cycle_sessions", "must be between 1 and 200");
            }
            if creating && self.kind != Some(ActivityKind::GroupSession) {
                check.fail("cycle_sessions", "only group sessions have a cycle");
            }
        }
        check.finish(Checked {
            kind: self.kind,
            code,
            labels,
            cycle_sessions: self.cycle_sessions,
            active: self.active,
        })
    }
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
);

async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<ActivityType>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as("SELECT id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active FROM activity_types WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(activity_type))
}

fn activity_type(
    (id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active): Row,
) -> ActivityType {
    ActivityType {
        id,
        kind,
        code,
        label_en,
        label_ar,
        label_ckb,
        cycle_sessions,
        active: flag(active),
    }
}

/// The activity types with these ids.
pub async fn by_ids(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<ActivityType>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!("SELECT id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active FROM activity_types WHERE id IN ({})", crate::store::placeholders(1, ids.len()));
    let mut q = sqlx::query_as::<_, Row>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(conn)
        .await?
        .into_iter()
        .map(activity_type)
        .collect())
}

pub async fn list_all(db: &Db) -> Result<Vec<ActivityType>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as("SELECT id, kind, code, label_en, label_ar, label_ckb, cycle_sessions, active FROM activity_types ORDER BY kind, code")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(activity_type).collect())
}

/// Every activity type (any signed-in user).
#[utoipa::path(get, path = "/activity-types", tag = "activity types", responses((status = 200, body = Vec<ActivityType>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<ActivityType>>, ApiError> {
    Ok(Json(list_all(&state.db).await?))
}

/// Adds an activity type (admins only).
#[utoipa::path(post, path = "/activity-types", tag = "activity types", request_body = ActivityTypeInput, responses((status = 201, body = ActivityType), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Json(body): Json<ActivityTypeInput>,
) -> Result<(StatusCode, Json<ActivityType>), ApiError> {
    let t = body.parse(true)?;
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar("INSERT INTO activity_types (kind, code, label_en, label_ar, label_ckb, cycle_sessions, active) VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id")
        .bind(t.kind.map(ActivityKind::as_str))
        .bind(t.code.as_deref())
        .bind(t.labels[0].as_deref())
        .bind(t.labels[1].as_deref())
        .bind(t.labels[2].as_deref())
        .bind(t.cycle_sessions)
        .fetch_one(&mut *tx)
        .await
        .on_unique_violation("code_taken", || "that activity type code is already used".into())?;
    clock::touch(&mut tx, Entity::ActivityType, &id.to_string(), None, None).await?;
    audit::record(
        &mut tx,
        Entry::new("activity_type.create")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("activity_type", id)
            .detail(json!({ "code": t.code, "kind": t.kind })),
    )
    .await?;
    let created = get(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("activity type"))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Edits labels, code, cycle length or the active flag (admins only).
#[utoipa::path(patch, path = "/activity-types/{id}", tag = "activity types", params(("id" = i64, Path)), request_body = ActivityTypeInput, responses((status = 200, body = ActivityType), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    Json(body): Json<ActivityTypeInput>,
) -> Result<Json<ActivityType>, ApiError> {
    let t = body.parse(false)?;
    let mut tx = state.db.begin().await?;
    let current = get(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("activity type"))?;
    if t.cycle_sessions.is_some() && current.kind != ActivityKind::GroupSession.as_str() {
        return Err(ApiError::invalid_field(
            "cycle_sessions",
            "only group sessions have a cycle",
        ));
    }
    sqlx::query(
        "UPDATE activity_types SET code = COALESCE($2, code), label_en = COALESCE($3, label_en), label_ar = COALESCE($4, label_ar),
         label_ckb = COALESCE($5, label_ckb), cycle_sessions = COALESCE($6, cycle_sessions), active = COALESCE($7, active) WHERE id = $1",
    )
    .bind(id)
    .bind(t.code.as_deref())
    .bind(t.labels[0].as_deref())
    .bind(t.labels[1].as_deref())
    .bind(t.labels[2].as_deref())
    .bind(t.cycle_sessions)
    .bind(t.active.map(|a| a as i64))
    .execute(&mut *tx)
    .await
    .on_unique_violation("code_taken", || "that activity type code is already used".into())?;
    clock::touch(&mut tx, Entity::ActivityType, &id.to_string(), None, None).await?;
    audit::record(
        &mut tx,
        Entry::new("activity_type.update")
            .actor(admin.id, &admin.login)
            .addr(&admin.client_addr)
            .target("activity_type", id)
            .detail(
                json!({ "code": t.code, "cycle_sessions": t.cycle_sessions, "active": t.active }),
            ),
    )
    .await?;
    let updated = get(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("activity type"))?;
    tx.commit().await?;
    Ok(Json(updated))
}
