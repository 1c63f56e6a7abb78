//! Coordinators read records of their scope and review them: approve, or
//! flag with a comment the recorder sees on their phone after the next sync.

use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Entry};
use crate::auth::{CurrentUser, SiteScope};
use crate::error::{ApiError, ErrorBody};
use crate::figures::{locks, rollup};
use crate::http::Json;
use crate::sync::clock::{self, Entity};
use crate::validate::{dates, Checker};
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecordQuery {
    pub site_id: Option<i64>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// `submitted`, `approved` or `flagged`.
    pub status: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordSummary {
    pub id: String,
    pub kind: String,
    pub activity_type_id: i64,
    pub site_id: i64,
    pub group_id: Option<String>,
    pub date: String,
    pub duration_minutes: i64,
    pub topic: Option<String>,
    pub attendances: i64,
    pub head_count: i64,
    pub recorded_by: String,
    pub review_status: String,
    pub review_comment: Option<String>,
    pub version: i64,
}

type SummaryRow = (
    String,
    String,
    i64,
    i64,
    Option<String>,
    String,
    i64,
    Option<String>,
    i64,
    i64,
    String,
    String,
    Option<String>,
    i64,
);

const SUMMARY_SELECT: &str = "SELECT r.id, r.kind, r.activity_type_id, r.site_id, r.group_id, r.occurred_on, r.duration_minutes, r.topic,
        (SELECT COUNT(*) FROM attendances a WHERE a.record_id = r.id),
        CAST(COALESCE((SELECT SUM(t.count) FROM tallies t WHERE t.record_id = r.id), 0) AS BIGINT),
        u.login, r.review_status, r.review_comment, r.version
    FROM activity_records r JOIN users u ON u.id = r.recorded_by";

fn summary(row: SummaryRow) -> RecordSummary {
    let (
        id,
        kind,
        activity_type_id,
        site_id,
        group_id,
        date,
        duration_minutes,
        topic,
        attendances,
        head_count,
        recorded_by,
        review_status,
        review_comment,
        version,
    ) = row;
    RecordSummary {
        id,
        kind,
        activity_type_id,
        site_id,
        group_id,
        date,
        duration_minutes,
        topic,
        attendances,
        head_count,
        recorded_by,
        review_status,
        review_comment,
        version,
    }
}

/// Records of the coordinator's scope, newest first (drill-down).
#[utoipa::path(get, path = "/records", tag = "review", params(RecordQuery), responses((status = 200, body = Vec<RecordSummary>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<RecordSummary>>, ApiError> {
    user.require_staff()?;
    let mut check = Checker::new();
    for (field, value) in [("from", &q.from), ("to", &q.to)] {
        if value.as_deref().is_some_and(|d| dates::parse(d).is_none()) {
            check.fail(field, "must be a date like 2026-03-31");
        }
    }
    if q.status
        .as_deref()
        .is_some_and(|s| !["submitted", "approved", "flagged"].contains(&s))
    {
        check.fail("status", "must be submitted, approved or flagged");
    }
    check.finish(())?;
    let sql = format!(
        "{SUMMARY_SELECT} WHERE r.deleted = 0 AND {} AND ($3 = 0 OR r.site_id = $4) AND r.occurred_on >= $5 AND r.occurred_on <= $6 AND ($7 = '' OR r.review_status = $7)
         ORDER BY r.occurred_on DESC, r.received_at DESC LIMIT $8",
        SiteScope::sql("r.site_id", 1)
    );
    let (all, uid) = user.scope.binds();
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .bind(q.site_id.is_some() as i64)
        .bind(q.site_id.unwrap_or(0))
        .bind(q.from.unwrap_or_else(|| "0000-01-01".into()))
        .bind(q.to.unwrap_or_else(|| "9999-12-31".into()))
        .bind(q.status.unwrap_or_default())
        .bind(q.limit.unwrap_or(200).clamp(1, 1000))
        .fetch_all(state.db.pool())
        .await?;
    Ok(Json(rows.into_iter().map(summary).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Attendee {
    /// The participant's code; names never leave the phone that registered them.
    pub code: String,
    pub sex: String,
    pub birth_year: i64,
    pub has_disability: bool,
    pub displacement: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TallyRow {
    pub sex: String,
    pub age_band: String,
    pub count: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordDetail {
    #[serde(flatten)]
    pub summary: RecordSummary,
    pub notes: Option<String>,
    pub place_note: Option<String>,
    pub attendance: Vec<Attendee>,
    pub tallies: Vec<TallyRow>,
    pub tally_disabled: i64,
}

async fn summary_in_scope(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<RecordSummary, ApiError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE r.id = $1 AND r.deleted = 0 AND {}",
        SiteScope::sql("r.site_id", 2)
    );
    let (all, uid) = user.scope.binds();
    let row: Option<SummaryRow> = sqlx::query_as(&sql)
        .bind(id)
        .bind(all)
        .bind(uid)
        .fetch_optional(state.db.pool())
        .await?;
    row.map(summary)
        .ok_or_else(|| ApiError::not_found("record"))
}

/// One record with its attendance (codes, no names) or head counts.
#[utoipa::path(get, path = "/records/{id}", tag = "review", params(("id" = String, Path)), responses((status = 200, body = RecordDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RecordDetail>, ApiError> {
    user.require_staff()?;
    let summary = summary_in_scope(&state, &user, &id).await?;
    let (notes, place_note, tally_disabled): (Option<String>, Option<String>, i64) =
        sqlx::query_as(
            "SELECT notes, place_note, tally_disabled FROM activity_records WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(state.db.pool())
        .await?;
    let attendance: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT p.code, p.sex, p.birth_year, p.has_disability, p.displacement FROM attendances a JOIN participants p ON p.id = a.participant_id WHERE a.record_id = $1 ORDER BY p.code",
    )
    .bind(&id)
    .fetch_all(state.db.pool())
    .await?;
    let tallies: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT sex, age_band, count FROM tallies WHERE record_id = $1 ORDER BY sex, age_band",
    )
    .bind(&id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(Json(RecordDetail {
        summary,
        notes,
        place_note,
        attendance: attendance
            .into_iter()
            .map(|(code, sex, birth_year, d, displacement)| Attendee {
                code: crate::participants::code::display(&code),
                sex,
                birth_year,
                has_disability: d != 0,
                displacement,
            })
            .collect(),
        tallies: tallies
            .into_iter()
            .map(|(sex, age_band, count)| TallyRow {
                sex,
                age_band,
                count,
            })
            .collect(),
        tally_disabled,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `approved` or `flagged`.
    pub status: String,
    /// Required when flagging: what the recorder should check.
    pub comment: Option<String>,
}

/// Approves a record, or flags it with a comment (coordinators and admins).
#[utoipa::path(post, path = "/records/{id}/review", tag = "review", params(("id" = String, Path)), request_body = ReviewBody, responses((status = 200, body = RecordSummary), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> Result<Json<RecordSummary>, ApiError> {
    user.require_staff()?;
    let mut check = Checker::new();
    let comment = check.optional_text("comment", body.comment.as_deref(), 500);
    match body.status.as_str() {
        "approved" => {}
        "flagged" if comment.is_none() => {
            check.fail("comment", "say what the recorder should check")
        }
        "flagged" => {}
        _ => check.fail("status", "must be approved or flagged"),
    }
    check.finish(())?;
    let current = summary_in_scope(&state, &user, &id).await?;

    let mut tx = state.db.begin().await?;
    // Holding the clock like a push does: the rollups change with the status.
    clock::tick(&mut tx).await?;
    if let Some(reason) = locks::locked(&mut tx, current.site_id, &current.date).await? {
        return Err(ApiError::invalid_field("status", reason));
    }
    rollup::contribute(&mut tx, &id, -1).await?;
    sqlx::query(
        "UPDATE activity_records SET review_status = $2, review_comment = $3 WHERE id = $1",
    )
    .bind(&id)
    .bind(&body.status)
    .bind(comment.as_deref())
    .execute(&mut *tx)
    .await?;
    rollup::contribute(&mut tx, &id, 1).await?;
    let owner: i64 = sqlx::query_scalar("SELECT recorded_by FROM activity_records WHERE id = $1")
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    // The recorder's phone hears of it at its next pull.
    clock::touch(
        &mut tx,
        Entity::Record,
        &id,
        Some(current.site_id),
        Some(owner),
    )
    .await?;
    audit::record(
        &mut tx,
        Entry::new("record.review")
            .actor(user.id, &user.login)
            .addr(&user.client_addr)
            .target("record", &id)
            .detail(json!({ "status": body.status, "comment": comment })),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(summary_in_scope(&state, &user, &id).await?))
}
