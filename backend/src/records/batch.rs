//! What a pushed batch of records learns once and every record of it
//! would otherwise read again: most records of a push share a roster, a
//! group and facilitators, so checking each afresh was most of a push's
//! round trips to the database.
//!
//! Each fact kept here holds for the rest of the batch's transaction once
//! read, so keeping it changes no answer:
//!
//! - a participant not merged away stays so: a merge takes the writers'
//!   lock whole ([`crate::changes::store::begin`]) and never runs beside a
//!   push;
//! - a participant the pusher's sites know stays known: the items that
//!   could change that (participants) are applied before any record of the
//!   batch, and a record only adds to what the sites know;
//! - a live group stays where it is: groups are applied before records too;
//! - an active facilitator is taken as active for the rest of the batch,
//!   as its site's being open is ([`crate::changes::item::recalled`]): an
//!   account closed while a batch runs is closed after it;
//! - a participant registered at the record's site, or already announced
//!   there as a visitor, needs no announcement (announcements are never
//!   taken back);
//! - an id the batch found free before its first record stays free until a
//!   record of the batch takes it, so it is handed out once (a second item
//!   with the same id reads the database).
//!
//! Outside a push (a review), nothing is kept and everything is read.
//!
//! The batch also gathers its new records' children (facilitators,
//! attendance, head counts) and what its records add to the rollups and to
//! the change feed, and writes them at once ([`settle`]): at the end of the
//! batch, and before anything of the batch takes a contribution out (an
//! edit or a deletion of a record, which may be one of the batch's own).
//! The children are also written before anything of the batch reads them
//! ([`write_children`]): a record's visitors, and the people its sites
//! know (someone recorded by her code is known through that attendance).
//! Nothing in a push reads the feed, and the feed values of one
//! transaction become visible together at its commit, so a record's feed
//! entry written at the end of its batch is the one written beside it. An
//! item dropped by its savepoint takes what it gathered with it
//! ([`undo_to`]).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::Future;

use sqlx::AnyConnection;

use super::model::RecordData;
use super::store::{self, Children};
use crate::changes::{self, Entity};
use crate::groups::store::GroupPlace;
use crate::rollups;

/// What the batch has learnt so far.
#[derive(Default)]
struct Memo {
    free_ids: HashSet<String>,
    plain_participants: HashSet<String>,
    known_participants: HashSet<String>,
    groups: HashMap<String, (i64, i64)>,
    active_users: HashSet<i64>,
    /// `(participant, site)`: no visitor announcement is due.
    settled_visits: HashSet<(String, i64)>,
    /// Records whose contribution is to be added: `additions[..settled]`
    /// are in the rollups, the rest wait for [`settle`].
    additions: Vec<String>,
    settled: usize,
    /// Records changed, for the change feed: (id, site, recorder); as
    /// `additions`, `touches[..touched]` are written.
    touches: Vec<(String, Option<i64>, Option<i64>)>,
    touched: usize,
    /// New records' children to write: as `additions`,
    /// `children[..children_written]` are written.
    children: Vec<Children>,
    children_written: usize,
}

tokio::task_local! {
    static BATCH: RefCell<Memo>;
}

/// Runs one attempt at a batch whose record ids `free_ids` were found free
/// at its start. A retried batch starts over with a new memo: what a
/// cancelled attempt learnt may have been its own doing.
pub async fn in_batch<F: Future>(free_ids: HashSet<String>, attempt: F) -> F::Output {
    let memo = Memo {
        free_ids,
        ..Memo::default()
    };
    BATCH.scope(RefCell::new(memo), attempt).await
}

fn with<T>(f: impl FnOnce(&mut Memo) -> T) -> Option<T> {
    BATCH.try_with(|memo| f(&mut memo.borrow_mut())).ok()
}

/// Whether record `id` is known to be free (new): true once per id.
pub fn take_free(id: &str) -> bool {
    with(|m| m.free_ids.remove(id)).unwrap_or(false)
}

/// Of `ids`, those not yet known as not merged away.
pub fn maybe_merged(ids: &[String]) -> Vec<String> {
    let unknown = |m: &mut Memo| {
        ids.iter()
            .filter(|id| !m.plain_participants.contains(*id))
            .cloned()
            .collect()
    };
    with(unknown).unwrap_or_else(|| ids.to_vec())
}

/// `ids` were read and are not merged away.
pub fn not_merged(ids: impl IntoIterator<Item = String>) {
    with(|m| m.plain_participants.extend(ids));
}

/// Of `ids`, those not yet known to the pusher's sites.
pub fn maybe_unknown(ids: &[String]) -> Vec<String> {
    let unknown = |m: &mut Memo| {
        ids.iter()
            .filter(|id| !m.known_participants.contains(*id))
            .cloned()
            .collect()
    };
    with(unknown).unwrap_or_else(|| ids.to_vec())
}

/// `ids` are known to the pusher's sites.
pub fn known(ids: &[String]) {
    with(|m| m.known_participants.extend(ids.iter().cloned()));
}

/// Group `id`'s place, when a record of the batch already read it.
pub fn group(id: &str) -> Option<GroupPlace> {
    with(|m| m.groups.get(id).copied())
        .flatten()
        .map(|(site_id, activity_type_id)| GroupPlace {
            site_id,
            activity_type_id,
        })
}

pub fn group_read(id: &str, place: &GroupPlace) {
    with(|m| {
        m.groups
            .insert(id.to_string(), (place.site_id, place.activity_type_id))
    });
}

/// Of `ids`, the facilitators not yet known as active.
pub fn maybe_inactive(ids: &[i64]) -> Vec<i64> {
    with(|m| {
        ids.iter()
            .filter(|id| !m.active_users.contains(*id))
            .copied()
            .collect()
    })
    .unwrap_or_else(|| ids.to_vec())
}

pub fn active(ids: &[i64]) {
    with(|m| m.active_users.extend(ids.iter().copied()));
}

/// Whether every one of `attendance` is settled at `site_id` (registered
/// there, or announced there as a visitor): no announcement can be due.
pub fn visits_settled(attendance: &[String], site_id: i64) -> bool {
    with(|m| {
        attendance
            .iter()
            .all(|id| m.settled_visits.contains(&(id.clone(), site_id)))
    })
    .unwrap_or(false)
}

/// Every one of `attendance` is now settled at `site_id`.
pub fn visits_announced(attendance: &[String], site_id: i64) {
    with(|m| {
        m.settled_visits
            .extend(attendance.iter().map(|id| (id.clone(), site_id)))
    });
}

/// Whether the addition of record `id`'s contribution (as its rows now
/// stand) is left to [`settle`]: in a push, yes; outside one, the caller
/// adds it at once.
pub fn defer_addition(id: &str) -> bool {
    with(|m| m.additions.push(id.to_string())).is_some()
}

/// Whether record `id`'s entry in the change feed (visible to `site_id`,
/// travelling to `owner` only) is left to [`settle`]: in a push, yes.
pub fn defer_touch(id: &str, site_id: i64, owner: i64) -> bool {
    with(|m| m.touches.push((id.to_string(), Some(site_id), Some(owner)))).is_some()
}

/// Whether new record `id`'s children (facilitators, attendance, head
/// counts) are left to [`write_children`]: in a push, yes.
pub fn defer_children(id: &str, d: &RecordData) -> bool {
    with(|m| m.children.push(Children::of(id, d))).is_some()
}

/// Writes the children gathered so far, all at once: before anything of
/// the batch reads a record's children, and by [`settle`].
pub async fn write_children(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let Some((children, upto)) =
        with(|m| (m.children[m.children_written..].to_vec(), m.children.len()))
    else {
        return Ok(());
    };
    if children.is_empty() {
        return Ok(());
    }
    store::write_children_of(conn, &children).await?;
    with(|m| m.children_written = upto);
    Ok(())
}

/// Writes what the batch gathered so far: the new records' children, the
/// contributions to the rollups, then the change feed's entries, all at
/// once.
pub async fn settle(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    write_children(&mut *conn).await?;
    let Some((ids, touches, upto)) = with(|m| {
        (
            m.additions[m.settled..].to_vec(),
            m.touches[m.touched..].to_vec(),
            (m.additions.len(), m.touches.len()),
        )
    }) else {
        return Ok(());
    };
    rollups::store::add_many(&mut *conn, &ids).await?;
    changes::store::touch_many(conn, Entity::Record, &touches).await?;
    with(|m| (m.settled, m.touched) = upto);
    Ok(())
}

/// Where the gathered writes stood before an item's savepoint.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    additions: usize,
    settled: usize,
    touches: usize,
    touched: usize,
    children: usize,
    children_written: usize,
}

pub fn mark() -> Option<Mark> {
    with(|m| Mark {
        additions: m.additions.len(),
        settled: m.settled,
        touches: m.touches.len(),
        touched: m.touched,
        children: m.children.len(),
        children_written: m.children_written,
    })
}

/// The item's savepoint was rolled back: what it gathered is gone, and
/// what was written inside it (the savepoint undid it) waits again.
pub fn undo_to(mark: Option<Mark>) {
    if let Some(mark) = mark {
        with(|m| {
            m.additions.truncate(mark.additions);
            m.settled = mark.settled;
            m.touches.truncate(mark.touches);
            m.touched = mark.touched;
            m.children.truncate(mark.children);
            m.children_written = mark.children_written;
        });
    }
}
