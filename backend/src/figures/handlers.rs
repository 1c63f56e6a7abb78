//! HTTP handlers for figures, the site table, targets and exports. Each
//! reads the request ([`resolve`]), asks the engine, and shapes the answer.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::model::{
    achieved, labelled, FiguresAnswer, FiguresQuery, Filter, Grouping, Request, SiteRow, Target,
    TargetInput, TargetQuery,
};
use super::store::ExportFilter;
use super::{download, engine, exports, store};
use crate::access::{CurrentUser, Role};
use crate::activity_types;
use crate::audit::{self, Entry};
use crate::error::{ApiError, ErrorBody, ResultExt};
use crate::extract::{Json, Query};
use crate::monitoring::model::FIGURES_DURATION;
use crate::sites;
use crate::state::AppState;
use crate::validate::dates;

/// Figures for a scope and period: totals, splits by sex × age band ×
/// disability × displacement, head counts, and an optional breakdown.
#[utoipa::path(get, path = "/figures", tag = "figures", params(FiguresQuery), responses((status = 200, body = FiguresAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<FiguresAnswer>, ApiError> {
    let req = resolve(&state, &user, &q).await?;
    let grouping = q.grouping(req.place)?;
    let started = Instant::now();
    let mut conn = state.db.begin_read().await.context("begin")?;
    // The totals and the breakdown in one go: the presence sets in scope
    // are read once for both.
    let mut asked = vec![Grouping::All];
    asked.extend(grouping.map(|(g, _)| g));
    let mut answers = engine::compute_many(&mut conn, req.period, &req.filter, &asked)
        .await
        .context("compute the figures")?;
    let breakdown = (answers.len() > 1).then(|| answers.pop()).flatten();
    let figures = answers
        .pop()
        .and_then(|mut all| all.remove(&Some("all".to_string())))
        .unwrap_or_default();
    let mut groups = vec![];
    if let (Some((grouping, _)), Some(buckets)) = (grouping, breakdown) {
        let names = store::bucket_names(&mut conn, grouping)
            .await
            .context("name the buckets")?;
        groups = labelled(buckets, &names, q.splits.unwrap_or(false));
    }
    conn.commit().await.context("commit")?;
    timed("figures", started);
    Ok(Json(FiguresAnswer {
        scope: req.scope,
        from: dates::format(req.period.from),
        to: dates::format(req.period.to),
        include_flagged: req.filter.include_flagged,
        figures,
        group: grouping.map(|(_, name)| name.to_string()),
        groups,
    }))
}

/// Every site of the scope with its figures for the period and its last
/// activity date: the dashboard's site table and its "silent sites".
#[utoipa::path(get, path = "/figures/sites", tag = "figures", params(FiguresQuery), responses((status = 200, body = Vec<SiteRow>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_table(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<Vec<SiteRow>>, ApiError> {
    let req = resolve(&state, &user, &q).await?;
    let started = Instant::now();
    let mut conn = state.db.begin_read().await.context("begin")?;
    let mut buckets = engine::compute(&mut conn, req.period, &req.filter, Grouping::Site)
        .await
        .context("compute per site")?;
    let places = store::site_places(&mut conn)
        .await
        .context("list the sites")?;
    conn.commit().await.context("commit")?;
    timed("sites", started);
    let wanted = |id: i64| req.filter.sites.as_ref().is_none_or(|s| s.contains(&id));
    let rows = places
        .into_iter()
        .filter(|p| wanted(p.id))
        .map(|p| SiteRow {
            totals: buckets
                .remove(&Some(p.id.to_string()))
                .map(|f| f.totals)
                .unwrap_or_default(),
            site_id: p.id,
            code: p.code,
            name: p.name,
            partner: p.partner,
            district: p.district,
            governorate: p.governorate,
            district_ar: p.district_ar,
            district_ckb: p.district_ckb,
            governorate_ar: p.governorate_ar,
            governorate_ckb: p.governorate_ckb,
            active: p.active,
            last_activity: p.last_activity,
        })
        .collect();
    Ok(Json(rows))
}

/// Targets of the user's scope, with what was achieved.
#[utoipa::path(get, path = "/targets", tag = "figures", params(TargetQuery), responses((status = 200, body = Vec<Target>), (status = 403, body = ErrorBody)))]
pub async fn list_targets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TargetQuery>,
) -> Result<Json<Vec<Target>>, ApiError> {
    user.require_staff()?;
    let mut targets = store::targets(&state.db, &user.scope, q.site_id)
        .await
        .context("list targets")?;
    // A programme target is measured over what this user may see.
    let visible: Option<Vec<i64>> = if user.scope.all_sites {
        None
    } else {
        let sites = sites::store::list_sites(&state.db, &user.scope)
            .await
            .context("list sites")?;
        Some(sites.into_iter().map(|s| s.id).collect())
    };
    let mut conn = state.db.begin_read().await.context("begin")?;
    for target in &mut targets {
        let period = super::period::Period::from_range(&target.period_start, &target.period_end)
            .expect("stored periods are valid");
        let filter = Filter {
            sites: target
                .site_id
                .map(|site| vec![site])
                .or_else(|| visible.clone()),
            types: target.activity_type_id.map(|t| vec![t]),
            include_flagged: true,
            use_rollups: true,
        };
        let figures = engine::whole(&mut conn, period, &filter)
            .await
            .context("measure a target")?;
        target.achieved = achieved(
            &target.indicator,
            &figures,
            target.sex.as_deref(),
            target.age_band.as_deref(),
        );
    }
    conn.commit().await.context("commit")?;
    Ok(Json(targets))
}

/// Sets (or replaces) the target for an indicator, scope and period.
#[utoipa::path(post, path = "/targets", tag = "figures", request_body = TargetInput, responses((status = 201, body = Target), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_target(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<TargetInput>,
) -> Result<(StatusCode, Json<Target>), ApiError> {
    user.require_staff()?;
    body.check()?;
    match body.site_id {
        Some(site) => {
            let found = sites::store::get_site(&state.db, &user.scope, site)
                .await
                .context("load the site")?;
            found.ok_or_else(|| ApiError::not_found("site"))?;
        }
        None if user.role == Role::Admin || user.scope.all_sites => {}
        None => {
            return Err(ApiError::forbidden(
                "programme targets are set by admins and programme-wide coordinators",
            ))
        }
    }
    let mut tx = state.db.begin().await.context("begin")?;
    if let Some(activity_type) = body.activity_type_id {
        activity_types::store::get(&mut tx, activity_type)
            .await
            .context("load the activity type")?
            .ok_or_else(|| ApiError::invalid_field("activity_type_id", "no such activity type"))?;
    }
    let id = store::set_target(&mut tx, &body, user.id)
        .await
        .context("store the target")?;
    let entry = Entry::by("target.set", &user)
        .target("target", id)
        .detail(json!({
            "indicator": body.indicator, "site_id": body.site_id, "period_start": body.period_start,
            "period_end": body.period_end, "value": body.value,
            "activity_type_id": body.activity_type_id, "sex": body.sex, "age_band": body.age_band
        }));
    audit::record(&mut tx, entry).await.context("audit")?;
    tx.commit().await.context("commit")?;
    let target = Target {
        id,
        indicator: body.indicator,
        site_id: body.site_id,
        activity_type_id: body.activity_type_id,
        sex: body.sex,
        age_band: body.age_band,
        period_start: body.period_start,
        period_end: body.period_end,
        value: body.value,
        achieved: 0.0,
    };
    Ok((StatusCode::CREATED, Json(target)))
}

/// The figures in a 5W layout, one row per site × month × activity type.
/// The download starts at once (its header goes out while the figures are
/// computed); the rows follow once computed and audited.
#[utoipa::path(get, path = "/exports/figures", tag = "exports", params(FiguresQuery), responses(
    (status = 200, description = "CSV (UTF-8) or XLSX file", content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    let format = q.format()?;
    let req = resolve(&state, &user, &q).await?;
    let (from, to) = (dates::format(req.period.from), dates::format(req.period.to));
    let (headers, tags) = exports::five_w_headers();
    let hxl = q.hxl.unwrap_or(false).then_some(tags.as_slice());
    let name = format!("sijil-figures-{from}-{to}");
    let (mut out, response) = download::start(format, &name, &headers, hxl);
    tokio::spawn(async move {
        match five_w(&state, &user, &req, format).await {
            Ok(mut rows) => loop {
                let batch = rows.next_batch();
                if batch.is_empty() {
                    let _ = out.finish().await;
                    break;
                }
                // The client went away: stop writing.
                if out.rows(&batch).await.is_err() {
                    break;
                }
            },
            Err(e) => {
                tracing::error!(error = %e, "figures export failed");
                out.fail().await;
            }
        }
    });
    Ok(response)
}

/// The 5W rows of a request, audited (with their number) before any is
/// made and sent.
async fn five_w(
    state: &AppState,
    user: &CurrentUser,
    req: &Request,
    format: &str,
) -> Result<exports::FiveWRows, ApiError> {
    let started = Instant::now();
    let mut conn = state.db.begin_read().await.context("begin")?;
    let buckets = engine::compute(&mut conn, req.period, &req.filter, Grouping::SiteMonthType)
        .await
        .context("compute per site, month and type")?;
    let places = store::five_w_places(&mut conn)
        .await
        .context("name the places")?;
    let types = store::type_names(&mut conn)
        .await
        .context("name the types")?;
    conn.commit().await.context("commit")?;
    timed("export", started);
    let flagged = if req.filter.include_flagged {
        "included"
    } else {
        "excluded"
    };
    let rows = exports::FiveWRows::new(buckets, places, types, req.period, flagged);
    let (from, to) = (dates::format(req.period.from), dates::format(req.period.to));
    let detail = json!({
        "format": format, "scope": req.scope.kind, "scope_id": req.scope.id, "from": from, "to": to,
        "flagged": flagged, "rows": rows.count
    });
    audit_export(state, user, "export.figures", detail).await?;
    Ok(rows)
}

/// Records one row each, with participant codes (admins only).
#[utoipa::path(get, path = "/exports/records", tag = "exports", params(FiguresQuery), responses(
    (status = 200, description = "CSV (UTF-8) or XLSX file", content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn records_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    if user.role != Role::Admin {
        return Err(ApiError::forbidden("row-level exports are for admins"));
    }
    let format = q.format()?;
    let req = resolve(&state, &user, &q).await?;
    let (from, to) = (dates::format(req.period.from), dates::format(req.period.to));
    // Audited before the first byte: a download cut short was still asked for.
    let detail = json!({
        "format": format, "scope": req.scope.kind, "scope_id": req.scope.id, "from": from, "to": to
    });
    audit_export(&state, &user, "export.records", detail).await?;
    let name = format!("sijil-records-{from}-{to}");
    let filter = ExportFilter {
        sites: req.filter.sites,
        include_flagged: req.filter.include_flagged,
        from,
        to,
    };
    let tx = state.db.begin_read().await.context("begin")?;
    let pages = exports::RecordPages::new(tx, filter);
    Ok(exports::records_download(pages, format, &name))
}

/// Reads and checks a figures request: staff only; the place within the
/// user's own sites; the activity types named by id or kind.
async fn resolve(
    state: &AppState,
    user: &CurrentUser,
    q: &FiguresQuery,
) -> Result<Request, ApiError> {
    user.require_staff()?;
    let asked = q.parse()?;
    let (scope, sites) = store::resolve_place(&state.db, &user.scope, asked.place)
        .await
        .context("resolve the place")?;
    let types = match (asked.activity_type_id, asked.kind) {
        (None, None) => None,
        (id, kind) => Some(
            activity_types::store::ids_matching(&state.db, id, kind)
                .await
                .context("resolve the types")?,
        ),
    };
    let filter = Filter {
        sites,
        types,
        include_flagged: asked.include_flagged,
        use_rollups: true,
    };
    Ok(Request {
        scope,
        place: asked.place,
        period: asked.period,
        filter,
    })
}

/// Records how long computing the figures of one `request` took.
fn timed(request: &'static str, started: Instant) {
    metrics::histogram!(FIGURES_DURATION, "request" => request)
        .record(started.elapsed().as_secs_f64());
}

async fn audit_export(
    state: &AppState,
    user: &CurrentUser,
    action: &'static str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record_standalone(&state.db, Entry::by(action, user).detail(detail))
        .await
        .context("audit the export")
}
