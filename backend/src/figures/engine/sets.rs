//! Unique, completed and attendance figures from the presence sets
//! ([`crate::rollups::sets`]): whole months from the month sets, the days
//! at the edges of a range from the day sets. The database hands over the
//! few thousand small blobs in scope; the union, the first year each person
//! was present and the per-type counts for "completed" are worked out here,
//! over arrays indexed by participant number, once per bucket.

use std::collections::{BTreeMap, HashMap};

use sqlx::AnyConnection;

use super::{days, in_list};
use crate::figures::model::{Buckets, Filter, Grouping, SplitRow};
use crate::figures::period::{Period, Split};
use crate::records::model::AgeBand;
use crate::rollups::sets::{self, Attributes, Member, DISPLACEMENTS};
use crate::validate::dates;

/// One set read: its period key (`YYYY-MM` or `YYYY-MM-DD`), site, type
/// and members.
struct Set {
    period: String,
    site_id: i64,
    activity_type_id: i64,
    members: Vec<Member>,
}

/// Sex × age band × disability × displacement.
const CELLS: usize = 2 * 6 * 2 * 4;

fn cell(birth_year: i32, attributes: u8, year: i32) -> usize {
    let a = Attributes::from_code(attributes);
    // The bands are declared in the order of AgeBand::ALL.
    let band = AgeBand::at(birth_year as i64, year as i64) as usize;
    (((a.male as usize) * 6 + band) * 2 + a.disability as usize) * 4 + a.displacement as usize
}

fn split_row(cell: usize) -> SplitRow {
    let displacement = cell % 4;
    let disability = (cell / 4) % 2 == 1;
    let band = (cell / 8) % 6;
    let male = cell / 48 == 1;
    SplitRow {
        sex: if male { "male" } else { "female" }.into(),
        age_band: AgeBand::ALL[band].as_str().into(),
        disability,
        displacement: DISPLACEMENTS[displacement].into(),
        ..SplitRow::default()
    }
}

async fn read(conn: &mut AnyConnection, sql: &str, out: &mut Vec<Set>) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, i64, i64, Vec<u8>)> = sqlx::query_as(sql).fetch_all(conn).await?;
    for (period, site_id, activity_type_id, bytes) in rows {
        let members = sets::decode(&bytes).ok_or_else(|| {
            sqlx::Error::Decode(format!("presence set {period} {site_id}: not a set").into())
        })?;
        out.push(Set {
            period,
            site_id,
            activity_type_id,
            members,
        });
    }
    Ok(())
}

/// The bucket key of each site for a grouping by place (as the SQL path
/// names it), `None` for other groupings.
async fn site_keys(
    conn: &mut AnyConnection,
    g: Grouping,
) -> Result<Option<HashMap<i64, Option<String>>>, sqlx::Error> {
    if matches!(
        g,
        Grouping::All
            | Grouping::Month
            | Grouping::Day
            | Grouping::Week
            | Grouping::Type
            | Grouping::Kind
            | Grouping::SiteMonthType
    ) {
        return Ok(None);
    }
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(&format!(
        "SELECT s.id, {} FROM sites s JOIN areas area ON area.id = s.area_id",
        g.key("s.id", None)
    ))
    .fetch_all(conn)
    .await?;
    Ok(Some(rows.into_iter().collect()))
}

/// Unique participants, completed and attendances per split cell, for each
/// bucket of each of `groupings`, added into the matching `outs`: the sets
/// in scope are read and decoded once for all the groupings.
pub(super) async fn participants(
    conn: &mut AnyConnection,
    period: Period,
    f: &Filter,
    groupings: &[Grouping],
    outs: &mut [Buckets],
) -> Result<(), sqlx::Error> {
    // Weeks are unions of day sets; everything else reads whole months
    // from the month sets and only the edge days from the day sets.
    let split = if groupings.contains(&Grouping::Week) {
        Split {
            months: None,
            edges: vec![period],
        }
    } else {
        period.split()
    };
    let mut found = vec![];
    if let Some((first, last)) = &split.months {
        read(
            &mut *conn,
            &format!(
                "SELECT month, site_id, activity_type_id, members FROM presence_month_sets x
                 WHERE x.month BETWEEN '{first}' AND '{last}'{}{}",
                in_list("x.site_id", &f.sites),
                in_list("x.activity_type_id", &f.types),
            ),
            &mut found,
        )
        .await?;
    }
    if !split.edges.is_empty() {
        read(
            &mut *conn,
            &format!(
                "SELECT day, site_id, activity_type_id, members FROM presence_day_sets x WHERE {}{}{}",
                days("x.day", &split.edges),
                in_list("x.site_id", &f.sites),
                in_list("x.activity_type_id", &f.types),
            ),
            &mut found,
        )
        .await?;
    }
    let cycles: HashMap<i64, i64> =
        sqlx::query_as::<_, (i64, Option<i64>)>("SELECT id, cycle_sessions FROM activity_types")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .filter_map(|(id, cycle)| Some((id, cycle?)))
            .collect();
    let size = found
        .iter()
        .flat_map(|s| s.members.last())
        .map(|m| m.number as usize + 1)
        .max()
        .unwrap_or(0);
    let mut counter = Counter::new(size);
    for (&g, out) in groupings.iter().zip(outs.iter_mut()) {
        let places = site_keys(&mut *conn, g).await?;
        // Sets by bucket, each bucket's sets by type (completion is per type).
        let mut by_bucket: BTreeMap<Option<String>, Vec<&Set>> = BTreeMap::new();
        for set in &found {
            let key = match g {
                Grouping::All => Some("all".to_string()),
                Grouping::Month => Some(set.period[..7].to_string()),
                Grouping::Day => Some(set.period.clone()),
                Grouping::Week => dates::parse(&set.period).map(Period::iso_week),
                Grouping::Type => Some(set.activity_type_id.to_string()),
                Grouping::SiteMonthType => Some(format!(
                    "{}|{}|{}",
                    set.site_id,
                    &set.period[..7],
                    set.activity_type_id
                )),
                _ => places
                    .as_ref()
                    .and_then(|p| p.get(&set.site_id))
                    .cloned()
                    .flatten(),
            };
            by_bucket.entry(key).or_default().push(set);
        }
        for (key, mut in_bucket) in by_bucket {
            in_bucket.sort_by_key(|s| s.activity_type_id);
            let cells = counter.bucket(&in_bucket, &cycles, f.include_flagged);
            let figures = out.entry(key).or_default();
            for (i, c) in cells.iter().enumerate() {
                if c.unique == 0 && c.attendances == 0 {
                    continue;
                }
                let mut row = split_row(i);
                row.unique_participants = c.unique;
                row.completed = c.completed;
                row.attendances = c.attendances;
                figures.split.push(row);
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    unique: i64,
    completed: i64,
    attendances: i64,
}

/// One slot per participant number, reused from bucket to bucket: a slot
/// belongs to the current bucket (or type) when its stamp says so, so
/// nothing is cleared between buckets. One slot holds all a person needs
/// (one cache line touched per member, not one per array).
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The bucket this slot was last filled for.
    seen: u32,
    /// The bucket in which this person completed a type's cycle.
    completed: u32,
    /// The type (stamp) whose attendances `count` holds.
    counted: u32,
    count: u32,
    first_year: i32,
    birth_year: i32,
    attributes: u8,
}

struct Counter {
    stamp: u32,
    type_stamp: u32,
    slots: Vec<Slot>,
    people: Vec<u32>,
}

impl Counter {
    fn new(size: usize) -> Counter {
        Counter {
            stamp: 0,
            type_stamp: 0,
            slots: vec![Slot::default(); size],
            people: vec![],
        }
    }

    /// The split cells of one bucket's sets (sorted by type).
    fn bucket(
        &mut self,
        in_bucket: &[&Set],
        cycles: &HashMap<i64, i64>,
        include_flagged: bool,
    ) -> [Cell; CELLS] {
        self.stamp += 1;
        let stamp = self.stamp;
        self.people.clear();
        let mut cells = [Cell::default(); CELLS];
        let mut current_type = None;
        for set in in_bucket {
            if current_type != Some(set.activity_type_id) {
                current_type = Some(set.activity_type_id);
                self.type_stamp += 1;
            }
            let type_stamp = self.type_stamp;
            let cycle = cycles.get(&set.activity_type_id).copied();
            let year: i32 = set.period[..4].parse().unwrap_or(0);
            for m in &set.members {
                let n = if include_flagged {
                    m.attendances
                } else {
                    m.unflagged
                };
                if n == 0 {
                    continue;
                }
                let slot = &mut self.slots[m.number as usize];
                if slot.seen != stamp {
                    slot.seen = stamp;
                    slot.first_year = year;
                    slot.birth_year = m.birth_year;
                    slot.attributes = m.attributes;
                    self.people.push(m.number);
                } else if year < slot.first_year {
                    slot.first_year = year;
                }
                cells[cell(m.birth_year, m.attributes, year)].attendances += n as i64;
                if let Some(cycle) = cycle {
                    if slot.counted != type_stamp {
                        slot.counted = type_stamp;
                        slot.count = 0;
                    }
                    slot.count += n;
                    if slot.count as i64 >= cycle {
                        slot.completed = stamp;
                    }
                }
            }
        }
        for &number in &self.people {
            let slot = &self.slots[number as usize];
            let c = &mut cells[cell(slot.birth_year, slot.attributes, slot.first_year)];
            c.unique += 1;
            if slot.completed == stamp {
                c.completed += 1;
            }
        }
        cells
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(number: u32, attendances: u32, unflagged: u32, birth_year: i32) -> Member {
        Member {
            number,
            attendances,
            unflagged,
            birth_year,
            attributes: Attributes::from_columns("female", 0, "idp").unwrap().code(),
        }
    }

    fn set(period: &str, activity_type_id: i64, members: Vec<Member>) -> Set {
        Set {
            period: period.into(),
            site_id: 1,
            activity_type_id,
            members,
        }
    }

    #[test]
    fn band_numbers_follow_the_list_of_bands() {
        for (i, band) in AgeBand::ALL.iter().enumerate() {
            assert_eq!(*band as usize, i, "{band:?}");
        }
    }

    #[test]
    fn cells_name_their_split_row() {
        let female_idp = Attributes::from_columns("female", 0, "idp").unwrap().code();
        let row = split_row(cell(2008, female_idp, 2026));
        assert_eq!(
            (
                row.sex.as_str(),
                row.age_band.as_str(),
                row.disability,
                row.displacement.as_str()
            ),
            ("female", "18-24", false, "idp")
        );
        let male = Attributes::from_columns("male", 1, "returnee")
            .unwrap()
            .code();
        let row = split_row(cell(1950, male, 2026));
        assert_eq!(
            (
                row.sex.as_str(),
                row.age_band.as_str(),
                row.disability,
                row.displacement.as_str()
            ),
            ("male", "60+", true, "returnee")
        );
    }

    #[test]
    fn a_person_counts_once_at_her_age_in_her_first_year_and_completes_within_one_type() {
        // Born 2008: 17 in 2025, 18 in 2026. Two sessions in December, two
        // in January at type 1 (cycle 4); one at type 2 (cycle 4).
        let sets = [
            set("2025-12", 1, vec![member(3, 2, 2, 2008)]),
            set(
                "2026-01",
                1,
                vec![member(3, 2, 1, 2008), member(5, 1, 1, 1990)],
            ),
            set("2026-01", 2, vec![member(3, 1, 1, 2008)]),
        ];
        let refs: Vec<&Set> = sets.iter().collect();
        let cycles = HashMap::from([(1, 4), (2, 4)]);
        let mut counter = Counter::new(6);
        let cells = counter.bucket(&refs, &cycles, true);
        let idp = Attributes::from_columns("female", 0, "idp").unwrap().code();
        let teen = cell(2008, idp, 2025);
        let young = cell(2008, idp, 2026);
        assert_eq!((cells[teen].unique, cells[teen].completed), (1, 1));
        assert_eq!(cells[young].unique, 0, "counted once, in her first year");
        assert_eq!(cells[teen].attendances, 2);
        assert_eq!(
            cells[young].attendances, 3,
            "each attendance at its year's age"
        );
        assert_eq!(cells[cell(1990, idp, 2026)].unique, 1);
        // Without flagged records she has 3 at type 1: not completed; and
        // the arrays are reused without clearing.
        let cells = counter.bucket(&refs, &cycles, false);
        assert_eq!((cells[teen].unique, cells[teen].completed), (1, 0));
        assert_eq!(cells[young].attendances, 2);
    }
}
