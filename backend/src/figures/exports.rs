//! Exports for donors and clusters: the figures in a 5W layout (one row per
//! site × month × activity type, P-codes from the areas table, optional HXL
//! hashtags), as CSV or XLSX; and, for admins only, one row per record with
//! participant codes (never names). Every export is in the audit log.
//!
//! "Reached" columns count unique participants (individually registered,
//! distinct per row); head counts from awareness events are in their own
//! `headcount` columns and are never added into them (DESIGN.md §3).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::engine::{self, Figures, Grouping};
use super::period::Period;
use super::FiguresQuery;
use crate::audit::{self, Entry};
use crate::auth::{CurrentUser, Role};
use crate::error::{ApiError, ErrorBody};
use crate::validate::dates;
use crate::AppState;

/// Header, HXL hashtag, for each 5W column.
const COLUMNS: &[(&str, &str)] = &[
    ("Organisation", "#org+impl+name"),
    ("Sector", "#sector+cluster"),
    ("Activity", "#activity+name"),
    ("Activity code", "#activity+code"),
    ("Governorate P-code", "#adm1+code"),
    ("Governorate", "#adm1+name"),
    ("District P-code", "#adm2+code"),
    ("District", "#adm2+name"),
    ("Site code", "#loc+code"),
    ("Site", "#loc+name"),
    ("Period start", "#date+start"),
    ("Period end", "#date+end"),
    ("Activities", "#indicator+activities"),
    ("Attendances", "#indicator+attendances"),
    ("Reached (unique participants)", "#reached+ind"),
    ("Reached female children (0-17)", "#reached+f+children"),
    ("Reached male children (0-17)", "#reached+m+children"),
    ("Reached female adults (18-59)", "#reached+f+adults"),
    ("Reached male adults (18-59)", "#reached+m+adults"),
    ("Reached female elderly (60+)", "#reached+f+elderly"),
    ("Reached male elderly (60+)", "#reached+m+elderly"),
    ("Reached IDPs", "#reached+idps"),
    // Custom attribute: unique participants with a disability (any
    // Washington Group answer of 3 or 4, or a plain yes).
    ("Reached with disability", "#reached+disabled"),
    ("Head count (awareness)", "#reached+headcount"),
    (
        "Head count female children",
        "#reached+headcount+f+children",
    ),
    ("Head count male children", "#reached+headcount+m+children"),
    ("Head count female adults", "#reached+headcount+f+adults"),
    ("Head count male adults", "#reached+headcount+m+adults"),
    ("Head count female elderly", "#reached+headcount+f+elderly"),
    ("Head count male elderly", "#reached+headcount+m+elderly"),
    ("Head count with disability", "#reached+headcount+disabled"),
    ("Flagged records", "#meta+flagged"),
];

/// The cluster convention: children 0–17, adults 18–59, elderly 60+.
fn age_group(band: &str) -> usize {
    match band {
        "0-5" | "6-11" | "12-17" => 0,
        "60+" => 2,
        _ => 1,
    }
}

/// Sex × age-group cells in column order: f children, m children, f adults, …
fn cells<'a>(rows: impl Iterator<Item = (&'a str, &'a str, i64)>) -> [i64; 6] {
    let mut out = [0; 6];
    for (sex, band, n) in rows {
        out[age_group(band) * 2 + usize::from(sex == "male")] += n;
    }
    out
}

enum Cell {
    Text(String),
    Number(f64),
}

struct Place {
    partner: String,
    site_code: String,
    site_name: String,
    district: Option<(String, String)>,
    governorate: (String, String),
}

fn format_of(q: &FiguresQuery) -> Result<&'static str, ApiError> {
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => Ok("csv"),
        "xlsx" => Ok("xlsx"),
        _ => Err(ApiError::invalid_field("format", "must be csv or xlsx")),
    }
}

/// The figures in a 5W layout, one row per site × month × activity type.
#[utoipa::path(get, path = "/exports/figures", tag = "exports", params(FiguresQuery), responses(
    (status = 200, description = "CSV (UTF-8) or XLSX file", content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    let format = format_of(&q)?;
    let req = q.resolve(&state, &user).await?;
    let mut conn = state.db.begin_read().await?;
    let buckets =
        engine::compute(&mut conn, req.period, &req.filter, Grouping::SiteMonthType).await?;
    let places: BTreeMap<i64, Place> = sqlx::query_as::<_, (i64, String, String, String, Option<String>, Option<String>, String, String)>(
        "SELECT s.id, p.name, s.code, s.name, CASE WHEN a.level = 2 THEN a.pcode END, CASE WHEN a.level = 2 THEN a.name_en END, g.pcode, g.name_en
         FROM sites s JOIN partners p ON p.id = s.partner_id JOIN areas a ON a.id = s.area_id JOIN areas g ON g.id = COALESCE(a.parent_id, a.id)",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, partner, site_code, site_name, dcode, dname, gcode, gname)| (id, Place { partner, site_code, site_name, district: dcode.zip(dname), governorate: (gcode, gname) }))
    .collect();
    let types: BTreeMap<i64, (String, String)> =
        sqlx::query_as::<_, (i64, String, String)>("SELECT id, code, label_en FROM activity_types")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, c, l)| (id, (c, l)))
            .collect();
    conn.commit().await?;

    let flagged = if req.filter.include_flagged {
        "included"
    } else {
        "excluded"
    };
    let mut rows: Vec<Vec<Cell>> = vec![];
    for (key, figures) in buckets {
        // Keys are "site|month|type"; new registrations have no type and are not a 5W column.
        let Some(key) = key else { continue };
        let mut parts = key.split('|');
        let (Some(site), Some(month), Some(Ok(type_id))) = (
            parts.next().and_then(|s| s.parse::<i64>().ok()),
            parts.next(),
            parts.next().map(str::parse::<i64>),
        ) else {
            continue;
        };
        let (Some(place), Some((type_code, type_label))) = (places.get(&site), types.get(&type_id))
        else {
            continue;
        };
        if figures.totals.activities == 0 {
            continue;
        }
        let (start, end) = month_within(month, req.period);
        rows.push(five_w_row(
            place, type_code, type_label, &start, &end, &figures, flagged,
        ));
    }
    audit_export(&state, &user, "export.figures", json!({ "format": format, "scope": req.scope.kind, "scope_id": req.scope.id, "from": dates::format(req.period.from), "to": dates::format(req.period.to), "flagged": flagged, "rows": rows.len() })).await?;
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    let hxl: Option<Vec<&str>> = q
        .hxl
        .unwrap_or(false)
        .then(|| COLUMNS.iter().map(|c| c.1).collect());
    let name = format!(
        "sijil-figures-{}-{}",
        dates::format(req.period.from),
        dates::format(req.period.to)
    );
    file(format, &name, &headers, hxl.as_deref(), rows)
}

fn five_w_row(
    place: &Place,
    type_code: &str,
    type_label: &str,
    start: &str,
    end: &str,
    f: &Figures,
    flagged: &str,
) -> Vec<Cell> {
    let t = &f.totals;
    let reached = cells(
        f.split
            .iter()
            .map(|r| (r.sex.as_str(), r.age_band.as_str(), r.unique_participants)),
    );
    let heads = cells(
        f.reached
            .iter()
            .map(|r| (r.sex.as_str(), r.age_band.as_str(), r.count)),
    );
    let idps: i64 = f
        .split
        .iter()
        .filter(|r| r.displacement == "idp")
        .map(|r| r.unique_participants)
        .sum();
    let disabled: i64 = f
        .split
        .iter()
        .filter(|r| r.disability)
        .map(|r| r.unique_participants)
        .sum();
    let (dcode, dname) = place.district.clone().unwrap_or_default();
    let mut row = vec![
        Cell::Text(place.partner.clone()),
        Cell::Text("Protection".into()),
        Cell::Text(type_label.into()),
        Cell::Text(type_code.into()),
        Cell::Text(place.governorate.0.clone()),
        Cell::Text(place.governorate.1.clone()),
        Cell::Text(dcode),
        Cell::Text(dname),
        Cell::Text(place.site_code.clone()),
        Cell::Text(place.site_name.clone()),
        Cell::Text(start.into()),
        Cell::Text(end.into()),
        Cell::Number(t.activities as f64),
        Cell::Number(t.attendances as f64),
        Cell::Number(t.unique_participants as f64),
    ];
    row.extend(reached.iter().map(|n| Cell::Number(*n as f64)));
    row.push(Cell::Number(idps as f64));
    row.push(Cell::Number(disabled as f64));
    row.push(Cell::Number(t.reached_by_head_count as f64));
    row.extend(heads.iter().map(|n| Cell::Number(*n as f64)));
    row.push(Cell::Number(t.reached_with_disability as f64));
    row.push(Cell::Text(flagged.into()));
    row
}

/// The part of `month` (`YYYY-MM`) inside `period`.
fn month_within(month: &str, period: Period) -> (String, String) {
    let whole = Period::parse(month).unwrap_or(period);
    (
        dates::format(whole.from.max(period.from)),
        dates::format(whole.to.min(period.to)),
    )
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
    let format = format_of(&q)?;
    let req = q.resolve(&state, &user).await?;
    let sites = req
        .filter
        .sites
        .as_ref()
        .map(|s| {
            format!(
                " AND r.site_id IN ({})",
                if s.is_empty() {
                    "0".into()
                } else {
                    s.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                }
            )
        })
        .unwrap_or_default();
    let flagged = if req.filter.include_flagged {
        ""
    } else {
        " AND r.review_status <> 'flagged'"
    };
    let sql = format!(
        "SELECT r.id, r.kind, t.code, s.code, r.occurred_on, COALESCE(r.start_time, ''), r.duration_minutes, u.login, r.review_status,
                CAST(COALESCE((SELECT SUM(x.count) FROM tallies x WHERE x.record_id = r.id), 0) AS BIGINT), r.tally_disabled
         FROM activity_records r JOIN activity_types t ON t.id = r.activity_type_id JOIN sites s ON s.id = r.site_id JOIN users u ON u.id = r.recorded_by
         WHERE r.deleted = 0 AND r.occurred_on BETWEEN $1 AND $2{sites}{flagged} ORDER BY r.occurred_on, s.code"
    );
    let mut conn = state.db.begin_read().await?;
    let records: Vec<(
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        String,
        String,
        i64,
        i64,
    )> = sqlx::query_as(&sql)
        .bind(dates::format(req.period.from))
        .bind(dates::format(req.period.to))
        .fetch_all(&mut *conn)
        .await?;
    let mut rows = vec![];
    for (
        id,
        kind,
        type_code,
        site_code,
        date,
        start,
        minutes,
        recorder,
        review,
        heads,
        heads_disabled,
    ) in records
    {
        let codes: Vec<String> = sqlx::query_scalar("SELECT p.code FROM attendances a JOIN participants p ON p.id = a.participant_id WHERE a.record_id = $1 ORDER BY p.code").bind(&id).fetch_all(&mut *conn).await?;
        let codes: Vec<String> = codes
            .iter()
            .map(|c| crate::participants::code::display(c))
            .collect();
        rows.push(vec![
            Cell::Text(id),
            Cell::Text(kind),
            Cell::Text(type_code),
            Cell::Text(site_code),
            Cell::Text(date),
            Cell::Text(start),
            Cell::Number(minutes as f64),
            Cell::Text(recorder),
            Cell::Text(review),
            Cell::Number(codes.len() as f64),
            Cell::Text(codes.join(" ")),
            Cell::Number(heads as f64),
            Cell::Number(heads_disabled as f64),
        ]);
    }
    conn.commit().await?;
    audit_export(&state, &user, "export.records", json!({ "format": format, "scope": req.scope.kind, "scope_id": req.scope.id, "from": dates::format(req.period.from), "to": dates::format(req.period.to), "rows": rows.len() })).await?;
    let headers = [
        "Record",
        "Kind",
        "Activity code",
        "Site code",
        "Date",
        "Start",
        "Minutes",
        "Recorded by",
        "Review",
        "Attendances",
        "Participant codes",
        "Head count",
        "Head count with disability",
    ];
    let name = format!(
        "sijil-records-{}-{}",
        dates::format(req.period.from),
        dates::format(req.period.to)
    );
    file(format, &name, &headers, None, rows)
}

async fn audit_export(
    state: &AppState,
    user: &CurrentUser,
    action: &'static str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record_standalone(
        &state.db,
        Entry::new(action)
            .actor(user.id, &user.login)
            .addr(&user.client_addr)
            .detail(detail),
    )
    .await?;
    Ok(())
}

fn file(
    format: &str,
    name: &str,
    headers: &[&str],
    hxl: Option<&[&str]>,
    rows: Vec<Vec<Cell>>,
) -> Result<Response, ApiError> {
    let (body, content_type) = match format {
        "xlsx" => (
            xlsx(headers, hxl, &rows)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("xlsx: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (
            csv(headers, hxl, &rows)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?,
            "text/csv; charset=utf-8",
        ),
    };
    let disposition = format!("attachment; filename=\"{name}.{format}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
        body,
    )
        .into_response())
}

fn csv(headers: &[&str], hxl: Option<&[&str]>, rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    // A byte-order mark, so spreadsheet programs read Arabic and Kurdish names as UTF-8.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(headers)?;
        if let Some(tags) = hxl {
            w.write_record(tags)?;
        }
        for row in rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(t) => t.clone(),
                Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
                Cell::Number(n) => format!("{n:.2}"),
            }))?;
        }
        w.flush()?;
    }
    Ok(out)
}

fn xlsx(
    headers: &[&str],
    hxl: Option<&[&str]>,
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1;
    if let Some(tags) = hxl {
        for (c, t) in tags.iter().enumerate() {
            sheet.write_string(r, c as u16, *t)?;
        }
        r += 1;
    }
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string(r, c as u16, t)?,
                Cell::Number(n) => sheet.write_number(r, c as u16, *n)?,
            };
        }
        r += 1;
    }
    sheet.set_freeze_panes(if hxl.is_some() { 2 } else { 1 }, 0)?;
    workbook.save_to_buffer()
}
