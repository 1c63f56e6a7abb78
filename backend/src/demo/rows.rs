//! The generator's rows, one builder per table, in the column order of the
//! bulk loads below. Each row is what the phone-made item would store.

use crate::groups::model::{GroupData, Member};
use crate::participants::model::{DisabilityMode, ParticipantData, WgAnswers};
use crate::records::model::{RecordData, Tally};
use crate::store::rows::{Bulk, Value};
use crate::store::Db;

/// The bulk loads the generator fills, flushed together.
pub struct Bulks {
    pub people: Bulk,
    pub groups: Bulk,
    pub members: Bulk,
    pub records: Bulk,
    pub attend: Bulk,
    pub tallies: Bulk,
    pub changes: Bulk,
}

impl Default for Bulks {
    fn default() -> Bulks {
        Bulks {
            people: Bulk::new("participants", PARTICIPANT_COLUMNS),
            groups: Bulk::new("activity_groups", GROUP_COLUMNS),
            members: Bulk::new(
                "group_members",
                &["group_id", "participant_id", "joined_on", "left_on"],
            ),
            records: Bulk::new("activity_records", RECORD_COLUMNS),
            attend: Bulk::new("attendances", &["record_id", "participant_id"]),
            tallies: Bulk::new("tallies", &["record_id", "sex", "age_band", "count"]),
            changes: Bulk::new(
                "sync_changes",
                &["entity", "entity_id", "seq", "site_id", "user_id"],
            ),
        }
    }
}

impl Bulks {
    /// Writes everything gathered, in one transaction, parents before children.
    pub async fn flush(&mut self, db: &Db) -> anyhow::Result<()> {
        let mut tx = db.begin().await?;
        for b in [
            &mut self.people,
            &mut self.groups,
            &mut self.members,
            &mut self.records,
            &mut self.attend,
            &mut self.tallies,
            &mut self.changes,
        ] {
            b.flush(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

const PARTICIPANT_COLUMNS: &[&str] = &[
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
];

pub fn participant(
    id: &str,
    d: &ParticipantData,
    recorder: i64,
    now: i64,
) -> anyhow::Result<Vec<Value>> {
    let wg = |f: fn(&WgAnswers) -> u8| {
        d.wg.as_ref()
            .map(|w| Value::Int(f(w) as i64))
            .unwrap_or(Value::NullInt)
    };
    let mode = match d.disability {
        DisabilityMode::Wg => "wg",
        DisabilityMode::Yes => "yes",
        DisabilityMode::No => "no",
        DisabilityMode::NotAsked => "not_asked",
    };
    Ok(vec![
        Value::Text(id.into()),
        Value::Text(d.code.clone()),
        Value::Int(d.site_id),
        Value::Text(d.sex.as_str().into()),
        Value::Int(d.birth_year),
        Value::Int(d.birth_year_estimated as i64),
        Value::Text(mode.into()),
        wg(|w| w.seeing),
        wg(|w| w.hearing),
        wg(|w| w.walking),
        wg(|w| w.remembering),
        wg(|w| w.selfcare),
        wg(|w| w.communicating),
        Value::Int(d.has_disability() as i64),
        Value::Text(d.displacement.as_str().into()),
        Value::Text(d.registered_on.clone()),
        Value::NullText,
        Value::Int(recorder),
        Value::NullText,
        Value::Int(now),
        Value::Int(now),
        Value::Int(1),
        Value::Int(0),
        Value::Text(serde_json::to_string(d)?),
    ])
}

const GROUP_COLUMNS: &[&str] = &[
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
];

pub fn group(id: &str, d: &GroupData, recorder: i64, now: i64) -> anyhow::Result<Vec<Value>> {
    Ok(vec![
        Value::Text(id.into()),
        Value::Int(d.site_id),
        Value::Int(d.activity_type_id),
        Value::Text(d.name.clone()),
        Value::Int(recorder),
        Value::Int(now),
        Value::Int(now),
        Value::Int(1),
        Value::Int(0),
        Value::Text(serde_json::to_string(d)?),
    ])
}

pub fn member(group_id: &str, m: &Member) -> Vec<Value> {
    vec![
        Value::Text(group_id.into()),
        Value::Text(m.participant_id.clone()),
        Value::Text(m.joined_on.clone()),
        Value::NullText,
    ]
}

const RECORD_COLUMNS: &[&str] = &[
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
];

/// A record; a few are flagged, with the comment a coordinator would write.
pub fn record(
    id: &str,
    d: &RecordData,
    recorder: i64,
    now: i64,
    flagged: bool,
) -> anyhow::Result<Vec<Value>> {
    let opt = |s: &Option<String>| s.clone().map(Value::Text).unwrap_or(Value::NullText);
    let (status, comment) = if flagged {
        let comment = "Attendance looks copied from the previous session; please check.";
        ("flagged", Value::Text(comment.into()))
    } else {
        ("submitted", Value::NullText)
    };
    Ok(vec![
        Value::Text(id.into()),
        Value::Text(d.kind.as_str().into()),
        Value::Int(d.activity_type_id),
        Value::Int(d.site_id),
        opt(&d.group_id),
        Value::Text(d.date.clone()),
        opt(&d.start_time),
        Value::Int(d.duration_minutes),
        opt(&d.topic),
        opt(&d.place_note),
        opt(&d.notes),
        opt(&d.materials),
        Value::Int(d.tally_disabled),
        Value::Int(recorder),
        Value::NullText,
        Value::Int(now),
        Value::Int(now),
        Value::Int(1),
        Value::Text(status.into()),
        comment,
        Value::Int(0),
        Value::Text(serde_json::to_string(d)?),
    ])
}

pub fn attendance(record_id: &str, participant_id: &str) -> Vec<Value> {
    vec![
        Value::Text(record_id.into()),
        Value::Text(participant_id.into()),
    ]
}

pub fn tally(record_id: &str, t: &Tally) -> Vec<Value> {
    vec![
        Value::Text(record_id.into()),
        Value::Text(t.sex.as_str().into()),
        Value::Text(t.age_band.as_str().into()),
        Value::Int(t.count),
    ]
}

/// A change entry: phones at `site` (only `user`'s, when given) pull it.
pub fn change(entity: &str, id: &str, seq: i64, site: i64, user: Option<i64>) -> Vec<Value> {
    vec![
        Value::Text(entity.into()),
        Value::Text(id.into()),
        Value::Int(seq),
        Value::Int(site),
        user.map(Value::Int).unwrap_or(Value::NullInt),
    ]
}
