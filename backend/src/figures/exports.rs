//! Export layouts for donors and clusters: the figures in a 5W layout (one
//! row per site × month × activity type, P-codes from the areas table,
//! optional HXL hashtags), and one row per record with participant codes
//! (never names, admins only); written as CSV or XLSX. The handlers audit
//! every export.
//!
//! The records export is read a page at a time ([`RecordPages`]) from one
//! read transaction, so it is one consistent snapshot however long it runs;
//! as CSV and as XLSX it streams ([`super::download`]), each page written
//! while the next is read, so a whole history starts arriving at once and
//! the server holds one page at a time.
//!
//! "Reached" columns count unique participants (individually registered,
//! distinct per row); head counts from awareness events are in their own
//! `headcount` columns and are never added into them (docs/design.md §3).

use std::collections::BTreeMap;

use axum::response::Response;

use super::download;
use super::model::{Buckets, Figures};
use super::period::Period;
use super::store::{self, ExportFilter, ExportedRecord, FiveWPlace};
use crate::participants::code;
use crate::store::Tx;
use crate::validate::dates;

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

pub enum Cell {
    Text(String),
    Number(f64),
}

/// Rows of the 5W layout made and sent per batch: a batch is a few hundred
/// kilobytes of CSV, as a records export page is.
const FIVE_W_ROWS_PER_BATCH: usize = 500;

/// The 5W rows of `buckets` (keyed "site|month|type"): one per site ×
/// month × activity type with any activity, the month cut to `period`.
/// They are made a batch at a time as the download is written, each
/// bucket dropped once its row is made, so the server holds the figures
/// and one batch of rows, never every row and the whole file besides.
pub struct FiveWRows {
    buckets: std::collections::btree_map::IntoIter<Option<String>, Figures>,
    places: BTreeMap<i64, FiveWPlace>,
    types: BTreeMap<i64, (String, String)>,
    period: Period,
    flagged: &'static str,
    /// How many rows there are in all (the audit entry says it first).
    pub count: usize,
}

/// The site, month and type of a bucket that makes a 5W row, if it makes
/// one: new registrations have no type and are not a 5W column; a bucket
/// without activity has no row.
fn five_w_key(key: &Option<String>, figures: &Figures) -> Option<(i64, String, i64)> {
    let key = key.as_deref()?;
    let mut parts = key.split('|');
    let site = parts.next()?.parse::<i64>().ok()?;
    let month = parts.next()?.to_string();
    let type_id = parts.next()?.parse::<i64>().ok()?;
    (figures.totals.activities != 0).then_some((site, month, type_id))
}

impl FiveWRows {
    pub fn new(
        buckets: Buckets,
        places: BTreeMap<i64, FiveWPlace>,
        types: BTreeMap<i64, (String, String)>,
        period: Period,
        flagged: &'static str,
    ) -> Self {
        let count = buckets
            .iter()
            .filter_map(|(key, figures)| five_w_key(key, figures))
            .filter(|(site, _, type_id)| places.contains_key(site) && types.contains_key(type_id))
            .count();
        FiveWRows {
            buckets: buckets.into_iter(),
            places,
            types,
            period,
            flagged,
            count,
        }
    }

    /// The next batch of rows; empty after the last.
    pub fn next_batch(&mut self) -> Vec<Vec<Cell>> {
        let mut rows = Vec::with_capacity(FIVE_W_ROWS_PER_BATCH);
        for (key, figures) in self.buckets.by_ref() {
            let Some((site, month, type_id)) = five_w_key(&key, &figures) else {
                continue;
            };
            let (Some(place), Some((type_code, type_label))) =
                (self.places.get(&site), self.types.get(&type_id))
            else {
                continue;
            };
            let (start, end) = month_within(&month, self.period);
            rows.push(five_w_row(
                place,
                type_code,
                type_label,
                &start,
                &end,
                &figures,
                self.flagged,
            ));
            if rows.len() == FIVE_W_ROWS_PER_BATCH {
                break;
            }
        }
        rows
    }
}

/// The 5W header row, and the HXL hashtags under it.
pub fn five_w_headers() -> (Vec<&'static str>, Vec<&'static str>) {
    (
        COLUMNS.iter().map(|c| c.0).collect(),
        COLUMNS.iter().map(|c| c.1).collect(),
    )
}

fn five_w_row(
    place: &FiveWPlace,
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
    let dcode = place.district_pcode.clone().unwrap_or_default();
    let dname = place.district_name.clone().unwrap_or_default();
    let mut row = vec![
        Cell::Text(place.partner.clone()),
        Cell::Text("Protection".into()),
        Cell::Text(type_label.into()),
        Cell::Text(type_code.into()),
        Cell::Text(place.governorate_pcode.clone()),
        Cell::Text(place.governorate_name.clone()),
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

/// The header of the row-level record export.
pub const RECORD_HEADERS: [&str; 13] = [
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

/// One record's row: participant codes (never names), shown as read aloud.
pub fn record_row(r: ExportedRecord) -> Vec<Cell> {
    let codes: Vec<String> = r.codes.split_whitespace().map(code::display).collect();
    vec![
        Cell::Text(r.id),
        Cell::Text(r.kind),
        Cell::Text(r.type_code),
        Cell::Text(r.site_code),
        Cell::Text(r.date),
        Cell::Text(r.start),
        Cell::Number(r.minutes as f64),
        Cell::Text(r.recorder),
        Cell::Text(r.review),
        Cell::Number(codes.len() as f64),
        Cell::Text(codes.join(" ")),
        Cell::Number(r.heads as f64),
        Cell::Number(r.heads_disabled as f64),
    ]
}

/// Records read per page: a few hundred kilobytes of CSV, in one query (the
/// records with their attendees' codes).
const RECORDS_PER_PAGE: i64 = 500;

/// The records of an export, page by page, from one read transaction.
pub struct RecordPages {
    tx: Tx,
    filter: ExportFilter,
    /// The last record handed out, `(date, id)`: the next page starts after it.
    after: Option<(String, String)>,
    done: bool,
}

impl RecordPages {
    pub fn new(tx: Tx, filter: ExportFilter) -> Self {
        RecordPages {
            tx,
            filter,
            after: None,
            done: false,
        }
    }

    /// The next page's rows, or `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Vec<Cell>>>, sqlx::Error> {
        if self.done {
            return Ok(None);
        }
        let after = self.after.as_ref().map(|(d, i)| (d.as_str(), i.as_str()));
        let records =
            store::exported_records_page(&mut self.tx, &self.filter, after, RECORDS_PER_PAGE)
                .await?;
        self.done = (records.len() as i64) < RECORDS_PER_PAGE;
        let Some(last) = records.last() else {
            return Ok(None);
        };
        self.after = Some((last.date.clone(), last.id.clone()));
        Ok(Some(records.into_iter().map(record_row).collect()))
    }

    /// Ends the read transaction.
    pub async fn finish(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

/// The records export as a CSV or XLSX download named `name`, sent as it
/// is read: the head goes out at once, then each page as it is read.
pub fn records_download(mut pages: RecordPages, format: &str, name: &str) -> Response {
    let (mut out, response) = download::start(format, name, &RECORD_HEADERS, None);
    tokio::spawn(async move {
        loop {
            match pages.next_page().await {
                Ok(Some(rows)) => {
                    // The client went away: stop reading.
                    if out.rows(&rows).await.is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "records export: reading a page failed");
                    out.fail().await;
                    return;
                }
            }
        }
        if let Err(e) = pages.finish().await {
            tracing::warn!(error = %e, "records export: ending the read failed");
        }
        let _ = out.finish().await;
    });
    response
}
