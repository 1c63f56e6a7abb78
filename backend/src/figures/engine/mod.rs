//! The figures of docs/design.md §3, computed once, here, for the dashboard, the
//! API and the exports alike.
//!
//! Two ways to the same numbers:
//! - with rollups (the default): a range is cut into whole months and the
//!   days at its edges. Unique, completed and attendance splits come from
//!   the presence sets (month sets, and day sets for the edges: see
//!   [`sets`]); summable counts and head counts from `activity_months` /
//!   `tally_months` and, for the edges, `activity_days` / `tally_days`; new
//!   participants from the registrations or, under a type or kind, from
//!   `first_presences`. A programme-wide quarter never touches the records
//!   or attendances, and reads about as many rows at 10 M attendances as
//!   at 1 M.
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

use sqlx::AnyConnection;

mod people;
mod sets;

/// Benchmarks only: with the rollups, count unique participants from the
/// presence rows in SQL (the way before the presence sets) instead of the
/// sets, so one run prints both against the naive scan. Off in the server.
pub static PRESENCE_ROWS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

use super::model::{Buckets, Figures, Filter, Grouping, ReachedRow, Totals};
use super::period::Period;
use crate::validate::dates;

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
            Grouping::Type => format!(
                "CAST({} AS TEXT)",
                activity_type.expect("types are keyed over the rollups")
            ),
            Grouping::Week | Grouping::Kind => {
                unreachable!("computed per part by compute()")
            }
            Grouping::SiteMonthType => format!(
                "CAST(s.id AS TEXT) || '|' || SUBSTR({date}, 1, 7) || '|' || {}",
                activity_type
                    .map(|t| format!("CAST({t} AS TEXT)"))
                    .unwrap_or_else(|| "''".into())
            ),
        }
    }
}

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
            Grouping::All
            | Grouping::Month
            | Grouping::Day
            | Grouping::Week
            | Grouping::Type
            | Grouping::Kind => String::new(),
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

/// The figures of the whole scope for `period` under `filter`.
pub async fn whole(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
) -> Result<Figures, sqlx::Error> {
    let mut answers = buckets(conn, period, filter, &[Grouping::All]).await?;
    Ok(answers
        .pop()
        .and_then(|mut all| all.remove(&Some("all".into())))
        .unwrap_or_default())
}

/// Computes the figures for `period` under `filter`, bucketed by `grouping`.
pub async fn compute(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
    grouping: Grouping,
) -> Result<Buckets, sqlx::Error> {
    let mut answers = compute_many(conn, period, filter, &[grouping]).await?;
    Ok(answers.pop().unwrap_or_default())
}

/// The figures of `period` under `filter` for each of `groupings`, in
/// their order: a request's totals with its breakdown, or the dashboard's
/// quarter, governorates and months, reading the presence sets in scope
/// once for all of them.
pub async fn compute_many(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
    groupings: &[Grouping],
) -> Result<Vec<Buckets>, sqlx::Error> {
    let mut answers = vec![Buckets::new(); groupings.len()];
    let mut together = vec![];
    for (i, g) in groupings.iter().enumerate() {
        match g {
            Grouping::Week if filter.use_rollups => {
                answers[i] = weeks(conn, period, filter).await?;
            }
            Grouping::Type if filter.use_rollups => {
                answers[i] = types(conn, period, filter).await?;
            }
            Grouping::Week | Grouping::Type | Grouping::Kind => {
                answers[i] = parts(conn, period, filter, *g).await?;
            }
            _ => together.push(i),
        }
    }
    if !together.is_empty() {
        let gs: Vec<Grouping> = together.iter().map(|&i| groupings[i]).collect();
        let computed = buckets(conn, period, filter, &gs).await?;
        for (i, b) in together.into_iter().zip(computed) {
            answers[i] = b;
        }
    }
    Ok(answers)
}

/// Weeks, types and kinds: each bucket is the whole scope for a narrower
/// request (the week's days inside the period; the filter narrowed to the
/// type or the kind's types), so every figure means in a bucket exactly
/// what it means in a request for it: unique people within the week, new
/// to that type.
async fn parts(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
    grouping: Grouping,
) -> Result<Buckets, sqlx::Error> {
    let mut parts: Vec<(String, Period, Filter)> = vec![];
    if grouping == Grouping::Week {
        for (week, days) in period.weeks() {
            parts.push((week, days, filter.clone()));
        }
    } else {
        let types: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, kind FROM activity_types ORDER BY id")
                .fetch_all(&mut *conn)
                .await?;
        let mut by_key: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
        for (id, kind) in types {
            if filter.types.as_ref().is_some_and(|t| !t.contains(&id)) {
                continue;
            }
            let key = if grouping == Grouping::Type {
                id.to_string()
            } else {
                kind
            };
            by_key.entry(key).or_default().push(id);
        }
        for (key, ids) in by_key {
            let mut narrowed = filter.clone();
            narrowed.types = Some(ids);
            parts.push((key, period, narrowed));
        }
    }
    let mut out = Buckets::new();
    for (key, part, narrowed) in parts {
        let figures = whole(&mut *conn, part, &narrowed).await?;
        // A type nobody used in the period is left out, as a site with
        // nothing recorded is.
        if grouping == Grouping::Week || figures != Figures::default() {
            out.insert(Some(key), figures);
        }
    }
    Ok(out)
}

/// Weeks with the rollups, in one pass instead of a request per week: the
/// period's days from the daily tables and the day sets, each day added
/// into its ISO week (weeks are clipped to the period, as in [`parts`]).
/// Summable counts, head counts and new participants add up across days;
/// unique people and "completed" are counted over each week's day sets, so
/// a week means what a request for it means.
async fn weeks(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
) -> Result<Buckets, sqlx::Error> {
    let mut by_day = Buckets::new();
    summable(conn, period, filter, Grouping::Day, &mut by_day).await?;
    reached(conn, period, filter, Grouping::Day, &mut by_day).await?;
    people::new_participants(conn, period, filter, Grouping::Day, &mut by_day).await?;
    let mut out = Buckets::new();
    for (week, _) in period.weeks() {
        out.insert(Some(week), Figures::default());
    }
    sets::participants(
        conn,
        period,
        filter,
        &[Grouping::Week],
        std::slice::from_mut(&mut out),
    )
    .await?;
    for (day, figures) in by_day {
        let Some(day) = day.as_deref().and_then(dates::parse) else {
            continue;
        };
        let week = out.entry(Some(Period::iso_week(day))).or_default();
        week.totals.add_summable(&figures.totals);
        for row in figures.reached {
            match week
                .reached
                .iter_mut()
                .find(|r| (&r.sex, &r.age_band) == (&row.sex, &row.age_band))
            {
                Some(r) => r.count += row.count,
                None => week.reached.push(row),
            }
        }
        for row in figures.split {
            match week.split.iter_mut().find(|r| {
                (&r.sex, &r.age_band, r.disability, &r.displacement)
                    == (&row.sex, &row.age_band, row.disability, &row.displacement)
            }) {
                Some(r) => r.new_participants += row.new_participants,
                None => week.split.push(row),
            }
        }
    }
    finish(&mut out);
    Ok(out)
}

/// Types with the rollups, in one pass instead of a request per type: the
/// summable and head counts grouped by type, the presence sets in scope
/// read once and bucketed by their type, and the people new to each type
/// from `first_presences` in one statement. A bucket means what a request
/// narrowed to its type means (as in [`parts`]); a type nobody used in the
/// period is left out.
async fn types(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
) -> Result<Buckets, sqlx::Error> {
    let mut out = Buckets::new();
    summable(conn, period, filter, Grouping::Type, &mut out).await?;
    reached(conn, period, filter, Grouping::Type, &mut out).await?;
    sets::participants(
        conn,
        period,
        filter,
        &[Grouping::Type],
        std::slice::from_mut(&mut out),
    )
    .await?;
    people::new_per_type(conn, period, filter, &mut out).await?;
    finish(&mut out);
    out.retain(|_, figures| *figures != Figures::default());
    Ok(out)
}

/// Every grouping but weeks, types and kinds: one pass per figure and
/// grouping, the presence sets read once for all.
async fn buckets(
    conn: &mut AnyConnection,
    period: Period,
    filter: &Filter,
    groupings: &[Grouping],
) -> Result<Vec<Buckets>, sqlx::Error> {
    let mut answers = vec![Buckets::new(); groupings.len()];
    for (g, out) in groupings.iter().zip(answers.iter_mut()) {
        summable(conn, period, filter, *g, out).await?;
        reached(conn, period, filter, *g, out).await?;
    }
    people::participants(conn, period, filter, groupings, &mut answers).await?;
    for buckets in answers.iter_mut() {
        finish(buckets);
        // A day or month whose records were all deleted or moved keeps a
        // rollup row of zeros: it is not a bucket (the records hold none).
        buckets.retain(|_, figures| *figures != Figures::default());
    }
    Ok(answers)
}

/// Rows in a stable order, and the unique, new and completed totals as the
/// sums of their split cells.
fn finish(buckets: &mut Buckets) {
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

/// The rollup rows of `period` as `SELECT`s joined by `UNION ALL`, each
/// giving the bucket key as `k` and then `columns` (over alias `x`): whole
/// months from `{stem}_months`, the days at the edges from `{stem}_days`
/// (every day from the daily table when bucketing by day). A quarter reads
/// one row per month × site × type, however many records lie behind it.
fn rollup_rows(period: Period, f: &Filter, g: Grouping, stem: &str, columns: &str) -> String {
    let split = if g == Grouping::Day {
        super::period::Split {
            months: None,
            edges: vec![period],
        }
    } else {
        period.split()
    };
    let narrow = format!(
        "{}{}{}",
        in_list("x.site_id", &f.sites),
        in_list("x.activity_type_id", &f.types),
        if f.include_flagged {
            ""
        } else {
            " AND x.flagged = 0"
        },
    );
    let mut parts = vec![];
    if let Some((first, last)) = &split.months {
        parts.push(format!(
            "SELECT {} AS k, {columns} FROM {stem}_months x{} WHERE x.month BETWEEN '{first}' AND '{last}'{narrow}",
            g.key("x.month", Some("x.activity_type_id")),
            g.places("x"),
        ));
    }
    if !split.edges.is_empty() {
        parts.push(format!(
            "SELECT {} AS k, {columns} FROM {stem}_days x{} WHERE {}{narrow}",
            DAILY.key(g),
            g.places("x"),
            days("x.day", &split.edges),
        ));
    }
    parts.join(" UNION ALL ")
}

async fn summable(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    g: Grouping,
    out: &mut Buckets,
) -> Result<(), sqlx::Error> {
    let sql = if f.use_rollups {
        format!(
            "SELECT k, CAST(SUM(activities) AS BIGINT), CAST(SUM(minutes) AS BIGINT), CAST(SUM(attendances) AS BIGINT), CAST(SUM(tally_disabled) AS BIGINT)
             FROM ({}) u GROUP BY k",
            rollup_rows(period, f, g, "activity", "x.activities AS activities, x.minutes AS minutes, x.attendances AS attendances, x.tally_disabled AS tally_disabled"),
        )
    } else {
        let (places, condition) = RECORDS.scope(g, &[period], f);
        format!(
            "SELECT {}, COUNT(*), CAST(SUM(r.duration_minutes) AS BIGINT), CAST(SUM((SELECT COUNT(*) FROM attendances t WHERE t.record_id = r.id)) AS BIGINT), CAST(SUM(r.tally_disabled) AS BIGINT)
             FROM activity_records r{places} WHERE {condition} GROUP BY 1",
            RECORDS.key(g)
        )
    };
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
    let sql = if f.use_rollups {
        format!(
            "SELECT k, sex, age_band, CAST(SUM(count) AS BIGINT) FROM ({}) u GROUP BY k, sex, age_band",
            rollup_rows(period, f, g, "tally", "x.sex AS sex, x.age_band AS age_band, x.count AS count"),
        )
    } else {
        let (places, condition) = RECORDS.scope(g, &[period], f);
        format!(
            "SELECT {}, t.sex, t.age_band, CAST(SUM(t.count) AS BIGINT)
             FROM tallies t JOIN activity_records r ON r.id = t.record_id{places} WHERE {condition} GROUP BY 1, t.sex, t.age_band",
            RECORDS.key(g)
        )
    };
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
