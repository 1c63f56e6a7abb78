//! HTTP handlers for referrals: refer (online; offline goes through the
//! push), the lists of each side, one referral, its status steps, and the
//! figures with their exports. Every list and read is audited in the
//! transaction that read it.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::exports as rows;
use super::figures::{self, FiguresQuery, PeriodView, ReferralFigures};
use super::model::{may_move, overdue_before, step_date, Sides, NO_CONSENT};
use super::store;
use super::sync::Referrals;
use super::views::{
    ListFilter, ListQuery, PageEnd, Referral, ReferralInput, ReferralList, StepInput,
};
use crate::access::{CurrentUser, Role};
use crate::audit::{self, Entry};
use crate::changes;
use crate::changes::item::{apply, Actor, Pushed};
use crate::changes::model::Status as Answer;
use crate::error::{ApiError, ErrorBody, ErrorCode, ResultExt};
use crate::extract::{Json, Path, Query};
use crate::figures::download;
use crate::figures::period::Period;
use crate::refusal::Refusals;
use crate::state::AppState;
use crate::validate::dates;

/// Mobilisers count heads: they hold no participants and take no part in referrals.
fn refuse_mobiliser(user: &CurrentUser) -> Result<(), ApiError> {
    if user.role == Role::Mobiliser {
        Err(ApiError::forbidden("mobilisers do not refer"))
    } else {
        Ok(())
    }
}

/// A refusal of a referral's content: without consent under its own code.
pub fn refusal(errors: Refusals) -> ApiError {
    let errors = crate::refusal::sentences(&errors);
    if errors.contains_key("consent") {
        ApiError::Refused {
            code: ErrorCode::ConsentRequired,
            message: NO_CONSENT.into(),
            fields: errors,
        }
    } else {
        ApiError::invalid_fields(errors)
    }
}

/// The reason a note is refused while notes are switched off.
pub const NOTES_OFF: &str = "notes on referrals are switched off for this programme";

/// A referral id as stored (a UUID, hyphenated), or `None`.
fn canonical_id(id: &str) -> Option<String> {
    uuid::Uuid::parse_str(id.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// Refers a participant to a service: the online way, the same content and
/// rule as a pushed `referral` item. 201 when stored, 200 when it already was.
#[utoipa::path(post, path = "/referrals", tag = "referrals", request_body = ReferralInput, responses(
    (status = 201, body = Referral), (status = 200, body = Referral), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<ReferralInput>,
) -> Result<(StatusCode, Json<Referral>), ApiError> {
    refuse_mobiliser(&user)?;
    let (id, data) = body.split();
    let id = canonical_id(&id)
        .ok_or_else(|| ApiError::invalid_field("id", "must be a UUID made by the client"))?;
    if !state.config.referrals.notes && data.note.as_deref().is_some_and(|n| !n.trim().is_empty()) {
        return Err(ApiError::invalid_field("note", NOTES_OFF));
    }
    let actor = Actor {
        user_id: user.id,
        role: user.role,
        scope: user.scope,
    };
    let (site_id, service_id, urgency) = (data.site_id, data.service_id, data.urgency);
    let mut tx = changes::store::begin(&state.db).await.context("begin")?;
    let pushed = Pushed {
        id: id.clone(),
        base_version: 0,
        deleted: false,
        data: Some(data),
        device_time: None,
    };
    let answer = apply::<Referrals>(&mut tx, &actor, pushed)
        .await
        .context("store the referral")?;
    let status = match answer.status {
        Answer::Stored => {
            let entry = Entry::by("referral.create", &user)
                .target("referral", &id)
                .detail(json!({ "site_id": site_id, "service_id": service_id, "urgency": urgency.as_str() }));
            audit::record(&mut tx, entry).await.context("audit")?;
            StatusCode::CREATED
        }
        Answer::Duplicate => StatusCode::OK,
        Answer::Conflict => {
            return Err(ApiError::invalid_field(
                "id",
                "is already used by another referral",
            ))
        }
        Answer::Invalid => return Err(refusal(answer.errors.unwrap_or_default())),
    };
    let row = store::one(&mut tx, user.role, &user.scope, &id)
        .await
        .context("load the referral")?
        .ok_or_else(|| ApiError::not_found("referral"))?;
    tx.commit().await.context("commit")?;
    let config = &state.config.referrals;
    Ok((
        status,
        Json(row.view(dates::today(), config.overdue_days, None)),
    ))
}

/// The referrals of one side: made from the caller's sites (a trainer: by
/// them), or addressed to their partners; newest first. Audited.
#[utoipa::path(get, path = "/referrals", tag = "referrals", params(ListQuery), responses(
    (status = 200, body = ReferralList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<ReferralList>, ApiError> {
    refuse_mobiliser(&user)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let overdue_days = state.config.referrals.overdue_days;
    let today = dates::today();
    let filter = ListFilter {
        side: q.side.unwrap_or_default(),
        status: q.status,
        overdue_before: (q.overdue == Some(true))
            .then(|| dates::format(overdue_before(today, overdue_days))),
        site_id: q.site_id,
        before: match q.before.as_deref() {
            None => None,
            Some(text) => Some(PageEnd::parse(text).ok_or_else(|| {
                ApiError::invalid_field("before", "is not the next_before of a page")
            })?),
        },
    };
    let mut tx = state.db.begin().await.context("begin")?;
    // One more than asked tells whether an older page exists.
    let mut rows = store::list(&mut tx, user.role, &user.scope, &filter, limit + 1)
        .await
        .context("list referrals")?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_before = if more {
        rows.last().map(|r| PageEnd::of(r).encode())
    } else {
        None
    };
    // Each page is a read of its own: what was shown, and where it began.
    let entry = Entry::by("referral.list", &user).detail(json!({
        "side": filter.side.as_str(), "status": filter.status.map(|s| s.as_str()),
        "overdue": q.overdue, "site_id": filter.site_id, "count": rows.len(),
        "before": filter.before.as_ref().map(PageEnd::encode)
    }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    Ok(Json(ReferralList {
        referrals: rows
            .into_iter()
            .map(|r| r.view(today, overdue_days, None))
            .collect(),
        overdue_days,
        next_before,
    }))
}

/// One referral with its steps, to either side. Audited.
#[utoipa::path(get, path = "/referrals/{id}", tag = "referrals", params(("id" = String, Path)), responses(
    (status = 200, body = Referral), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Referral>, ApiError> {
    refuse_mobiliser(&user)?;
    let id = canonical_id(&id).ok_or_else(|| ApiError::not_found("referral"))?;
    let mut tx = state.db.begin().await.context("begin")?;
    let row = store::one(&mut tx, user.role, &user.scope, &id)
        .await
        .context("load the referral")?
        .ok_or_else(|| ApiError::not_found("referral"))?;
    let steps = store::steps(&mut tx, &id).await.context("load the steps")?;
    let entry = Entry::by("referral.read", &user).target("referral", &id);
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    let overdue_days = state.config.referrals.overdue_days;
    Ok(Json(row.view(dates::today(), overdue_days, Some(steps))))
}

/// Moves a referral one step, dated and by the caller: 409
/// `referral_wrong_step` when the step does not follow, `referral_changed`
/// when someone else moved it since `version`.
#[utoipa::path(post, path = "/referrals/{id}/status", tag = "referrals", params(("id" = String, Path)), request_body = StepInput, responses(
    (status = 200, body = Referral), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<StepInput>,
) -> Result<Json<Referral>, ApiError> {
    refuse_mobiliser(&user)?;
    let id = canonical_id(&id).ok_or_else(|| ApiError::not_found("referral"))?;
    let today = dates::today();
    // The change clock first: two people moving one referral queue here,
    // and the second reads what the first wrote.
    let mut tx = changes::store::begin(&state.db).await.context("begin")?;
    let row = store::one(&mut tx, user.role, &user.scope, &id)
        .await
        .context("load the referral")?
        .ok_or_else(|| ApiError::not_found("referral"))?;
    let sides = Sides {
        referring: row.referring,
        receiving: row.receiving,
    };
    if !may_move(user.role, sides, row.to_partner_id, body.status) {
        return Err(ApiError::forbidden(
            "the receiving organisation answers a referral; either side closes it",
        ));
    }
    if body.version != row.version {
        return Err(changed());
    }
    let from = row.status();
    if !from.leads_to(body.status) {
        return Err(ApiError::conflict(
            ErrorCode::ReferralWrongStep,
            format!(
                "a referral {} cannot become {}",
                from.as_str(),
                body.status.as_str()
            ),
        ));
    }
    let on = step_date(body.on.as_deref(), &row.last_date(), today)
        .map_err(|reason| ApiError::invalid_field("on", reason))?;
    let moved = store::move_status(
        &mut tx,
        &id,
        from,
        body.status,
        body.version,
        &on,
        user.id,
        crate::store::now_millis(),
    )
    .await
    .context("move the referral")?;
    if !moved {
        return Err(changed());
    }
    let entry = Entry::by("referral.status", &user)
        .target("referral", &id)
        .detail(json!({ "from": from.as_str(), "to": body.status.as_str(), "on": on }));
    audit::record(&mut tx, entry).await.context("audit")?;
    // The referrer hears of the answer: queued with the step or not at all.
    crate::push::notify::referral_moved(
        &mut tx,
        &id,
        body.status.as_str(),
        user.id,
        crate::store::now_millis(),
    )
    .await
    .context("queue the notice")?;
    let row = store::one(&mut tx, user.role, &user.scope, &id)
        .await
        .context("reload the referral")?
        .ok_or_else(|| ApiError::not_found("referral"))?;
    let steps = store::steps(&mut tx, &id).await.context("load the steps")?;
    tx.commit().await.context("commit")?;
    let overdue_days = state.config.referrals.overdue_days;
    Ok(Json(row.view(today, overdue_days, Some(steps))))
}

fn changed() -> ApiError {
    ApiError::conflict(
        ErrorCode::ReferralChanged,
        "someone else moved this referral since you read it; read it again",
    )
}

/// The longest period one figures request may cover.
const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// Computes the figures `q` asks for, in the caller's scope.
async fn compute(
    state: &AppState,
    user: &CurrentUser,
    q: &FiguresQuery,
) -> Result<ReferralFigures, ApiError> {
    refuse_mobiliser(user)?;
    let period = match (&q.period, &q.from, &q.to) {
        (Some(p), None, None) => Period::parse(p),
        (None, Some(from), Some(to)) => Period::from_range(from, to),
        (None, None, None) => Period::parse(&dates::format(dates::today())[..7]),
        _ => None,
    }
    .ok_or_else(|| {
        ApiError::invalid_field(
            "period",
            "give a day, ISO week, month or quarter as period, or from and to (dates, from before to)",
        )
    })?;
    if period.days() > MAX_PERIOD_DAYS {
        return Err(ApiError::invalid_field(
            "period",
            "at most three years at once",
        ));
    }
    let place = figures::place(q).map_err(|reason| ApiError::invalid_field("place", reason))?;
    let side = q.side.unwrap_or_default();
    let (from, to) = (dates::format(period.from), dates::format(period.to));
    let mut conn = state.db.begin_read().await.context("begin")?;
    if place.0 != 0
        && !store::place_in_scope(&mut conn, &user.scope, place)
            .await
            .context("check the place")?
    {
        return Err(ApiError::not_found("place"));
    }
    let rows = store::figure_rows(&mut conn, user.role, &user.scope, side, &from, &to, place)
        .await
        .context("read the referrals")?;
    let areas: BTreeMap<i64, figures::AreaName> = store::area_names(&mut conn)
        .await
        .context("name the areas")?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    conn.commit().await.context("commit")?;
    let overdue_days = state.config.referrals.overdue_days;
    let (totals, groups, by_person) =
        figures::compute(&rows, q.group_by, &areas, dates::today(), overdue_days);
    Ok(ReferralFigures {
        period: PeriodView { from, to },
        side,
        group_by: q.group_by,
        overdue_days,
        totals,
        groups,
        by_person,
    })
}

/// Referral figures: made, accepted, declined, completed, overdue and the
/// median days, by a grouping and by the person, scoped like every figure.
#[utoipa::path(get, path = "/referrals/figures", tag = "referrals", params(FiguresQuery), responses(
    (status = 200, body = ReferralFigures), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<ReferralFigures>, ApiError> {
    Ok(Json(compute(&state, &user, &q).await?))
}

/// The referral figures as CSV or XLSX (optionally with HXL hashtags):
/// the groups (`table=groups`) or the person split (`table=person`).
/// Never a code, a name or a note. Audited before the first byte.
#[utoipa::path(get, path = "/referrals/figures/export", tag = "referrals", params(FiguresQuery), responses(
    (status = 200, description = "CSV (UTF-8) or XLSX file", content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => "csv",
        "xlsx" => "xlsx",
        _ => return Err(ApiError::invalid_field("format", "must be csv or xlsx")),
    };
    let person = match q.table.as_deref().unwrap_or("groups") {
        "groups" => false,
        "person" => true,
        _ => return Err(ApiError::invalid_field("table", "must be groups or person")),
    };
    let f = compute(&state, &user, &q).await?;
    let (headers, tags, rows) = if person {
        rows::person_rows(&f)
    } else {
        rows::group_rows(&f)
    };
    let detail = json!({
        "format": format, "table": if person { "person" } else { "groups" }, "side": f.side.as_str(),
        "group_by": f.group_by.map(|g| g.as_str()), "from": f.period.from, "to": f.period.to, "rows": rows.len()
    });
    audit::record_standalone(
        &state.db,
        Entry::by("referral.export", &user).detail(detail),
    )
    .await
    .context("audit the export")?;
    let hxl = q.hxl.unwrap_or(false).then_some(tags.as_slice());
    Ok(download::complete(
        format,
        &format!("sijil-referrals-{}-{}", f.period.from, f.period.to),
        &headers,
        hxl,
        rows,
    ))
}
