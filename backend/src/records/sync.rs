//! How records follow the sync rule: who may record which kind, what must
//! hold against the database, and the hand-over to the record's one write
//! path ([`super::write`]).

use sqlx::AnyConnection;

use super::batch;
use super::model::{locked_refusal, may_record, RecordData, MAX_ATTENDANCE};
use super::store::{self, StoredRecord};
use super::write::{self, Change};
use crate::access::Role;
use crate::activity_types::ActivityKind;
use crate::changes::item::{recalled, Actor, Syncable, Write, WriteMeta, Written};
use crate::participants::code;
use crate::refusal::{Refusal, RefusalCode};
use crate::validate::Checker;
use crate::{access, activity_types, groups, participants, users};

pub struct Records;

impl Syncable for Records {
    type Data = RecordData;
    type Stored = StoredRecord;

    async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<StoredRecord>, sqlx::Error> {
        // The batch found it free at its start, and no record took it since.
        if batch::take_free(id) {
            return Ok(None);
        }
        store::load(conn, id).await
    }

    fn may_write(actor: &Actor, data: &RecordData) -> Result<(), Refusal> {
        if may_record(actor.role, data.kind) {
            Ok(())
        } else {
            Err(RefusalCode::RoleMayNot.into())
        }
    }

    /// A record is its recorder's: only they (or an admin) change or delete
    /// it. A CFS day is its site's: whoever checks children in there adds
    /// to it (see [`Records::join`]), but only its recorder deletes it.
    fn may_edit(actor: &Actor, stored: &StoredRecord, data: Option<&RecordData>) -> bool {
        actor.role == Role::Admin
            || stored.head.owner == actor.user_id
            || data.is_some_and(|d| same_cfs_day(stored, d))
    }

    /// One CFS day per site and date, made by several phones (offline too):
    /// a copy based on an older version, or another user's, joins what is
    /// stored (its attendance and facilitators added) instead of replacing
    /// it or answering a conflict. Only the recorder, up to date, replaces
    /// it (and so may take off a child ticked by mistake).
    fn join(
        actor: &Actor,
        stored: &StoredRecord,
        base_version: i64,
        data: &RecordData,
    ) -> Option<RecordData> {
        let head = &stored.head;
        if head.deleted
            || !same_cfs_day(stored, data)
            || (base_version == head.version && head.owner == actor.user_id)
        {
            return None;
        }
        let mut joined: RecordData = serde_json::from_str(&head.payload).ok()?;
        joined.attendance.extend(data.attendance.iter().cloned());
        joined.attendance.sort();
        joined.attendance.dedup();
        joined
            .facilitator_ids
            .extend(data.facilitator_ids.iter().copied());
        joined.facilitator_ids.sort_unstable();
        joined.facilitator_ids.dedup();
        joined.by_code = data.by_code.clone();
        Some(joined)
    }

    /// Codes and merged-away ids in the attendance become the ids of the
    /// people they name today.
    async fn resolve(
        conn: &mut AnyConnection,
        mut data: RecordData,
        check: &mut Checker,
    ) -> Result<RecordData, sqlx::Error> {
        let unread = batch::maybe_merged(&data.attendance);
        let survivors = participants::store::survivors(&mut *conn, &unread).await?;
        batch::not_merged(unread.into_iter().filter(|id| !survivors.contains_key(id)));
        for id in &mut data.attendance {
            if let Some(survivor) = survivors.get(id) {
                *id = survivor.clone();
            }
        }
        let codes = std::mem::take(&mut data.attendance_codes);
        let found = participants::store::ids_by_code(&mut *conn, &codes).await?;
        let unknown: Vec<String> = codes
            .iter()
            .filter(|c| !found.contains_key(*c))
            .map(|c| code::display(c))
            .collect();
        if !unknown.is_empty() {
            check.fail(
                "attendance_codes",
                Refusal::new(RefusalCode::UnknownCodes).values(unknown),
            );
        }
        data.by_code = found.into_values().collect();
        data.attendance.extend(data.by_code.iter().cloned());
        // One person named twice (by id and by code, or by two ids merged
        // since) is present once.
        data.attendance.sort();
        data.attendance.dedup();
        if data.attendance.len() > MAX_ATTENDANCE {
            check.fail(
                "attendance",
                Refusal::new(RefusalCode::TooManyPeople).max(MAX_ATTENDANCE as i64),
            );
        }
        Ok(data)
    }

    async fn check(
        conn: &mut AnyConnection,
        actor: &Actor,
        _id: &str,
        data: &RecordData,
        check: &mut Checker,
    ) -> Result<(), sqlx::Error> {
        // The site, type and month recur in every record of a batch: each
        // is read once per batch.
        let writable = recalled(
            format!("site {} writable", data.site_id),
            access::store::site_writable(&mut *conn, &actor.scope, data.site_id),
        )
        .await?;
        if !writable {
            check.fail("site_id", RefusalCode::OutsideScope);
        }
        let type_fits = recalled(
            format!("type {} is {}", data.activity_type_id, data.kind.as_str()),
            async {
                let kind = activity_types::store::active_kind(&mut *conn, data.activity_type_id);
                Ok(kind.await? == Some(data.kind))
            },
        )
        .await?;
        if !type_fits {
            check.fail("activity_type_id", RefusalCode::WrongActivityType);
        }
        if let Some(group_id) = &data.group_id {
            let place = match batch::group(group_id) {
                Some(place) => Some(place),
                None => groups::store::live_place(&mut *conn, group_id).await?,
            };
            if let Some(place) = &place {
                batch::group_read(group_id, place);
            }
            match place {
                None => check.fail("group_id", RefusalCode::UnknownGroup),
                Some(g) if g.site_id != data.site_id => {
                    check.fail("group_id", RefusalCode::GroupOfAnotherSite)
                }
                Some(g) if g.activity_type_id != data.activity_type_id => {
                    check.fail("activity_type_id", RefusalCode::TypeDiffersFromGroup)
                }
                Some(_) => {}
            }
        }
        if let Some(month) = data.date.get(..7) {
            let locked = recalled(
                format!("month {month} of site {} locked", data.site_id),
                store::month_locked(&mut *conn, data.site_id, month),
            )
            .await?;
            if locked {
                check.fail("date", locked_refusal(month));
            }
        }
        let unread = batch::maybe_inactive(&data.facilitator_ids);
        let mut facilitators = Checker::new();
        users::store::check_active_users(&mut *conn, "facilitator_ids", &unread, &mut facilitators)
            .await?;
        if facilitators.is_ok() {
            batch::active(&unread);
        }
        absorb(check, facilitators);
        // Anyone in the programme may be recorded by the code on her card;
        // an id must be one the recorder's sites know.
        let by_id: Vec<String> = data
            .attendance
            .iter()
            .filter(|id| !data.by_code.contains(id))
            .cloned()
            .collect();
        let unread = batch::maybe_unknown(&by_id);
        if !unread.is_empty() {
            // Someone recorded by her code in an earlier record of the
            // batch is known through its attendance: it must be written.
            batch::write_children(&mut *conn).await?;
        }
        let mut people = Checker::new();
        participants::store::check_in_scope(
            &mut *conn,
            &actor.scope,
            "attendance",
            &unread,
            &mut people,
        )
        .await?;
        if people.is_ok() {
            batch::known(&unread);
        }
        absorb(check, people);
        Ok(())
    }

    async fn write(
        conn: &mut AnyConnection,
        id: &str,
        stored: Option<&StoredRecord>,
        change: Write<'_, RecordData>,
        meta: &WriteMeta,
    ) -> Result<Written, sqlx::Error> {
        let change = match change {
            Write::Save { data, payload } => Change::Save { data, payload },
            Write::Delete => Change::Delete,
        };
        write::write(conn, id, stored, change, meta).await
    }
}

/// Adds the reasons `part` found to `check`.
fn absorb(check: &mut Checker, part: Checker) {
    for (field, reason) in part.into_errors() {
        check.fail(&field, reason);
    }
}

/// Whether `data` is the CFS day `stored` is: same kind, site and date.
fn same_cfs_day(stored: &StoredRecord, data: &RecordData) -> bool {
    stored.kind == ActivityKind::CfsDay.as_str()
        && data.kind == ActivityKind::CfsDay
        && stored.head.site_id == data.site_id
        && stored.occurred_on == data.date
}
