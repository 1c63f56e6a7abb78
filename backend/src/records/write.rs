//! The one write path of a record. A push (new, edit, deletion) and a
//! coordinator's review both come through [`write`], which spells each
//! write-side rule once, in this order, inside the caller's transaction
//! (started by [`crate::changes::store::begin`] or, for a push,
//! [`crate::changes::store::begin_push`]: no other writer of this record
//! runs beside it):
//!
//! 1. a record in a locked month stays as reviewed;
//! 2. its old contribution leaves the rollups;
//! 3. its rows change (in a push, a new record's children are written with
//!    the batch's, before anything reads them);
//! 4. its new contribution enters the rollups;
//! 5. the change feed tells its recorder's phone.

use sqlx::AnyConnection;

use super::batch;
use super::model::{locked_refusal, RecordData, Review};
use super::store::{self, StoredRecord};
use crate::changes::item::{WriteMeta, Written};
use crate::changes::{self, Entity};
use crate::participants;
use crate::refusal::{one, Refusal};
use crate::rollups::{self, Contribution, Sign};

/// What happens to the record.
pub enum Change<'a> {
    /// New content (version 1 when nothing is stored, else the next version).
    Save {
        data: &'a RecordData,
        payload: &'a str,
    },
    /// A soft deletion.
    Delete,
    /// A coordinator's review: the content and version stay.
    Review(&'a Review),
}

/// Writes `change` to record `id`, stored as `stored` (read once by the caller).
pub async fn write(
    conn: &mut AnyConnection,
    id: &str,
    stored: Option<&StoredRecord>,
    change: Change<'_>,
    meta: &WriteMeta,
) -> Result<Written, sqlx::Error> {
    if let Some(old) = stored {
        if let Some(reason) = lock_refusal(&mut *conn, old.head.site_id, &old.occurred_on).await? {
            return Ok(Written::Refused(one("date", reason)));
        }
        if !old.head.deleted {
            // The batch's deferred additions go in first: this record's
            // own may be among them.
            batch::settle(&mut *conn).await?;
            let contribution = old.contribution(&old.review_status);
            rollups::store::contribute(&mut *conn, id, &contribution, Sign::Remove).await?;
        }
    }
    let Some(after) = change_rows(&mut *conn, id, stored, &change, meta).await? else {
        return Ok(Written::Lost);
    };
    if let Some(contribution) = &after.contribution {
        // In a push, the additions of the batch's records are made
        // together ([`batch::settle`]): the same sums, far fewer statements.
        if !batch::defer_addition(id) {
            rollups::store::contribute(&mut *conn, id, contribution, Sign::Add).await?;
        }
        // People of other sites present here reach this site's phones,
        // minimally; a push's records mostly name the people its first
        // record already settled there.
        let present = match &change {
            Change::Save { data, .. } => Some(data.attendance.as_slice()),
            Change::Delete | Change::Review(_) => None,
        };
        if !present.is_some_and(|p| batch::visits_settled(p, after.site_id)) {
            // The visitors are read from the record's attendance.
            batch::write_children(&mut *conn).await?;
            participants::sync::announce_visitors(&mut *conn, id, after.site_id).await?;
            if let Some(present) = present {
                batch::visits_announced(present, after.site_id);
            }
        }
    }
    // Records travel back only to their recorder's phone.
    if !batch::defer_touch(id, after.site_id, after.owner) {
        changes::store::touch(
            conn,
            Entity::Record,
            id,
            Some(after.site_id),
            Some(after.owner),
        )
        .await?;
    }
    Ok(Written::Stored {
        version: after.version,
    })
}

/// The record as it stands once its rows changed.
struct After {
    version: i64,
    site_id: i64,
    owner: i64,
    /// `None`: deleted, so it contributes nothing.
    contribution: Option<Contribution>,
}

/// Changes the record's rows; `None` when another writer got there first.
async fn change_rows(
    conn: &mut AnyConnection,
    id: &str,
    stored: Option<&StoredRecord>,
    change: &Change<'_>,
    meta: &WriteMeta,
) -> Result<Option<After>, sqlx::Error> {
    let owner = stored.map_or(meta.actor_id, |s| s.head.owner);
    match (change, stored) {
        (Change::Save { data, payload }, _) => {
            let written = match stored {
                None => {
                    let inserted = store::insert(&mut *conn, id, data, payload, meta).await?;
                    // In a push, the children of its new records are
                    // written together ([`batch::settle`]).
                    if inserted && !batch::defer_children(id, data) {
                        store::write_children(conn, id, data).await?;
                    }
                    inserted
                }
                Some(old) => store::update(conn, id, old.head.version, data, payload, meta).await?,
            };
            // New and edited records are "submitted": not flagged.
            Ok(written.then(|| After {
                version: stored.map_or(1, |s| s.head.version + 1),
                site_id: data.site_id,
                owner,
                contribution: Some(contribution_of(data)),
            }))
        }
        (Change::Delete, Some(old)) => {
            let written = changes::store::soft_delete(
                conn,
                "activity_records",
                id,
                old.head.version,
                meta.now_ms,
            )
            .await?;
            Ok(written.then(|| After {
                version: old.head.version + 1,
                site_id: old.head.site_id,
                owner,
                contribution: None,
            }))
        }
        (Change::Review(review), Some(old)) => {
            let written =
                store::set_review(conn, id, &review.status, review.comment.as_deref()).await?;
            Ok(written.then(|| After {
                version: old.head.version,
                site_id: old.head.site_id,
                owner,
                contribution: (!old.head.deleted).then(|| old.contribution(&review.status)),
            }))
        }
        (Change::Delete | Change::Review(_), None) => Ok(None),
    }
}

/// Where and how new content counts (it is "submitted", so not flagged).
fn contribution_of(data: &RecordData) -> Contribution {
    Contribution {
        site_id: data.site_id,
        activity_type_id: data.activity_type_id,
        day: data.date.clone(),
        minutes: data.duration_minutes,
        tally_disabled: data.tally_disabled,
        flagged: false,
    }
}

/// Why a record dated `date` at `site_id` may not change, if its month is
/// locked: the month lock rule, for the record as stored and for new content.
pub async fn lock_refusal(
    conn: &mut AnyConnection,
    site_id: i64,
    date: &str,
) -> Result<Option<Refusal>, sqlx::Error> {
    let Some(month) = date.get(..7) else {
        return Ok(None);
    };
    Ok(store::month_locked(conn, site_id, month)
        .await?
        .then(|| locked_refusal(month)))
}
