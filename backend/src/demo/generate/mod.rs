//! A realistic programme, generated: partners, districts and sites; trainers;
//! participants with plausible ages, sexes, disabilities and displacement;
//! groups with rosters that meet weekly (with absences); CFS days on
//! weekdays; awareness events with head counts; a few flagged records.
//! The same generator fills the demo (`sijil demo`) and the figures
//! benchmark (2,000 sites, 200,000 participants, millions of attendances).
//!
//! Rows are written in bulk and the rollups rebuilt at the end, which is
//! what a migration from spreadsheets would do too. The random draws are
//! seeded and made in a fixed order, so a spec always yields the same
//! programme (ids apart).

mod people;
mod schedule;

use rand::rngs::StdRng;
use rand::SeedableRng;
use time::{Date, Duration};

use super::rows::{self, Bulks};
use super::store::{self, District, NewSite};
use crate::changes;
use crate::participants;
use crate::rollups;
use crate::store::{now_millis, Db};
use crate::validate::dates;

/// How big a programme to make.
#[derive(Debug, Clone)]
pub struct Spec {
    pub sites: usize,
    pub participants: usize,
    /// Roughly how many attendances; the schedule is thinned to reach it.
    pub attendances: u64,
    /// History length, ending yesterday.
    pub months: u32,
    pub seed: u64,
    /// Names for a handful of sites (the demo); numbered sites otherwise.
    pub named: bool,
}

impl Spec {
    pub fn demo() -> Spec {
        Spec {
            sites: 7,
            participants: 420,
            attendances: u64::MAX,
            months: 6,
            seed: 2026,
            named: true,
        }
    }

    pub fn benchmark(attendances: u64) -> Spec {
        Spec {
            sites: 2000,
            participants: 200_000,
            attendances,
            months: 24,
            seed: 7,
            named: false,
        }
    }
}

/// What was made.
#[derive(Debug, Default)]
pub struct Made {
    pub site_ids: Vec<i64>,
    /// Per site: (code, is a women's centre).
    pub site_codes: Vec<(String, bool)>,
    pub participants: u64,
    pub groups: u64,
    pub records: u64,
    pub attendances: u64,
}

/// Reports progress: a stage name, done, total.
pub type Progress<'a> = &'a mut (dyn FnMut(&str, u64, u64) + Send);

/// Two kinds of site, alternating: a women's centre in Ninawa (PSS,
/// literacy and vocational groups of adult women) and an IDP camp around
/// Duhok (a child-friendly space and S4D teams for children).
const WOMENS_CENTRES: [&str; 4] = [
    "Al-Zanjili Women's Centre",
    "Bab Sinjar Women's Centre",
    "Al-Shifa Community Centre",
    "Old City Women's Space",
];
const CAMPS: [&str; 4] = [
    "Khanke Camp CFS",
    "Sharya Camp S4D Pitch",
    "Kabarto Camp CFS",
    "Bersive Camp Sports Ground",
];

/// Participants per code prefix (under the 32,768 a prefix holds).
const CODES_PER_PREFIX: u32 = 30_000;

/// Fills `db` with a programme; `recorder` records everything (and the
/// demo then adds per-site staff).
pub async fn generate(
    db: &Db,
    spec: &Spec,
    recorder: i64,
    progress: Progress<'_>,
) -> anyhow::Result<Made> {
    let mut g = Generator::new(db, spec, recorder).await?;
    g.places(progress).await?;
    g.prefixes().await?;
    for s in 0..g.made.site_ids.len() {
        g.site(s)?;
        if g.bulks.attend.len() > 100_000 || s + 1 == g.made.site_ids.len() {
            g.bulks.flush(db).await?;
        }
        progress("records", s as u64 + 1, spec.sites as u64);
    }
    let mut conn = db.pool().acquire().await?;
    changes::store::set_clock(&mut conn, g.seq).await?;
    progress("rollups", 0, 1);
    let mut tx = db.begin().await?;
    rollups::store::rebuild(&mut tx).await?;
    tx.commit().await?;
    progress("rollups", 1, 1);
    Ok(g.made)
}

/// The dates a generated programme covers (for the benchmark's queries).
pub fn history(spec: &Spec) -> (Date, Date) {
    let end = dates::today() - Duration::days(1);
    (end - Duration::days(30 * spec.months as i64), end)
}

/// The seeded activity types the schedule uses.
struct Types {
    pss: i64,
    lit: i64,
    voc: i64,
    s4d: i64,
    cfs: i64,
    awareness: Vec<i64>,
}

/// A registered participant: their id and registration day.
struct Person {
    id: String,
    registered: Date,
}

/// One recurring activity at a site: a group (or the CFS, with no group),
/// its type, and the indexes of its people.
struct Meeting {
    group_id: Option<String>,
    activity_type: i64,
    members: Vec<usize>,
}

/// The generator's state as it walks the sites.
struct Generator<'a> {
    db: &'a Db,
    spec: &'a Spec,
    recorder: i64,
    rng: StdRng,
    start: Date,
    end: Date,
    now: i64,
    types: Types,
    prefixes: Vec<String>,
    /// The share of the full schedule that is kept, to reach the spec's attendances.
    keep: f64,
    per_site: usize,
    /// Participants made so far (their codes' counter).
    counter: u32,
    /// The change clock, advanced for every change entry written.
    seq: i64,
    bulks: Bulks,
    made: Made,
}

impl<'a> Generator<'a> {
    async fn new(db: &'a Db, spec: &'a Spec, recorder: i64) -> anyhow::Result<Generator<'a>> {
        let (start, end) = history(spec);
        let types = Types {
            pss: store::type_id(db, "PSS").await?,
            lit: store::type_id(db, "LIT").await?,
            voc: store::type_id(db, "VOC").await?,
            s4d: store::type_id(db, "S4D").await?,
            cfs: store::type_id(db, "CFS").await?,
            awareness: store::awareness_types(db).await?,
        };
        let per_site = (spec.participants / spec.sites.max(1)).max(1);
        // Expected attendances of the full schedule, to thin it to the target.
        // People register evenly over the history, so each attends about half of it.
        let weeks = (end - start).whole_weeks() as f64;
        let full = spec.sites as f64 * per_site as f64 * weeks * 0.75 * 2.2 * 0.5;
        let mut conn = db.pool().acquire().await?;
        Ok(Generator {
            db,
            spec,
            recorder,
            rng: StdRng::seed_from_u64(spec.seed),
            start,
            end,
            now: now_millis(),
            types,
            prefixes: vec![],
            keep: (spec.attendances as f64 / full).min(1.0),
            per_site,
            counter: 0,
            seq: changes::store::clock(&mut conn).await?,
            bulks: Bulks::default(),
            made: Made::default(),
        })
    }

    /// Districts, partners and sites.
    async fn places(&mut self, progress: Progress<'_>) -> anyhow::Result<()> {
        let (db, tag) = (self.db, self.spec.seed);
        let (ninawa, duhok) = (
            store::area_id(db, "IQG15").await?,
            store::area_id(db, "IQG09").await?,
        );
        // Demo P-codes are placeholders ("-D" suffix): real ones come from OCHA's COD-AB.
        let mosul = District {
            parent: ninawa,
            pcode: format!("IQD15-D{tag}"),
            names: ["Mosul", "الموصل", "مووسڵ"],
        };
        let sumel = District {
            parent: duhok,
            pcode: format!("IQD09-D{tag}"),
            names: ["Sumel", "سميل", "سێمێل"],
        };
        let (mosul, sumel) = (
            store::insert_district(db, mosul).await?,
            store::insert_district(db, sumel).await?,
        );
        let partners_per_kind = (self.spec.sites / 100).max(1);
        let (mut wc_partners, mut s4d_partners) = (vec![], vec![]);
        for i in 0..partners_per_kind {
            let suffix = if partners_per_kind == 1 {
                String::new()
            } else {
                format!(" {}", i + 1)
            };
            wc_partners.push(
                store::insert_partner(db, &format!("Women's Centre West Mosul{suffix}")).await?,
            );
            s4d_partners
                .push(store::insert_partner(db, &format!("Play for Peace Duhok{suffix}")).await?);
        }
        let mut conn = db.pool().acquire().await?;
        for i in 0..self.spec.sites {
            let womens = i.is_multiple_of(2);
            let (name, code) = site_name(i, self.spec.named);
            let (kind, partner, area) = if womens {
                ("womens_centre", wc_partners[i % partners_per_kind], mosul)
            } else {
                let kind = if i % 4 == 1 {
                    "child_friendly_space"
                } else {
                    "camp"
                };
                (kind, s4d_partners[i % partners_per_kind], sumel)
            };
            let site = NewSite {
                code: &code,
                name: &name,
                kind,
                partner,
                area,
            };
            let id = store::insert_site(&mut conn, site).await?;
            // Phones learn of sites only through the change feed: without
            // this entry a demo trainer's phone had no site to record at.
            self.change("site", &id.to_string(), id, None);
            self.made.site_ids.push(id);
            self.made.site_codes.push((code, womens));
            progress("sites", i as u64 + 1, self.spec.sites as u64);
        }
        Ok(())
    }

    /// Enough code prefixes for every participant, issued to the recorder.
    async fn prefixes(&mut self) -> anyhow::Result<()> {
        let mut tx = self.db.begin().await?;
        for _ in 0..(self.spec.participants as u32 / CODES_PER_PREFIX) + 1 {
            self.prefixes
                .push(participants::store::next_prefix(&mut tx, self.recorder).await?);
        }
        tx.commit().await?;
        Ok(())
    }

    /// One site's people, groups and history.
    fn site(&mut self, s: usize) -> anyhow::Result<()> {
        let site = self.made.site_ids[s];
        let womens = s.is_multiple_of(2);
        let mut people = vec![];
        for _ in 0..self.per_site {
            people.push(self.participant(site, womens)?);
        }
        self.made.participants += people.len() as u64;
        let meetings = self.groups(site, womens, &people)?;
        let mut day = self.start;
        while day <= self.end {
            for (g, meeting) in meetings.iter().enumerate() {
                self.session(site, day, g, meeting, &people)?;
            }
            self.awareness_event(site, womens, day)?;
            day += Duration::days(1);
        }
        Ok(())
    }

    /// A change entry for what was just made, so phones pull it.
    fn change(&mut self, entity: &str, id: &str, site: i64, user: Option<i64>) {
        self.seq += 1;
        self.bulks
            .changes
            .push(rows::change(entity, id, self.seq, site, user));
    }
}

/// The demo's named sites first, then numbered ones: (name, code).
fn site_name(i: usize, named: bool) -> (String, String) {
    let womens = i.is_multiple_of(2);
    let prefix = if womens { "MOS" } else { "DUH" };
    if named && i / 2 < 4 {
        let name = if womens {
            WOMENS_CENTRES[i / 2]
        } else {
            CAMPS[i / 2]
        };
        (name.to_string(), format!("{prefix}-{:02}", i / 2 + 1))
    } else {
        let kind = if womens { "Centre" } else { "Camp site" };
        (
            format!("{kind} {}", i + 1),
            format!("{prefix}-{:04}", i + 1),
        )
    }
}
