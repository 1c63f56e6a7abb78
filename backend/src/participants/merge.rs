//! Two registrations of one person made one. A coordinator with both sites
//! in scope (or an admin) keeps one participant and merges the other into
//! it, in one transaction that excludes every other writer:
//!
//! 1. every record where the merged-away person was present names the
//!    survivor instead (present once, if both were ticked), its old
//!    contribution leaving the rollups and its new one entering them, as
//!    the record's own write path does;
//! 2. every roster naming her names the survivor (the earlier joining
//!    date, and still a member if either was);
//! 3. she becomes an alias of the survivor for ever: deleted, her code
//!    kept (a card, or an outbox item queued offline against her id or
//!    code, lands on the survivor: see `Records::resolve`);
//! 4. the phones hear of it through the change feed: her registration
//!    arrives deleted with `merged_into`, the records and rosters with the
//!    survivor's id, the sites she visited with the merge of the visitor;
//! 5. the audit log says who merged which two, when, and what moved.
//!
//! Records and rosters keep their version: their recorder's content did not
//! change but for whom it names, so an edit queued against the version the
//! phone holds is still accepted (and resolved to the survivor). A merge
//! also corrects records in locked months: a lock protects what was
//! recorded, and identity is not part of it.

use sqlx::AnyConnection;

use super::model::{visitor_id, MergeBody, Merged};
use super::store::{self, MergeSide};
use super::sync::{announce_visitors, reannounce_visitor};
use crate::access::SiteScope;
use crate::changes::{self, Entity};
use crate::groups::model::{GroupData, Member};
use crate::records::model::RecordData;
use crate::rollups::{self, Sign};
use crate::{groups, records};

/// Why a merge cannot happen.
pub enum Refusal {
    /// One of the two is not a live participant in the caller's scope.
    NotFound,
    /// What was asked makes no sense (one person merged into herself).
    Invalid(&'static str, &'static str),
}

/// Merges `body.merge` into `body.keep`, both live in `scope`.
pub async fn merge(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    body: &MergeBody,
    now_ms: i64,
) -> Result<Result<(Merged, MergeSide, MergeSide), Refusal>, sqlx::Error> {
    let (keep_id, merge_id) = (
        body.keep.trim().to_lowercase(),
        body.merge.trim().to_lowercase(),
    );
    if keep_id == merge_id {
        return Ok(Err(Refusal::Invalid(
            "merge",
            "a participant cannot be merged into herself",
        )));
    }
    let keep = store::live_in_scope(&mut *conn, scope, &keep_id).await?;
    let merge = store::live_in_scope(&mut *conn, scope, &merge_id).await?;
    let (Some(keep), Some(merge)) = (keep, merge) else {
        return Ok(Err(Refusal::NotFound));
    };
    let mut done = Merged {
        keep: keep.id.clone(),
        merge: merge.id.clone(),
        records: 0,
        attendances_moved: 0,
        attendances_joined: 0,
        groups: 0,
    };
    for record_id in records::store::records_of(&mut *conn, &merge.id).await? {
        move_presence(&mut *conn, &record_id, &merge.id, &keep.id, &mut done).await?;
    }
    for group_id in groups::store::groups_of(&mut *conn, &merge.id).await? {
        move_member(&mut *conn, &group_id, &merge.id, &keep.id).await?;
        done.groups += 1;
    }
    store::mark_merged(&mut *conn, &merge.id, &keep.id, now_ms).await?;
    changes::store::touch(
        &mut *conn,
        Entity::Participant,
        &merge.id,
        Some(merge.site_id),
        None,
    )
    .await?;
    reannounce_visitor(&mut *conn, &merge.id).await?;
    if keep.site_id != merge.site_id {
        // The merged-away registration's site now knows her as a visitor.
        let visitor = visitor_id(&keep.id, merge.site_id);
        changes::store::touch(
            &mut *conn,
            Entity::Visitor,
            &visitor,
            Some(merge.site_id),
            None,
        )
        .await?;
    }
    Ok(Ok((done, keep, merge)))
}

/// Record `record_id` names `to` where it named `from`, in its rows, its
/// payload and the rollups.
async fn move_presence(
    conn: &mut AnyConnection,
    record_id: &str,
    from: &str,
    to: &str,
    done: &mut Merged,
) -> Result<(), sqlx::Error> {
    let Some(stored) = records::store::load(&mut *conn, record_id).await? else {
        return Ok(());
    };
    let live = !stored.head.deleted;
    let contribution = stored.contribution(&stored.review_status);
    if live {
        rollups::store::contribute(&mut *conn, record_id, &contribution, Sign::Remove).await?;
    }
    let mut data: RecordData =
        serde_json::from_str(&stored.head.payload).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    if data.attendance.iter().any(|p| p == to) {
        done.attendances_joined += 1;
    } else {
        done.attendances_moved += 1;
    }
    data.attendance = renamed(&data.attendance, from, to);
    let payload = serde_json::to_string(&data).expect("data serialises");
    records::store::replace_attendance(&mut *conn, record_id, &data, &payload).await?;
    if live {
        rollups::store::contribute(&mut *conn, record_id, &contribution, Sign::Add).await?;
        announce_visitors(&mut *conn, record_id, stored.head.site_id).await?;
    }
    changes::store::touch(
        &mut *conn,
        Entity::Record,
        record_id,
        Some(stored.head.site_id),
        Some(stored.head.owner),
    )
    .await?;
    done.records += 1;
    Ok(())
}

/// Group `group_id`'s roster names `to` where it named `from`.
async fn move_member(
    conn: &mut AnyConnection,
    group_id: &str,
    from: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    let Some(head) = groups::store::load(&mut *conn, group_id).await? else {
        return Ok(());
    };
    let mut data: GroupData =
        serde_json::from_str(&head.payload).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    data.members = merged_roster(&data.members, from, to);
    let payload = serde_json::to_string(&data).expect("data serialises");
    groups::store::replace_roster(&mut *conn, group_id, &data, &payload).await?;
    changes::store::touch(
        &mut *conn,
        Entity::Group,
        group_id,
        Some(head.site_id),
        None,
    )
    .await?;
    Ok(())
}

/// `ids` with `from` renamed `to`, each once, in order.
fn renamed(ids: &[String], from: &str, to: &str) -> Vec<String> {
    let mut out: Vec<String> = ids
        .iter()
        .map(|id| {
            if id == from {
                to.to_string()
            } else {
                id.clone()
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A roster with `from` renamed `to`; when both were members, one
/// membership: the earlier joining date, and no leaving date unless both left.
pub fn merged_roster(members: &[Member], from: &str, to: &str) -> Vec<Member> {
    let mut out: Vec<Member> = vec![];
    for m in members {
        let mut m = m.clone();
        if m.participant_id == from {
            m.participant_id = to.to_string();
        }
        match out
            .iter_mut()
            .find(|o| o.participant_id == m.participant_id)
        {
            Some(o) => {
                o.joined_on = o.joined_on.clone().min(m.joined_on);
                o.left_on = match (o.left_on.take(), m.left_on) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            None => out.push(m),
        }
    }
    out.sort_by(|a, b| a.participant_id.cmp(&b.participant_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, joined: &str, left: Option<&str>) -> Member {
        Member {
            participant_id: id.into(),
            joined_on: joined.into(),
            left_on: left.map(str::to_string),
        }
    }

    #[test]
    fn one_person_present_twice_is_present_once() {
        let ids = vec!["a".to_string(), "m".into(), "k".into()];
        assert_eq!(renamed(&ids, "m", "k"), ["a", "k"]);
        assert_eq!(renamed(&["m".to_string()], "m", "k"), ["k"]);
    }

    #[test]
    fn two_memberships_become_the_longer_one() {
        let roster = vec![
            member("k", "2026-02-01", Some("2026-03-01")),
            member("m", "2026-01-10", None),
            member("z", "2026-01-01", None),
        ];
        let merged = merged_roster(&roster, "m", "k");
        assert_eq!(
            merged,
            vec![
                member("k", "2026-01-10", None),
                member("z", "2026-01-01", None)
            ]
        );
    }
}
