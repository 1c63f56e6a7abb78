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
    if f.use_rollups {
        // One statement for every grouping: its rows are keyed by all the
        // groupings' buckets at once, and each grouping adds up the rows of
        // its buckets (every new participant is in exactly one row).
        let gs: Vec<Grouping> = wanted.iter().map(|&i| groupings[i]).collect();
        let rows = new_rows(&mut *conn, period, f, &gs).await?;
        for (j, &i) in wanted.iter().enumerate() {
            add(
                &mut answers[i],
                rows.iter()
                    .map(|(keys, sex, band, d, displ, n)| (&keys[j], sex, band, d, displ, *n)),
                |r, n| r.new_participants += n,
            );
        }
    } else {
        for &i in &wanted {
            new_participants(&mut *conn, period, f, groupings[i], &mut answers[i]).await?;
        }
    }
    Ok(())
}

/// A split cell of new participants: the bucket of each grouping (`''`:
/// none), sex, age band, disability, displacement, count.
type NewRow = (Vec<String>, String, String, i64, String, i64);

/// New participants per split cell, keyed by the bucket of each of
/// `groupings`, in one statement.
async fn new_rows(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    groupings: &[Grouping],
) -> Result<Vec<NewRow>, sqlx::Error> {
    use sqlx::Row;
    let sql = if f.types.is_some() {
        new_to_types_from_firsts(period, f, groupings)
    } else {
        new_registrations(period, f, groupings)
    };
    let n = groupings.len();
    sqlx::query(&sql)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            Ok((
                (0..n)
                    .map(|i| row.try_get::<String, _>(i))
                    .collect::<Result<Vec<_>, _>>()?,
                row.try_get(n)?,
                row.try_get(n + 1)?,
                row.try_get(n + 2)?,
                row.try_get(n + 3)?,
                row.try_get(n + 4)?,
            ))
        })
        .collect()
}

/// The people new to each type in the period (under the filter's types, or
/// every type), keyed by type, added into `out`: a bucket per type means
/// what a request narrowed to that one type means, where her row of that
/// type is the only one that counts ([`new_to_types_from_firsts`]).
pub(super) async fn new_per_type(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    out: &mut Buckets,
) -> Result<(), sqlx::Error> {
    // Every type named, so each is an index range on (type, flagged or
    // not, first day) even when the filter asks for all of them.
    let types = match &f.types {
        Some(types) => types.clone(),
        None => {
            sqlx::query_scalar("SELECT id FROM activity_types")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let sql = format!(
        "SELECT CAST(x.activity_type_id AS TEXT), p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM first_presences x JOIN participants p ON p.id = x.participant_id
         WHERE x.unflagged = {unflagged}{types} AND {days} AND p.deleted = 0{sites}
         GROUP BY x.activity_type_id, p.sex, {band}, p.has_disability, p.displacement",
        unflagged = i64::from(!f.include_flagged),
        types = in_list("x.activity_type_id", &Some(types)),
        days = days("x.first_on", &[period]),
        band = AgeBand::sql_case("CAST(SUBSTR(x.first_on, 1, 4) AS INTEGER) - p.birth_year"),
        sites = in_list("x.site_id", &f.sites),
    );
    let rows: Vec<CellRow> = sqlx::query_as(&sql).fetch_all(conn).await?;
    add(
        out,
        rows.iter()
            .map(|(b, sex, band, d, displ, n)| (b, sex, band, d, displ, *n)),
        |r, n| r.new_participants += n,
    );
    Ok(())
}

/// The bucket key of each of `groupings` over the date column `date` (as
/// `''` when none), and the joins they need (once, whichever ask). A site
/// is its own key: only the other places join the sites and areas.
fn keys(groupings: &[Grouping], date: &str, alias: &str) -> (Vec<String>, String) {
    let keys = groupings
        .iter()
        .map(|g| match g {
            Grouping::Site => format!("CAST({alias}.site_id AS TEXT)"),
            _ => format!("COALESCE({}, '')", g.key(date, None)),
        })
        .collect();
    let places = groupings
        .iter()
        .filter(|g| **g != Grouping::Site)
        .map(|g| g.places(alias))
        .find(|p| !p.is_empty())
        .unwrap_or_default();
    (keys, places)
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
        new_registrations(period, f, &[g])
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
/// at their registration site, at their age in the year they registered;
/// one column of bucket keys per grouping. The index on the registration
/// day carries every column read here (0094).
fn new_registrations(period: Period, f: &Filter, groupings: &[Grouping]) -> String {
    let (keys, places) = keys(groupings, "p.registered_on", "p");
    let keys = keys.join(", ");
    format!(
        "SELECT {keys}, p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM participants p{places} WHERE p.deleted = 0 AND {days}{sites}
         GROUP BY {keys}, p.sex, {band}, p.has_disability, p.displacement",
        band = AgeBand::sql_case("CAST(SUBSTR(p.registered_on, 1, 4) AS INTEGER) - p.birth_year"),
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
        return new_to_types_from_firsts(period, f, &[g]);
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
fn new_to_types_from_firsts(period: Period, f: &Filter, groupings: &[Grouping]) -> String {
    let unflagged = i64::from(!f.include_flagged);
    let earlier = match f.types.as_ref().map(Vec::len) {
        // One type: her row there is the only one that counts.
        Some(1) => String::new(),
        _ => format!(
            " AND NOT EXISTS (SELECT 1 FROM first_presences e WHERE e.participant_id = x.participant_id AND e.unflagged = {unflagged}{types} AND e.first_on < x.first_on)",
            types = in_list("e.activity_type_id", &f.types),
        ),
    };
    let (keys, places) = keys(groupings, "x.first_on", "x");
    let keys = keys.join(", ");
    format!(
        "WITH first_places AS (
            SELECT x.participant_id AS pid, x.first_on AS first_on, MIN(x.site_id) AS site_id
            FROM first_presences x
            WHERE x.unflagged = {unflagged}{types} AND {days}{earlier}
            GROUP BY x.participant_id, x.first_on)
         SELECT {keys}, p.sex, {band}, p.has_disability, p.displacement, COUNT(*)
         FROM first_places x JOIN participants p ON p.id = x.pid{places}
         WHERE p.deleted = 0{sites}
         GROUP BY {keys}, p.sex, {band}, p.has_disability, p.displacement",
        types = in_list("x.activity_type_id", &f.types),
        days = days("x.first_on", &[period]),
        band = AgeBand::sql_case("CAST(SUBSTR(x.first_on, 1, 4) AS INTEGER) - p.birth_year"),
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
