//! The figures of DESIGN.md §3, computed once, here, for the dashboard, the
//! API and the exports alike.
//!
//! Two ways to the same numbers:
//! - with rollups (the default): whole months come from `presence_months`
//!   (who was present, per month × site × type) and summable counts from
//!   `activity_days` / `tally_days`; only the days at the edges of a range
//!   that does not start or end on a month boundary are read from the
//!   records. A programme-wide quarter never touches the attendance table.
//! - naive: everything from the records and attendances, for benchmarks and
//!   for tests that check the rollups against it.
//!
//! Unique participants are counted distinct within each bucket (a site, a
//! district, a month …), never summed from lower levels: the database
//! groups the presences in scope by bucket and person and returns one row
//! per bucket × split cell, so what crosses the wire is small whatever the
//! number of people.
//! Age bands: attendances use the age in the year of the activity; unique,
//! new and completed participants use the age in the year they were first
//! present in the period (new: the year they registered), so a person
//! turning 18 within a period is counted once, in one band.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::AnyConnection;

use super::period::Period;
use crate::records::model::AgeBand;
use crate::validate::dates;

/// What to count.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The sites counted; `None`: every site.
    pub sites: Option<Vec<i64>>,
    /// The activity types counted; `None`: every type.
    pub types: Option<Vec<i64>>,
    /// Whether flagged records count.
    pub include_flagged: bool,
    /// `false`: compute from the records alone (benchmarks, checks).
    pub use_rollups: bool,
}

/// How the figures are bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    All,
    Site,
    District,
    Governorate,
    Partner,
    Month,
    /// Days (summable figures only; the caller buckets them into weeks).
    Day,
    /// Site × month × activity type, for exports.
    SiteMonthType,
}

impl Grouping {
    /// The bucket key as SQL text over `s` (sites), `area` (areas), the date
    /// column and the activity-type column (absent for participants).
    fn key(self, date: &str, activity_type: Option<&str>) -> String {
        match self {
            Grouping::All => "'all'".into(),
            Grouping::Site => "CAST(s.id AS TEXT)".into(),
            Grouping::District => "CAST(CASE WHEN area.level = 2 THEN area.id END AS TEXT)".into(),
            Grouping::Governorate => "CAST(COALESCE(area.parent_id, area.id) AS TEXT)".into(),
            Grouping::Partner => "CAST(s.partner_id AS TEXT)".into(),
            Grouping::Month => format!("SUBSTR({date}, 1, 7)"),
            Grouping::Day => date.into(),
            Grouping::SiteMonthType => format!(
                "CAST(s.id AS TEXT) || '|' || SUBSTR({date}, 1, 7) || '|' || {}",
                activity_type
                    .map(|t| format!("CAST({t} AS TEXT)"))
                    .unwrap_or_else(|| "''".into())
            ),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Records, not deleted.
    pub activities: i64,
    /// Participant-presences at individually recorded activities.
    pub attendances: i64,
    /// Distinct participants present at least once.
    pub unique_participants: i64,
    /// Sum of head counts; never added into unique participants.
    pub reached_by_head_count: i64,
    /// Of the head counts, how many with a disability.
    pub reached_with_disability: i64,
    /// Registered in the period (by registration site).
    pub new_participants: i64,
    /// Unique participants with at least a type's cycle of attendances in it.
    pub completed: i64,
    pub hours: f64,
    /// Summed as whole minutes (exact in any order), shown as `hours`.
    #[serde(skip)]
    pub minutes: i64,
}

impl Totals {
    /// Adds the summable figures of `other` (never unique counts).
    pub fn add_summable(&mut self, other: &Totals) {
        self.activities += other.activities;
        self.attendances += other.attendances;
        self.reached_by_head_count += other.reached_by_head_count;
        self.reached_with_disability += other.reached_with_disability;
        self.minutes += other.minutes;
        self.hours = self.minutes as f64 / 60.0;
    }
}

/// Participant figures for one sex × age band × disability × displacement cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SplitRow {
    pub sex: String,
    pub age_band: String,
    pub disability: bool,
    pub displacement: String,
    pub unique_participants: i64,
    pub attendances: i64,
    pub new_participants: i64,
    pub completed: i64,
}

/// Head counts for one sex × age band cell.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReachedRow {
    pub sex: String,
    pub age_band: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub totals: Totals,
    pub split: Vec<SplitRow>,
    pub reached: Vec<ReachedRow>,
}

/// Figures per bucket key (`None`: sites with no district, for that grouping).
pub type Buckets = BTreeMap<Option<String>, Figures>;

fn in_list(column: &str, ids: &Option<Vec<i64>>) -> String {
    match ids {
        None => String::new(),
        Some(ids) if ids.is_empty() => " AND 1 = 0".into(),
        // Ids come from the database as integers: safe to inline, and it
        // keeps one statement shape for any number of sites.
        Some(ids) => format!(
            " AND {column} IN ({})",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Grouping {
    /// The joins the bucket key needs (none for the whole scope or time buckets).
    fn places(self, alias: &str) -> String {
        match self {
            Grouping::All | Grouping::Month | Grouping::Day => String::new(),
            _ => format!(
                " JOIN sites s ON s.id = {alias}.site_id JOIN areas area ON area.id = s.area_id"
            ),
        }
    }
}

fn days(column: &str, ranges: &[Period]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|p| {
            format!(
                "({column} BETWEEN '{}' AND '{}')",
                dates::format(p.from),
                dates::format(p.to)
            )
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

/// Computes the figures for `period` under `filter`, bucketed by `grouping`.
pub async fn compute(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
    grouping: Grouping,
) -> Result<Buckets, sqlx::Error> {
    let mut buckets = Buckets::new();
    summable(conn, period, filter, grouping, &mut buckets).await?;
    reached(conn, period, filter, grouping, &mut buckets).await?;
    if grouping != Grouping::Day {
        participants(conn, period, filter, grouping, &mut buckets).await?;
    }
    for figures in buckets.values_mut() {
        figures
            .reached
            .sort_by(|a, b| (&a.sex, &a.age_band).cmp(&(&b.sex, &b.age_band)));
        figures.split.sort_by(|a, b| {
            (&a.sex, &a.age_band, a.disability, &a.displacement).cmp(&(
                &b.sex,
                &b.age_band,
                b.disability,
                &b.displacement,
            ))
        });
        figures.totals.unique_participants =
            figures.split.iter().map(|r| r.unique_participants).sum();
        figures.totals.new_participants = figures.split.iter().map(|r| r.new_participants).sum();
        figures.totals.completed = figures.split.iter().map(|r| r.completed).sum();
    }
    Ok(buckets)
}

/// Where rows come from: a daily rollup (alias `x`) or the records
/// themselves (alias `r`), and how each says "live" and "not flagged".
struct Source {
    alias: &'static str,
    date: &'static str,
    live: &'static str,
    unflagged: &'static str,
}

const DAILY: Source = Source {
    alias: "x",
    date: "x.day",
    live: "",
    unflagged: " AND x.flagged = 0",
};
const RECORDS: Source = Source {
    alias: "r",
    date: "r.occurred_on",
    live: "r.deleted = 0 AND ",
    unflagged: " AND r.review_status <> 'flagged'",
};

impl Source {
    fn key(&self, g: Grouping) -> String {
        g.key(self.date, Some(&format!("{}.activity_type_id", self.alias)))
    }

    /// The joins and the WHERE condition for `ranges` under `f`.
    fn scope(&self, g: Grouping, ranges: &[Period], f: &Filter) -> (String, String) {
        let a = self.alias;
        let condition = format!(
            "{}{}{}{}{}",
            self.live,
            days(self.date, ranges),
            in_list(&format!("{a}.site_id"), &f.sites),
            in_list(&format!("{a}.activity_type_id"), &f.types),
            if f.include_flagged {
                ""
            } else {
                self.unflagged
            },
        );
        (g.places(a), condition)
    }
}

async fn summable(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    g: Grouping,
    out: &mut Buckets,
) -> Result<(), sqlx::Error> {
    let (src, table, measures) = if f.use_rollups {
        (DAILY, "activity_days x", "CAST(SUM(x.activities) AS BIGINT), CAST(SUM(x.minutes) AS BIGINT), CAST(SUM(x.attendances) AS BIGINT), CAST(SUM(x.tally_disabled) AS BIGINT)")
    } else {
        (RECORDS, "activity_records r", "COUNT(*), CAST(SUM(r.duration_minutes) AS BIGINT), CAST(SUM((SELECT COUNT(*) FROM attendances t WHERE t.record_id = r.id)) AS BIGINT), CAST(SUM(r.tally_disabled) AS BIGINT)")
    };
    let (places, condition) = src.scope(g, &[period], f);
    let sql = format!(
        "SELECT {}, {measures} FROM {table}{places} WHERE {condition} GROUP BY 1",
        src.key(g)
    );
    let rows: Vec<(Option<String>, i64, i64, i64, i64)> =
        sqlx::query_as(&sql).fetch_all(conn).await?;
    for (key, activities, minutes, attendances, disabled) in rows {
        let t = &mut out.entry(key).or_default().totals;
        t.add_summable(&Totals {
            activities,
            minutes,
            attendances,
            reached_with_disability: disabled,
            ..Totals::default()
        });
    }
    Ok(())
}

async fn reached(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    g: Grouping,
    out: &mut Buckets,
) -> Result<(), sqlx::Error> {
    let (src, table, counts) = if f.use_rollups {
        (DAILY, "tally_days x", "x")
    } else {
        (
            RECORDS,
            "tallies t JOIN activity_records r ON r.id = t.record_id",
            "t",
        )
    };
    let (places, condition) = src.scope(g, &[period], f);
    let sql = format!(
        "SELECT {}, {counts}.sex, {counts}.age_band, CAST(SUM({counts}.count) AS BIGINT) FROM {table}{places} WHERE {condition} GROUP BY 1, {counts}.sex, {counts}.age_band",
        src.key(g)
    );
    let rows: Vec<(Option<String>, String, String, i64)> =
        sqlx::query_as(&sql).fetch_all(conn).await?;
    for (key, sex, age_band, count) in rows {
        if count == 0 {
            continue;
        }
        let figures = out.entry(key).or_default();
        figures.totals.reached_by_head_count += count;
        figures.reached.push(ReachedRow {
            sex,
            age_band,
            count,
        });
    }
    Ok(())
}

/// `present`: one row per participant-presence source (a rollup row or an
/// edge-day attendance) with its bucket, type, year and attendance count.
/// The bucket is never NULL here (`''` stands for "no district"), so the
/// statements below can join on it portably.
fn present_cte(period: Period, f: &Filter, g: Grouping) -> String {
    let split = if f.use_rollups {
        period.split()
    } else {
        super::period::Split {
            months: None,
            edges: vec![period],
        }
    };
    let mut parts = vec![];
    if let Some((first, last)) = &split.months {
        let n = if f.include_flagged {
            "x.attendances"
        } else {
            "x.unflagged"
        };
        parts.push(format!(
            "SELECT COALESCE({}, '') AS bucket, x.participant_id AS pid, x.activity_type_id AS tid, CAST(SUBSTR(x.month, 1, 4) AS INTEGER) AS yr, {n} AS n,
                    x.sex AS sex, x.birth_year AS birth_year, x.has_disability AS has_disability, x.displacement AS displacement
             FROM presence_months x{} WHERE x.month BETWEEN '{first}' AND '{last}'{}{}{}",
            g.key("x.month", Some("x.activity_type_id")),
            g.places("x"),
            in_list("x.site_id", &f.sites),
            in_list("x.activity_type_id", &f.types),
            if f.include_flagged { "" } else { " AND x.unflagged > 0" },
        ));
    }
    if !split.edges.is_empty() {
        let (places, condition) = RECORDS.scope(g, &split.edges, f);
        parts.push(format!(
            "SELECT COALESCE({}, '') AS bucket, a.participant_id AS pid, r.activity_type_id AS tid, CAST(SUBSTR(r.occurred_on, 1, 4) AS INTEGER) AS yr, 1 AS n,
                    p.sex AS sex, p.birth_year AS birth_year, p.has_disability AS has_disability, p.displacement AS displacement
             FROM attendances a JOIN activity_records r ON r.id = a.record_id JOIN participants p ON p.id = a.participant_id{places}
             WHERE {condition}",
            RECORDS.key(g),
        ));
    }
    format!("present AS ({})", parts.join(" UNION ALL "))
}

/// A split cell as the database returns it: bucket (`''`: none), sex, age
/// band, disability, displacement, then one or two counts.
type CellRow = (String, String, String, i64, String, i64);
type CellRow2 = (String, String, String, i64, String, i64, i64);

/// Unique, completed, attendance and new-participant figures per split
/// cell. The database counts distinct people within each bucket and returns
/// a row per cell (not per person), so the cost is one pass over the
/// presences in scope, whatever the number of attendances behind them.
async fn participants(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    g: Grouping,
    out: &mut Buckets,
) -> Result<(), sqlx::Error> {
    let present = present_cte(period, f, g);
    // Each person once per bucket: their attributes, and their age in the
    // first year they were present in the period. "Completed": at least the
    // type's cycle of attendances in one type within the period. Two
    // aggregations in a row (person × type, then person) and no self-join:
    // SQLite 3.46 plans a join of two such CTEs as a nested loop without an
    // index, which turned a 2 s quarter into minutes at 10 M attendances.
    let people = format!(
        "WITH {present},
         per_type AS (SELECT bucket, pid, tid, MIN(yr) AS first_year, SUM(n) AS n, MIN(sex) AS sex, MIN(birth_year) AS birth_year,
                             MIN(has_disability) AS has_disability, MIN(displacement) AS displacement
                      FROM present GROUP BY bucket, pid, tid),
         people AS (SELECT p.bucket, p.pid, MIN(p.first_year) AS first_year, MIN(p.sex) AS sex, MIN(p.birth_year) AS birth_year,
                           MIN(p.has_disability) AS has_disability, MIN(p.displacement) AS displacement,
                           MAX(CASE WHEN t.cycle_sessions IS NOT NULL AND p.n >= t.cycle_sessions THEN 1 ELSE 0 END) AS completed
                    FROM per_type p JOIN activity_types t ON t.id = p.tid GROUP BY p.bucket, p.pid)
         SELECT bucket, sex, {band}, has_disability, displacement, COUNT(*), CAST(SUM(completed) AS BIGINT)
         FROM people
         GROUP BY bucket, sex, {band}, has_disability, displacement",
        band = AgeBand::sql_case("first_year - birth_year"),
    );
    let rows: Vec<CellRow2> = sqlx::query_as(&people).fetch_all(&mut *conn).await?;
    add(
        out,
        rows.iter()
            .map(|(b, sex, band, d, displ, unique, _)| (b, sex, band, d, displ, *unique)),
        |r, n| r.unique_participants += n,
    );
    add(
        out,
        rows.iter()
            .map(|(b, sex, band, d, displ, _, completed)| (b, sex, band, d, displ, *completed)),
        |r, n| r.completed += n,
    );

    // Attendances: each at the age in the year of the activity.
    let attendances = format!(
        "WITH {present} SELECT bucket, sex, {band}, has_disability, displacement, CAST(SUM(n) AS BIGINT)
         FROM present GROUP BY bucket, sex, {band}, has_disability, displacement",
        band = AgeBand::sql_case("yr - birth_year"),
    );
    let rows: Vec<CellRow> = sqlx::query_as(&attendances).fetch_all(&mut *conn).await?;
    add(
        out,
        rows.iter()
            .map(|(b, sex, band, d, displ, n)| (b, sex, band, d, displ, *n)),
        |r, n| r.attendances += n,
    );

    // New participants: registered in the period, at their registration site.
    let new = format!(
        "SELECT COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM participants p{places} WHERE p.deleted = 0 AND {days}{sites}
         GROUP BY COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement",
        key = g.key("p.registered_on", None),
        band = AgeBand::sql_case("CAST(SUBSTR(p.registered_on, 1, 4) AS INTEGER) - p.birth_year"),
        places = g.places("p"),
        days = days("p.registered_on", &[period]),
        sites = in_list("p.site_id", &f.sites),
    );
    let rows: Vec<CellRow> = sqlx::query_as(&new).fetch_all(&mut *conn).await?;
    add(
        out,
        rows.iter()
            .map(|(b, sex, band, d, displ, n)| (b, sex, band, d, displ, *n)),
        |r, n| r.new_participants += n,
    );
    Ok(())
}

/// Adds a count to each split cell of its bucket (`''` is "no bucket").
fn add<'a>(
    out: &mut Buckets,
    rows: impl Iterator<Item = (&'a String, &'a String, &'a String, &'a i64, &'a String, i64)>,
    set: impl Fn(&mut SplitRow, i64),
) {
    for (bucket, sex, band, disability, displacement, n) in rows {
        let key = (!bucket.is_empty()).then(|| bucket.clone());
        let figures = out.entry(key).or_default();
        let disability = *disability != 0;
        let row = match figures.split.iter().position(|r| {
            &r.sex == sex
                && &r.age_band == band
                && r.disability == disability
                && &r.displacement == displacement
        }) {
            Some(i) => &mut figures.split[i],
            None => {
                figures.split.push(SplitRow {
                    sex: sex.clone(),
                    age_band: band.clone(),
                    disability,
                    displacement: displacement.clone(),
                    ..SplitRow::default()
                });
                figures.split.last_mut().expect("just pushed")
            }
        };
        set(row, n);
    }
}
