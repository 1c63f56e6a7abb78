//! The generator's people: participants registered at a site, and the
//! groups they are placed in.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use time::Duration;

use super::{Generator, Meeting, Person, CODES_PER_PREFIX};
use crate::demo::rows;
use crate::groups::model::{GroupData, Member};
use crate::participants::code;
use crate::participants::model::{
    DisabilityMode, Displacement, ParticipantData, Sex, WgAnswers, WG_MIN_AGE,
};
use crate::validate::dates;

impl Generator<'_> {
    /// Registers one person at `site`: adult women at women's centres,
    /// children at camps.
    pub(super) fn participant(&mut self, site: i64, womens: bool) -> anyhow::Result<Person> {
        self.counter += 1;
        let prefix = &self.prefixes[(self.counter / CODES_PER_PREFIX) as usize];
        let code = code::code_for(prefix, self.counter % CODES_PER_PREFIX + 1)
            .expect("counter within prefix");
        let this_year = dates::today().year() as i64;
        let rng = &mut self.rng;
        let (sex, birth_year) = if womens {
            let sex = if rng.gen_bool(0.95) {
                Sex::Female
            } else {
                Sex::Male
            };
            (sex, this_year - rng.gen_range(18..=62))
        } else {
            let sex = if rng.gen_bool(0.5) {
                Sex::Female
            } else {
                Sex::Male
            };
            (sex, this_year - rng.gen_range(4..=16))
        };
        let wg = rng.gen_bool(0.6).then(|| wg_answers(rng));
        let disability = match wg {
            Some(_) => DisabilityMode::Wg,
            None if rng.gen_bool(0.5) => DisabilityMode::No,
            None => DisabilityMode::NotAsked,
        };
        let displacement = if womens {
            *[
                Displacement::Host,
                Displacement::Host,
                Displacement::Returnee,
                Displacement::Idp,
            ]
            .choose(rng)
            .expect("non-empty")
        } else if rng.gen_bool(0.9) {
            Displacement::Idp
        } else {
            Displacement::Refugee
        };
        let registered = self.start
            + Duration::days(rng.gen_range(0..(self.end - self.start).whole_days().max(1)));
        // The Washington Group short set is not asked under 5: a young
        // child's answers become a plain "not asked" (the random draws stay
        // in the same order, so the demo is otherwise the same).
        let too_young = registered.year() as i64 - birth_year < WG_MIN_AGE;
        let (wg, disability) = match (wg, too_young) {
            (Some(_), true) => (None, DisabilityMode::NotAsked),
            other => (other.0, disability),
        };
        let data = ParticipantData {
            code,
            site_id: site,
            sex,
            birth_year,
            birth_year_estimated: !womens,
            disability,
            wg,
            displacement,
            registered_on: dates::format(registered),
            given_name: None,
            wg_by_caregiver: false,
        };
        let id = uuid::Uuid::new_v4().to_string();
        self.bulks
            .people
            .push(rows::participant(&id, &data, self.recorder, self.now)?);
        self.change("participant", &id, site, None);
        Ok(Person { id, registered })
    }

    /// Groups of about 15; camps keep half their children for the CFS only.
    pub(super) fn groups(
        &mut self,
        site: i64,
        womens: bool,
        people: &[Person],
    ) -> anyhow::Result<Vec<Meeting>> {
        let t = &self.types;
        let types: Vec<i64> = if womens {
            vec![t.pss, t.lit, t.voc]
        } else {
            vec![t.s4d]
        };
        let in_groups = if womens {
            people.len()
        } else {
            people.len() / 2
        };
        let mut meetings = vec![];
        for (g, chunk) in (0..in_groups).collect::<Vec<_>>().chunks(15).enumerate() {
            let activity_type = types[g % types.len()];
            let group_id = uuid::Uuid::new_v4().to_string();
            let kind = if womens {
                ["PSS", "Literacy", "Vocational"][g % 3]
            } else {
                "Football team"
            };
            let members: Vec<Member> = chunk
                .iter()
                .map(|&i| Member {
                    participant_id: people[i].id.clone(),
                    joined_on: dates::format(people[i].registered),
                    left_on: None,
                })
                .collect();
            let data = GroupData {
                site_id: site,
                activity_type_id: activity_type,
                name: format!("{kind} group {}", g + 1),
                facilitator_ids: vec![],
                members,
                weekdays: vec![],
            };
            self.bulks
                .groups
                .push(rows::group(&group_id, &data, self.recorder, self.now)?);
            for m in &data.members {
                self.bulks.members.push(rows::member(&group_id, m));
            }
            self.change("group", &group_id, site, None);
            meetings.push(Meeting {
                group_id: Some(group_id),
                activity_type,
                members: chunk.to_vec(),
            });
            self.made.groups += 1;
        }
        if !womens {
            meetings.push(Meeting {
                group_id: None,
                activity_type: self.types.cfs,
                members: (0..people.len()).collect(),
            });
        }
        Ok(meetings)
    }
}

/// The six Washington Group answers: mostly no or some difficulty.
fn wg_answers(rng: &mut StdRng) -> WgAnswers {
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
}
