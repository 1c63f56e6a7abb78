//! Participant figures: unique, completed, attendance and new-participant
//! counts per split cell, counted distinct by the database within each
//! bucket (never summed from lower levels).

use sqlx::AnyConnection;

use super::{days, in_list, RECORDS};
use crate::figures::model::{Buckets, Filter, Grouping, SplitRow};
use crate::figures::period::{Period, Split};
use crate::records::model::AgeBand;

/// `present`: one row per participant-presence source (a rollup row or an
/// edge-day attendance) with its bucket, type, year and attendance count.
/// The bucket is never NULL here (`''` stands for "no district"), so the
/// statements below can join on it portably.
fn present_cte(period: Period, f: &Filter, g: Grouping) -> String {
    let split = if f.use_rollups {
        period.split()
    } else {
        Split {
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
pub(super) async fn participants(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    groupings: &[Grouping],
    answers: &mut [Buckets],
) -> Result<(), sqlx::Error> {
    // Days have no unique participants of their own (the SQL path never
    // counted them): only the other groupings go on.
    let wanted: Vec<usize> = (0..groupings.len())
        .filter(|&i| groupings[i] != Grouping::Day)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    if f.use_rollups && !super::PRESENCE_ROWS.load(std::sync::atomic::Ordering::Relaxed) {
        // The presence sets: a union of small blobs, not a GROUP BY over
        // every presence in scope; read once for every grouping.
        let gs: Vec<Grouping> = wanted.iter().map(|&i| groupings[i]).collect();
        let mut outs: Vec<Buckets> = wanted.iter().map(|_| Buckets::new()).collect();
        super::sets::participants(&mut *conn, period, f, &gs, &mut outs).await?;
        for (&i, out) in wanted.iter().zip(outs) {
            for (key, figures) in out {
                answers[i]
                    .entry(key)
                    .or_default()
                    .split
                    .extend(figures.split);
            }
        }
    } else {
        for &i in &wanted {
            present_rows(&mut *conn, period, f, groupings[i], &mut answers[i]).await?;
        }
    }
    for &i in &wanted {
        new_participants(&mut *conn, period, f, groupings[i], &mut answers[i]).await?;
    }
    Ok(())
}

/// New participants per split cell of each bucket of `g`, added into `out`.
pub(super) async fn new_participants(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    g: Grouping,
    out: &mut Buckets,
) -> Result<(), sqlx::Error> {
    let new = if f.types.is_some() {
        new_to_types(period, f, g)
    } else {
        new_registrations(period, f, g)
    };
    let rows: Vec<CellRow> = sqlx::query_as(&new).fetch_all(conn).await?;
    add(
        out,
        rows.iter()
            .map(|(b, sex, band, d, displ, n)| (b, sex, band, d, displ, *n)),
        |r, n| r.new_participants += n,
    );
    Ok(())
}

/// Unique, completed and attendance figures per split cell from the
/// presence rows in SQL: the way before the presence sets (the benchmark
/// compares both), and the naive path's.
async fn present_rows(
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
    Ok(())
}

/// New participants with no type or kind asked: registered in the period,
/// at their registration site, at their age in the year they registered.
fn new_registrations(period: Period, f: &Filter, g: Grouping) -> String {
    format!(
        "SELECT COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM participants p{places} WHERE p.deleted = 0 AND {days}{sites}
         GROUP BY COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement",
        key = g.key("p.registered_on", None),
        band = AgeBand::sql_case("CAST(SUBSTR(p.registered_on, 1, 4) AS INTEGER) - p.birth_year"),
        places = g.places("p"),
        days = days("p.registered_on", &[period]),
        sites = in_list("p.site_id", &f.sites),
    )
}

/// New participants under a type or kind filter: those whose first ever
/// presence at an activity of those types (anywhere, at any time; flagged
/// records left out when the figures leave them out) falls in the period,
/// counted at the site of that first presence (the first by id when two
/// sites share the day), at their age in its year. Registration says
/// nothing about which activities someone came new to, so it is not used.
///
/// With the rollups, `first_presences` answers it
/// ([`new_to_types_from_firsts`]); the naive path reads every attendance at
/// those types (the tests compare the two). `CROSS JOIN` keeps SQLite's
/// join order (person → her attendances → their records): left free, it
/// reads every record of the programme on each first day. PostgreSQL plans
/// it as the inner join it is.
fn new_to_types(period: Period, f: &Filter, g: Grouping) -> String {
    let types = in_list("r.activity_type_id", &f.types);
    let unflagged = if f.include_flagged {
        ""
    } else {
        " AND r.review_status <> 'flagged'"
    };
    if f.use_rollups {
        return new_to_types_from_firsts(period, f, g);
    }
    let firsts = format!(
        "firsts AS (
            SELECT a.participant_id AS pid, MIN(r.occurred_on) AS first_on
            FROM attendances a JOIN activity_records r ON r.id = a.record_id
            WHERE r.deleted = 0{types}{unflagged}
            GROUP BY a.participant_id)"
    );
    format!(
        "WITH {firsts},
         first_places AS (
            SELECT f.pid AS pid, f.first_on AS first_on, MIN(r.site_id) AS site_id
            FROM firsts f CROSS JOIN attendances a CROSS JOIN activity_records r
            WHERE a.participant_id = f.pid AND r.id = a.record_id AND {days} AND r.occurred_on = f.first_on
              AND r.deleted = 0{types}{unflagged}
            GROUP BY f.pid, f.first_on)
         SELECT COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM first_places x JOIN participants p ON p.id = x.pid{places}
         WHERE p.deleted = 0{sites}
         GROUP BY COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement",
        days = days("f.first_on", &[period]),
        key = g.key("x.first_on", None),
        band = AgeBand::sql_case("CAST(SUBSTR(x.first_on, 1, 4) AS INTEGER) - p.birth_year"),
        places = g.places("x"),
        sites = in_list("x.site_id", &f.sites),
    )
}

/// [`new_to_types`] from `first_presences`: the rows of those types whose
/// first day falls in the period (an index range), less those with an
/// earlier first day at another of the types; among the types sharing her
/// first day, the lowest site. The cost follows the people new in the
/// period, not the history.
fn new_to_types_from_firsts(period: Period, f: &Filter, g: Grouping) -> String {
    let unflagged = i64::from(!f.include_flagged);
    let earlier = match f.types.as_ref().map(Vec::len) {
        // One type: her row there is the only one that counts.
        Some(1) => String::new(),
        _ => format!(
            " AND NOT EXISTS (SELECT 1 FROM first_presences e WHERE e.participant_id = x.participant_id AND e.unflagged = {unflagged}{types} AND e.first_on < x.first_on)",
            types = in_list("e.activity_type_id", &f.types),
        ),
    };
    format!(
        "WITH first_places AS (
            SELECT x.participant_id AS pid, x.first_on AS first_on, MIN(x.site_id) AS site_id
            FROM first_presences x
            WHERE x.unflagged = {unflagged}{types} AND {days}{earlier}
            GROUP BY x.participant_id, x.first_on)
         SELECT COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM first_places x JOIN participants p ON p.id = x.pid{places}
         WHERE p.deleted = 0{sites}
         GROUP BY COALESCE({key}, ''), p.sex, {band}, p.has_disability, p.displacement",
        types = in_list("x.activity_type_id", &f.types),
        days = days("x.first_on", &[period]),
        key = g.key("x.first_on", None),
        band = AgeBand::sql_case("CAST(SUBSTR(x.first_on, 1, 4) AS INTEGER) - p.birth_year"),
        places = g.places("x"),
        sites = in_list("x.site_id", &f.sites),
    )
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
