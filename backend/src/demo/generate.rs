//! A realistic programme, generated: partners, districts and sites; trainers;
//! participants with plausible ages, sexes, disabilities and displacement;
//! groups with rosters that meet weekly (with absences); CFS days on
//! weekdays; awareness events with head counts; a few flagged records.
//! The same generator fills the demo (`sijil demo`) and the figures
//! benchmark (2,000 sites, 200,000 participants, millions of attendances).
//!
//! Rows are written in bulk and the rollups rebuilt at the end, which is
//! what a migration from spreadsheets would do too.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use time::{Date, Duration, Weekday};

use super::bulk::{Bulk, V};
use crate::activity_types::ActivityKind;
use crate::participants::code;
use crate::participants::model::{DisabilityMode, Displacement, ParticipantData, Sex, WgAnswers};
use crate::records::model::{AgeBand, RecordData, Tally};
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

struct Person {
    id: String,
}

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

/// Fills `db` with a programme; `recorder` records everything (and the
/// demo then adds per-site staff).
pub async fn generate(
    db: &Db,
    spec: &Spec,
    recorder: i64,
    progress: Progress<'_>,
) -> anyhow::Result<Made> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let today = dates::today();
    let end = today - Duration::days(1);
    let start = end - Duration::days(30 * spec.months as i64);
    let now = now_millis();
    let mut made = Made::default();
    let mut conn = db.pool().acquire().await?;

    // Places.
    let type_id = |code: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM activity_types WHERE code = $1")
            .bind(code)
            .fetch_one(db.pool())
            .await
    };
    let (pss, lit, voc, s4d, cfs) = (
        type_id("PSS").await?,
        type_id("LIT").await?,
        type_id("VOC").await?,
        type_id("S4D").await?,
        type_id("CFS").await?,
    );
    let awareness: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM activity_types WHERE kind = 'awareness_event' ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let governorate = |pcode: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM areas WHERE pcode = $1")
            .bind(pcode)
            .fetch_one(db.pool())
            .await
    };
    let (ninawa, duhok) = (governorate("IQG15").await?, governorate("IQG09").await?);
    let tag = spec.seed;
    let district = |parent: i64, pcode: String, en: &str, ar: &str, ckb: &str| {
        let (en, ar, ckb) = (en.to_string(), ar.to_string(), ckb.to_string());
        async move {
            sqlx::query_scalar::<_, i64>("INSERT INTO areas (level, parent_id, pcode, name_en, name_ar, name_ckb) VALUES (2, $1, $2, $3, $4, $5) RETURNING id")
                .bind(parent)
                .bind(pcode)
                .bind(en)
                .bind(ar)
                .bind(ckb)
                .fetch_one(db.pool())
                .await
        }
    };
    // Demo P-codes are placeholders ("-D" suffix): real ones come from OCHA's COD-AB.
    let mosul = district(ninawa, format!("IQD15-D{tag}"), "Mosul", "الموصل", "مووسڵ").await?;
    let sumel = district(duhok, format!("IQD09-D{tag}"), "Sumel", "سميل", "سێمێل").await?;
    let partner = |name: String| async move {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO partners (name, active, created_at) VALUES ($1, 1, $2) RETURNING id",
        )
        .bind(name)
        .bind(now)
        .fetch_one(db.pool())
        .await
    };
    let partners_per_kind = (spec.sites / 100).max(1);
    let mut wc_partners = vec![];
    let mut s4d_partners = vec![];
    for i in 0..partners_per_kind {
        let suffix = if partners_per_kind == 1 {
            String::new()
        } else {
            format!(" {}", i + 1)
        };
        wc_partners.push(partner(format!("Women's Centre West Mosul{suffix}")).await?);
        s4d_partners.push(partner(format!("Play for Peace Duhok{suffix}")).await?);
    }
    for i in 0..spec.sites {
        let womens = i % 2 == 0;
        let (name, code) = if spec.named && i / 2 < 4 {
            let name = if womens {
                WOMENS_CENTRES[i / 2]
            } else {
                CAMPS[i / 2]
            };
            (
                name.to_string(),
                format!("{}-{:02}", if womens { "MOS" } else { "DUH" }, i / 2 + 1),
            )
        } else {
            (
                format!("{} {}", if womens { "Centre" } else { "Camp site" }, i + 1),
                format!("{}-{:04}", if womens { "MOS" } else { "DUH" }, i + 1),
            )
        };
        let (kind, partner, area) = if womens {
            ("womens_centre", wc_partners[i % partners_per_kind], mosul)
        } else {
            (
                if i % 4 == 1 {
                    "child_friendly_space"
                } else {
                    "camp"
                },
                s4d_partners[i % partners_per_kind],
                sumel,
            )
        };
        let id: i64 = sqlx::query_scalar("INSERT INTO sites (code, name, kind, partner_id, area_id, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id")
            .bind(&code)
            .bind(&name)
            .bind(kind)
            .bind(partner)
            .bind(area)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
        made.site_ids.push(id);
        made.site_codes.push((code, womens));
        progress("sites", i as u64 + 1, spec.sites as u64);
    }

    // Participants, groups and the schedule, site by site.
    let per_site = (spec.participants / spec.sites.max(1)).max(1);
    let prefix_count = (spec.participants / 30_000 + 1) as u32;
    let first_prefix: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_prefixes")
        .fetch_one(&mut *conn)
        .await?;
    let prefixes: Vec<String> = (0..prefix_count)
        .map(|i| code::prefix_for(first_prefix as u32 + 1 + i).expect("prefix space"))
        .collect();
    for p in &prefixes {
        sqlx::query(
            "INSERT INTO device_prefixes (prefix, user_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(p)
        .bind(recorder)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    // Expected attendances of the full schedule, to thin it to the target.
    let weeks = (end - start).whole_weeks() as f64;
    // People register evenly over the history, so each attends about half of it.
    let full = spec.sites as f64 * per_site as f64 * weeks * 0.75 * 2.2 * 0.5;
    let keep = (spec.attendances as f64 / full).min(1.0);

    let mut people_b = Bulk::new(
        "participants",
        &[
            "id",
            "code",
            "site_id",
            "sex",
            "birth_year",
            "birth_year_estimated",
            "disability_mode",
            "wg_seeing",
            "wg_hearing",
            "wg_walking",
            "wg_remembering",
            "wg_selfcare",
            "wg_communicating",
            "has_disability",
            "displacement",
            "registered_on",
            "given_name",
            "created_by",
            "device_created_at",
            "received_at",
            "updated_at",
            "version",
            "deleted",
            "payload",
        ],
    );
    let mut groups_b = Bulk::new(
        "activity_groups",
        &[
            "id",
            "site_id",
            "activity_type_id",
            "name",
            "created_by",
            "received_at",
            "updated_at",
            "version",
            "deleted",
            "payload",
        ],
    );
    let mut members_b = Bulk::new(
        "group_members",
        &["group_id", "participant_id", "joined_on", "left_on"],
    );
    let mut records_b = Bulk::new(
        "activity_records",
        &[
            "id",
            "kind",
            "activity_type_id",
            "site_id",
            "group_id",
            "occurred_on",
            "start_time",
            "duration_minutes",
            "topic",
            "place_note",
            "notes",
            "materials",
            "tally_disabled",
            "recorded_by",
            "device_recorded_at",
            "received_at",
            "updated_at",
            "version",
            "review_status",
            "review_comment",
            "deleted",
            "payload",
        ],
    );
    let mut attend_b = Bulk::new("attendances", &["record_id", "participant_id"]);
    let mut tallies_b = Bulk::new("tallies", &["record_id", "sex", "age_band", "count"]);
    let mut changes_b = Bulk::new(
        "sync_changes",
        &["entity", "entity_id", "seq", "site_id", "user_id"],
    );
    let mut seq: i64 = sqlx::query_scalar("SELECT seq FROM sync_clock WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let mut counter = 0u32;

    for (s, &site) in made.site_ids.clone().iter().enumerate() {
        let womens = s % 2 == 0;
        let this_year = today.year() as i64;
        let mut people = vec![];
        for _ in 0..per_site {
            counter += 1;
            let prefix = &prefixes[(counter / 30_000) as usize];
            let code = code::code_for(prefix, counter % 30_000 + 1).expect("counter within prefix");
            let (sex, birth_year) = if womens {
                (
                    if rng.gen_bool(0.95) {
                        Sex::Female
                    } else {
                        Sex::Male
                    },
                    this_year - rng.gen_range(18..=62),
                )
            } else {
                (
                    if rng.gen_bool(0.5) {
                        Sex::Female
                    } else {
                        Sex::Male
                    },
                    this_year - rng.gen_range(4..=16),
                )
            };
            let wg = rng.gen_bool(0.6).then(|| {
                let mut a = || {
                    if rng.gen_bool(0.06) {
                        rng.gen_range(3..=4)
                    } else {
                        rng.gen_range(1..=2)
                    }
                };
                WgAnswers {
                    seeing: a(),
                    hearing: a(),
                    walking: a(),
                    remembering: a(),
                    selfcare: a(),
                    communicating: a(),
                }
            });
            let disability = if wg.is_some() {
                DisabilityMode::Wg
            } else if rng.gen_bool(0.5) {
                DisabilityMode::No
            } else {
                DisabilityMode::NotAsked
            };
            let displacement = if womens {
                *[
                    Displacement::Host,
                    Displacement::Host,
                    Displacement::Returnee,
                    Displacement::Idp,
                ]
                .choose(&mut rng)
                .expect("non-empty")
            } else if rng.gen_bool(0.9) {
                Displacement::Idp
            } else {
                Displacement::Refugee
            };
            let registered =
                start + Duration::days(rng.gen_range(0..(end - start).whole_days().max(1)));
            let data = ParticipantData {
                code: code.clone(),
                site_id: site,
                sex,
                birth_year,
                birth_year_estimated: !womens,
                disability,
                wg,
                displacement,
                registered_on: dates::format(registered),
                given_name: None,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let wgv =
                |f: fn(&WgAnswers) -> u8| wg.as_ref().map(|w| V::I(f(w) as i64)).unwrap_or(V::Null);
            people_b.push(vec![
                V::S(id.clone()),
                V::S(code),
                V::I(site),
                V::S(sex.as_str().into()),
                V::I(birth_year),
                V::I(!womens as i64),
                V::S(
                    match disability {
                        DisabilityMode::Wg => "wg",
                        DisabilityMode::Yes => "yes",
                        DisabilityMode::No => "no",
                        DisabilityMode::NotAsked => "not_asked",
                    }
                    .into(),
                ),
                wgv(|w| w.seeing),
                wgv(|w| w.hearing),
                wgv(|w| w.walking),
                wgv(|w| w.remembering),
                wgv(|w| w.selfcare),
                wgv(|w| w.communicating),
                V::I(data.has_disability() as i64),
                V::S(displacement.as_str().into()),
                V::S(data.registered_on.clone()),
                V::NullText,
                V::I(recorder),
                V::NullText,
                V::I(now),
                V::I(now),
                V::I(1),
                V::I(0),
                V::S(serde_json::to_string(&data)?),
            ]);
            seq += 1;
            changes_b.push(vec![
                V::S("participant".into()),
                V::S(id.clone()),
                V::I(seq),
                V::I(site),
                V::Null,
            ]);
            people.push((Person { id }, registered));
        }
        made.participants += people.len() as u64;

        // Groups of about 15; camps keep half their children for the CFS only.
        let types: &[i64] = if womens { &[pss, lit, voc] } else { &[s4d] };
        let in_groups = if womens {
            people.len()
        } else {
            people.len() / 2
        };
        let mut schedule: Vec<(Option<String>, i64, Vec<usize>)> = vec![];
        for (g, chunk) in (0..in_groups).collect::<Vec<_>>().chunks(15).enumerate() {
            let activity_type = types[g % types.len()];
            let group_id = uuid::Uuid::new_v4().to_string();
            let name = format!(
                "{} group {}",
                if womens {
                    ["PSS", "Literacy", "Vocational"][g % 3]
                } else {
                    "Football team"
                },
                g + 1
            );
            let members: Vec<crate::groups::model::Member> = chunk
                .iter()
                .map(|&i| crate::groups::model::Member {
                    participant_id: people[i].0.id.clone(),
                    joined_on: dates::format(people[i].1),
                    left_on: None,
                })
                .collect();
            let data = crate::groups::model::GroupData {
                site_id: site,
                activity_type_id: activity_type,
                name: name.clone(),
                facilitator_ids: vec![],
                members: members.clone(),
            };
            groups_b.push(vec![
                V::S(group_id.clone()),
                V::I(site),
                V::I(activity_type),
                V::S(name),
                V::I(recorder),
                V::I(now),
                V::I(now),
                V::I(1),
                V::I(0),
                V::S(serde_json::to_string(&data)?),
            ]);
            for m in &members {
                members_b.push(vec![
                    V::S(group_id.clone()),
                    V::S(m.participant_id.clone()),
                    V::S(m.joined_on.clone()),
                    V::NullText,
                ]);
            }
            seq += 1;
            changes_b.push(vec![
                V::S("group".into()),
                V::S(group_id.clone()),
                V::I(seq),
                V::I(site),
                V::Null,
            ]);
            schedule.push((Some(group_id), activity_type, chunk.to_vec()));
            made.groups += 1;
        }
        if !womens {
            schedule.push((None, cfs, (0..people.len()).collect()));
        }

        // Sessions: each group weekly on its own weekday; the CFS on weekdays.
        let mut day = start;
        while day <= end {
            for (g, (group_id, activity_type, members)) in schedule.iter().enumerate() {
                let is_cfs = group_id.is_none();
                let meets = if is_cfs {
                    !matches!(day.weekday(), Weekday::Friday | Weekday::Saturday)
                } else {
                    day.weekday().number_days_from_sunday() as usize == g % 5
                };
                if !meets || !rng.gen_bool(keep) {
                    continue;
                }
                let present: Vec<&Person> = members
                    .iter()
                    .filter(|&&i| {
                        people[i].1 <= day && rng.gen_bool(if is_cfs { 0.55 } else { 0.75 })
                    })
                    .map(|&i| &people[i].0)
                    .collect();
                if present.is_empty() {
                    continue;
                }
                let kind = if is_cfs {
                    ActivityKind::CfsDay
                } else {
                    ActivityKind::GroupSession
                };
                let record_id = uuid::Uuid::new_v4().to_string();
                let data = RecordData {
                    kind,
                    activity_type_id: *activity_type,
                    site_id: site,
                    group_id: group_id.clone(),
                    date: dates::format(day),
                    start_time: Some(if is_cfs { "09:00" } else { "10:30" }.into()),
                    duration_minutes: if is_cfs { 180 } else { 90 },
                    topic: None,
                    place_note: None,
                    notes: None,
                    materials: None,
                    facilitator_ids: vec![],
                    attendance: present.iter().map(|p| p.id.clone()).collect(),
                    tallies: vec![],
                    tally_disabled: 0,
                };
                let flagged = rng.gen_ratio(1, 60);
                push_record(&mut records_b, &record_id, &data, recorder, now, flagged)?;
                for p in &present {
                    attend_b.push(vec![V::S(record_id.clone()), V::S(p.id.clone())]);
                }
                seq += 1;
                changes_b.push(vec![
                    V::S("record".into()),
                    V::S(record_id),
                    V::I(seq),
                    V::I(site),
                    V::I(recorder),
                ]);
                made.records += 1;
                made.attendances += present.len() as u64;
            }
            // Awareness events: about three a month per site.
            if rng.gen_ratio(1, 10) && rng.gen_bool(keep.max(0.05)) {
                let topic = *awareness.choose(&mut rng).expect("awareness types seeded");
                let mut tallies = vec![];
                for sex in [Sex::Female, Sex::Male] {
                    for band in AgeBand::ALL {
                        let n = if womens && sex == Sex::Male {
                            rng.gen_range(0..3)
                        } else {
                            rng.gen_range(0..14)
                        };
                        if n > 0 {
                            tallies.push(Tally {
                                sex,
                                age_band: band,
                                count: n,
                            });
                        }
                    }
                }
                let total: i64 = tallies.iter().map(|t| t.count).sum();
                if total > 0 {
                    let record_id = uuid::Uuid::new_v4().to_string();
                    let data = RecordData {
                        kind: ActivityKind::AwarenessEvent,
                        activity_type_id: topic,
                        site_id: site,
                        group_id: None,
                        date: dates::format(day),
                        start_time: Some("16:00".into()),
                        duration_minutes: 60,
                        topic: None,
                        place_note: Some(
                            if womens {
                                "Neighbourhood mosque courtyard"
                            } else {
                                "Camp market"
                            }
                            .into(),
                        ),
                        notes: None,
                        materials: rng
                            .gen_bool(0.4)
                            .then(|| "Leaflets on safe referral".to_string()),
                        facilitator_ids: vec![],
                        attendance: vec![],
                        tally_disabled: rng.gen_range(0..=total.min(3)),
                        tallies: tallies.clone(),
                    };
                    push_record(&mut records_b, &record_id, &data, recorder, now, false)?;
                    for t in &tallies {
                        tallies_b.push(vec![
                            V::S(record_id.clone()),
                            V::S(t.sex.as_str().into()),
                            V::S(t.age_band.as_str().into()),
                            V::I(t.count),
                        ]);
                    }
                    seq += 1;
                    changes_b.push(vec![
                        V::S("record".into()),
                        V::S(record_id),
                        V::I(seq),
                        V::I(site),
                        V::I(recorder),
                    ]);
                    made.records += 1;
                }
            }
            day += Duration::days(1);
        }
        if attend_b.len() > 100_000 || s + 1 == made.site_ids.len() {
            let mut tx = db.begin().await?;
            for b in [
                &mut people_b,
                &mut groups_b,
                &mut members_b,
                &mut records_b,
                &mut attend_b,
                &mut tallies_b,
                &mut changes_b,
            ] {
                b.flush(&mut tx).await?;
            }
            tx.commit().await?;
        }
        progress("records", s as u64 + 1, spec.sites as u64);
    }
    sqlx::query("UPDATE sync_clock SET seq = $1 WHERE id = 1")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    progress("rollups", 0, 1);
    let mut tx = db.begin().await?;
    super::super::figures::rollup::rebuild(&mut tx).await?;
    tx.commit().await?;
    progress("rollups", 1, 1);
    Ok(made)
}

fn push_record(
    b: &mut Bulk,
    id: &str,
    d: &RecordData,
    recorder: i64,
    now: i64,
    flagged: bool,
) -> anyhow::Result<()> {
    let opt = |s: &Option<String>| s.clone().map(V::S).unwrap_or(V::NullText);
    b.push(vec![
        V::S(id.into()),
        V::S(d.kind.as_str().into()),
        V::I(d.activity_type_id),
        V::I(d.site_id),
        opt(&d.group_id),
        V::S(d.date.clone()),
        opt(&d.start_time),
        V::I(d.duration_minutes),
        opt(&d.topic),
        opt(&d.place_note),
        opt(&d.notes),
        opt(&d.materials),
        V::I(d.tally_disabled),
        V::I(recorder),
        V::NullText,
        V::I(now),
        V::I(now),
        V::I(1),
        V::S(if flagged { "flagged" } else { "submitted" }.into()),
        if flagged {
            V::S("Attendance looks copied from the previous session; please check.".into())
        } else {
            V::NullText
        },
        V::I(0),
        V::S(serde_json::to_string(d)?),
    ]);
    Ok(())
}

/// The dates a generated programme covers (for the benchmark's queries).
pub fn history(spec: &Spec) -> (Date, Date) {
    let end = dates::today() - Duration::days(1);
    (end - Duration::days(30 * spec.months as i64), end)
}
