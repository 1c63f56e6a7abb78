//! The generator's history: sessions of each group and CFS day as they
//! meet, and awareness events with head counts.

use rand::seq::SliceRandom;
use rand::Rng;
use time::{Date, Weekday};

use super::{Generator, Meeting, Person};
use crate::activity_types::ActivityKind;
use crate::demo::rows;
use crate::participants::model::Sex;
use crate::records::model::{AgeBand, RecordData, Tally};
use crate::validate::dates;

impl Generator<'_> {
    /// Meeting `g` on `day`, if it meets then: each group weekly on its own
    /// weekday, the CFS on weekdays; members come when registered, most days.
    pub(super) fn session(
        &mut self,
        site: i64,
        day: Date,
        g: usize,
        meeting: &Meeting,
        people: &[Person],
    ) -> anyhow::Result<()> {
        let is_cfs = meeting.group_id.is_none();
        let meets = if is_cfs {
            !matches!(day.weekday(), Weekday::Friday | Weekday::Saturday)
        } else {
            day.weekday().number_days_from_sunday() as usize == g % 5
        };
        if !meets || !self.rng.gen_bool(self.keep) {
            return Ok(());
        }
        let rng = &mut self.rng;
        let present: Vec<&Person> = meeting
            .members
            .iter()
            .filter(|&&i| {
                people[i].registered <= day && rng.gen_bool(if is_cfs { 0.55 } else { 0.75 })
            })
            .map(|&i| &people[i])
            .collect();
        if present.is_empty() {
            return Ok(());
        }
        let data = RecordData {
            kind: if is_cfs {
                ActivityKind::CfsDay
            } else {
                ActivityKind::GroupSession
            },
            activity_type_id: meeting.activity_type,
            site_id: site,
            group_id: meeting.group_id.clone(),
            date: dates::format(day),
            start_time: Some(if is_cfs { "09:00" } else { "10:30" }.into()),
            duration_minutes: if is_cfs { 180 } else { 90 },
            topic: None,
            place_note: None,
            notes: None,
            materials: None,
            facilitator_ids: vec![],
            attendance: present.iter().map(|p| p.id.clone()).collect(),
            attendance_codes: vec![],
            by_code: vec![],
            tallies: vec![],
            tally_disabled: 0,
        };
        let flagged = self.rng.gen_ratio(1, 60);
        let record_id = uuid::Uuid::new_v4().to_string();
        self.bulks.records.push(rows::record(
            &record_id,
            &data,
            self.recorder,
            self.now,
            flagged,
        )?);
        for p in &present {
            self.bulks.attend.push(rows::attendance(&record_id, &p.id));
        }
        self.change("record", &record_id, site, Some(self.recorder));
        self.made.records += 1;
        self.made.attendances += present.len() as u64;
        Ok(())
    }

    /// About three awareness events a month per site, with head counts.
    pub(super) fn awareness_event(
        &mut self,
        site: i64,
        womens: bool,
        day: Date,
    ) -> anyhow::Result<()> {
        let rng = &mut self.rng;
        if !(rng.gen_ratio(1, 10) && rng.gen_bool(self.keep.max(0.05))) {
            return Ok(());
        }
        let topic = *self
            .types
            .awareness
            .choose(rng)
            .expect("awareness types seeded");
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
        if total == 0 {
            return Ok(());
        }
        let place = if womens {
            "Neighbourhood mosque courtyard"
        } else {
            "Camp market"
        };
        // Drawn in this order: materials, then the disabled count.
        let materials = rng
            .gen_bool(0.4)
            .then(|| "Leaflets on safe referral".to_string());
        let tally_disabled = rng.gen_range(0..=total.min(3));
        let data = RecordData {
            kind: ActivityKind::AwarenessEvent,
            activity_type_id: topic,
            site_id: site,
            group_id: None,
            date: dates::format(day),
            start_time: Some("16:00".into()),
            duration_minutes: 60,
            topic: None,
            place_note: Some(place.into()),
            notes: None,
            materials,
            facilitator_ids: vec![],
            attendance: vec![],
            attendance_codes: vec![],
            by_code: vec![],
            tally_disabled,
            tallies,
        };
        let record_id = uuid::Uuid::new_v4().to_string();
        self.bulks.records.push(rows::record(
            &record_id,
            &data,
            self.recorder,
            self.now,
            false,
        )?);
        for t in &data.tallies {
            self.bulks.tallies.push(rows::tally(&record_id, t));
        }
        self.change("record", &record_id, site, Some(self.recorder));
        self.made.records += 1;
        Ok(())
    }
}
