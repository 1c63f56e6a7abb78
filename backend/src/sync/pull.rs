//! What a phone pulls: every change in its user's scope since its cursor,
//! in server order, a page at a time.
//!
//! The cursor is opaque to phones: `<seq>.<scope>`, the last clock value
//! they hold and a fingerprint of the scope it was computed for. When the
//! user's sites or role change, the fingerprint no longer matches and the
//! phone is told to start again from nothing (`reset`), so it both learns
//! the older things of a new site and forgets those of a site it lost.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::AnyConnection;

use super::model::{Change, Page, Review};
use crate::access::{self, Role, SiteScope};
use crate::changes::{self, Entity};
use crate::participants::model::{parse_visitor_id, visitor_id};
use crate::store::Db;
use crate::{activity_types, directory, participants, records, referrals, sites};

/// Who is pulling, and what their phone is told to keep.
pub struct Puller {
    pub user_id: i64,
    pub role: Role,
    pub scope: SiteScope,
    /// Days a phone keeps what it sent, to offer it again after a restore.
    pub keep_sent_days: u32,
    /// When an unanswered referral is overdue (the referrer's phone shows it).
    pub referral_overdue_days: i64,
}

/// A fingerprint of what `puller` may see (FNV-1a over role and site ids):
/// stable across instances and versions, unlike std's hasher.
async fn scope_fingerprint(
    conn: &mut AnyConnection,
    puller: &Puller,
) -> Result<String, sqlx::Error> {
    let sites: Vec<i64> = if puller.scope.all_sites {
        vec![-1]
    } else {
        access::store::site_ids_of(conn, puller.user_id).await?
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let text = format!(
        "{}:{}",
        puller.role.as_str(),
        sites
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    for b in text.bytes() {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("{hash:016x}"))
}

/// A cursor as phones send it back: `<seq>.<scope>.<epoch>` (cursors made
/// before the epoch existed have no third part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor<'a> {
    seq: i64,
    scope: &'a str,
    epoch: Option<&'a str>,
}

fn parse_cursor(cursor: &str) -> Option<Cursor<'_>> {
    let mut parts = cursor.split('.');
    let seq = parts.next()?.parse().ok().filter(|s: &i64| *s >= 0)?;
    let scope = parts.next()?;
    let epoch = parts.next();
    parts
        .next()
        .is_none()
        .then_some(Cursor { seq, scope, epoch })
}

/// Where a page starts, and what the phone must be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Start {
    after: i64,
    /// Drop what was pulled before; this page starts from nothing.
    reset: bool,
    /// The database went back in time (restored from a backup): offer
    /// again what was sent recently.
    restored: bool,
}

/// Decides where to start from the phone's cursor and the server's state
/// now: its scope fingerprint, its epoch and its clock.
fn start(cursor: Option<&str>, fingerprint: &str, epoch: &str, clock: i64) -> Start {
    let from = |reset, restored| Start {
        after: 0,
        reset,
        restored,
    };
    let Some(text) = cursor else {
        return from(false, false);
    };
    let Some(c) = parse_cursor(text) else {
        return from(true, false);
    };
    // Another epoch, or a cursor ahead of the clock: this is an older copy.
    if c.epoch.is_some_and(|e| e != epoch) || c.seq > clock {
        return from(true, true);
    }
    if c.scope != fingerprint {
        return from(true, false);
    }
    Start {
        after: c.seq,
        reset: false,
        restored: false,
    }
}

/// One page of changes after `cursor` (`None`: from the beginning).
pub async fn pull(
    db: &Db,
    puller: &Puller,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page, sqlx::Error> {
    let mut tx = db.begin_read().await?;
    let fingerprint = scope_fingerprint(&mut tx, puller).await?;
    let epoch = changes::store::epoch(&mut tx).await?;
    let clock = changes::store::clock(&mut tx).await?;
    let Start {
        after,
        reset,
        restored,
    } = start(cursor, &fingerprint, &epoch, clock);
    let rows = changes::store::after(
        &mut tx,
        &puller.scope,
        visible_entities(puller.role),
        after,
        limit,
    )
    .await?;
    let more = rows.len() as i64 == limit;
    let last = rows.last().map(|r| r.seq).unwrap_or(after);

    let mut by_entity: HashMap<&str, Vec<String>> = HashMap::new();
    for row in rows.iter().filter(|r| !r.departed) {
        by_entity
            .entry(row.entity.as_str())
            .or_default()
            .push(row.entity_id.clone());
    }
    let mut loaded: HashMap<(String, String), Change> = HashMap::new();
    for (entity, ids) in by_entity {
        for change in load(&mut tx, puller, entity, &ids).await? {
            loaded.insert((change.entity.clone(), change.id.clone()), change);
        }
    }
    tx.commit().await?;
    // In feed order: a departure drops the thing from the phone; a change
    // brings it as it stands now.
    let changes = rows
        .into_iter()
        .filter_map(|row| {
            if row.departed {
                Some(departure(row.entity, row.entity_id))
            } else {
                loaded.get(&(row.entity, row.entity_id)).cloned()
            }
        })
        .collect();
    Ok(Page {
        changes,
        cursor: format!("{last}.{fingerprint}.{epoch}"),
        more,
        reset,
        restored,
        keep_sent_days: puller.keep_sent_days,
    })
}

/// What each role pulls: mobilisers count heads, so they never hold
/// participants or rosters.
fn visible_entities(role: Role) -> &'static [Entity] {
    if role == Role::Mobiliser {
        &[
            Entity::Site,
            Entity::ActivityType,
            Entity::Record,
            Entity::Lock,
        ]
    } else {
        &Entity::ALL
    }
}

/// The changes of one `entity` with these ids, as phones receive them.
async fn load(
    conn: &mut AnyConnection,
    puller: &Puller,
    entity: &str,
    ids: &[String],
) -> Result<Vec<Change>, sqlx::Error> {
    let numeric: Vec<i64> = ids.iter().filter_map(|i| i.parse().ok()).collect();
    Ok(match Entity::parse(entity) {
        Some(Entity::Site) => sites::store::sites_by_ids(conn, &numeric)
            .await?
            .into_iter()
            .map(|s| reference(Entity::Site, s.id, &s))
            .collect(),
        Some(Entity::ActivityType) => activity_types::store::by_ids(conn, &numeric)
            .await?
            .into_iter()
            .map(|t| reference(Entity::ActivityType, t.id, &t))
            .collect(),
        Some(Entity::Participant) => {
            // A participant merged into another arrives deleted, naming the survivor.
            let survivors = participants::store::survivors(&mut *conn, ids).await?;
            changes::store::versioned(conn, "participants", ids)
                .await?
                .into_iter()
                .map(|v| Change {
                    merged_into: survivors.get(&v.id).cloned(),
                    ..versioned(Entity::Participant, v.id, v.version, v.deleted, &v.payload)
                })
                .collect()
        }
        Some(Entity::Group) => changes::store::versioned(conn, "activity_groups", ids)
            .await?
            .into_iter()
            .map(|v| versioned(Entity::Group, v.id, v.version, v.deleted, &v.payload))
            .collect(),
        Some(Entity::Record) => records::store::pulled(conn, ids)
            .await?
            .into_iter()
            .map(|r| Change {
                review: Some(Review {
                    status: r.review_status,
                    comment: r.review_comment,
                }),
                ..versioned(Entity::Record, r.id, r.version, r.deleted, &r.payload)
            })
            .collect(),
        Some(Entity::Visitor) => visitors(conn, ids).await?,
        Some(Entity::Service) => directory::store::pulled(conn, &puller.scope, &numeric)
            .await?
            .into_iter()
            .map(|p| {
                let service = directory::model::Service::from(p.service);
                if service.active && p.concerns {
                    reference(Entity::Service, service.id, &service)
                } else {
                    departure(Entity::Service.as_str().into(), service.id.to_string())
                }
            })
            .collect(),
        Some(Entity::Referral) => {
            let today = crate::validate::dates::today();
            referrals::store::pulled(conn, ids)
                .await?
                .into_iter()
                .map(|r| {
                    let (id, version) = (r.id.clone(), r.version);
                    let view = r.view(today, puller.referral_overdue_days, None);
                    Change {
                        version: Some(version),
                        ..reference_by(Entity::Referral, id, &view)
                    }
                })
                .collect()
        }
        Some(Entity::Lock) => {
            // A lock that no longer stands was undone: a deletion for the phone.
            let standing = records::store::locks_by_keys(conn, ids).await?;
            ids.iter()
                .map(|key| {
                    let lock = standing
                        .iter()
                        .find(|l| records::store::lock_key(l.site_id, &l.month) == *key);
                    match lock {
                        Some(l) => Change {
                            entity: Entity::Lock.as_str().into(),
                            id: key.clone(),
                            version: None,
                            deleted: false,
                            data: serde_json::to_value(l).ok(),
                            review: None,
                            merged_into: None,
                        },
                        None => departure(Entity::Lock.as_str().into(), key.clone()),
                    }
                })
                .collect()
        }
        None => vec![],
    })
}

/// Visitors (`<participant>@<site>`) as the visited site's phones receive
/// them: her minimal form and the site, or a deletion when she was deleted,
/// or the survivor's id when she was merged into another participant.
async fn visitors(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Change>, sqlx::Error> {
    let wanted: Vec<(&str, i64)> = ids.iter().filter_map(|v| parse_visitor_id(v)).collect();
    let people: Vec<String> = wanted.iter().map(|(p, _)| p.to_string()).collect();
    let rows = participants::store::minimal(conn, &people).await?;
    let by_id: HashMap<&str, &participants::store::MinimalRow> =
        rows.iter().map(|r| (r.id.as_str(), r)).collect();
    Ok(wanted
        .into_iter()
        .filter_map(|(participant, site_id)| {
            let row = by_id.get(participant)?;
            let mut data = serde_json::to_value(row.shown()).ok()?;
            data["participant_id"] = data["id"].take();
            if let Some(map) = data.as_object_mut() {
                map.remove("id");
            }
            data["site_id"] = site_id.into();
            let deleted = row.deleted && row.merged_into.is_none();
            Some(Change {
                entity: Entity::Visitor.as_str().into(),
                id: visitor_id(participant, site_id),
                version: Some(row.version),
                deleted,
                data: (!deleted).then_some(data),
                review: None,
                merged_into: row.merged_into.clone(),
            })
        })
        .collect())
}

/// Reference data (a site, an activity type): the server's view, unversioned.
fn reference(entity: Entity, id: i64, data: &impl serde::Serialize) -> Change {
    reference_by(entity, id.to_string(), data)
}

/// The server's view of something known by a text id.
fn reference_by(entity: Entity, id: String, data: &impl serde::Serialize) -> Change {
    Change {
        entity: entity.as_str().into(),
        id,
        version: None,
        deleted: false,
        data: serde_json::to_value(data).ok(),
        review: None,
        merged_into: None,
    }
}

/// A thing that left one of the puller's sites: for this phone, deleted.
fn departure(entity: String, id: String) -> Change {
    Change {
        entity,
        id,
        version: None,
        deleted: true,
        data: None,
        review: None,
        merged_into: None,
    }
}

/// Something phones make: its version, and its content unless deleted.
fn versioned(entity: Entity, id: String, version: i64, deleted: bool, payload: &str) -> Change {
    Change {
        entity: entity.as_str().into(),
        id,
        version: Some(version),
        deleted,
        data: (!deleted).then(|| parse(payload)),
        review: None,
        merged_into: None,
    }
}

fn parse(payload: &str) -> Value {
    serde_json::from_str(payload).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_or_are_refused() {
        let c = parse_cursor("42.abc.e1").unwrap();
        assert_eq!((c.seq, c.scope, c.epoch), (42, "abc", Some("e1")));
        assert_eq!(parse_cursor("42.abc").unwrap().epoch, None);
        assert_eq!(parse_cursor("-1.abc"), None);
        assert_eq!(parse_cursor("nonsense"), None);
        assert_eq!(parse_cursor("1.a.b.c"), None);
    }

    #[test]
    fn a_page_follows_on_unless_the_scope_or_the_database_changed() {
        let go_on = start(Some("40.fp.e1"), "fp", "e1", 50);
        assert_eq!(
            go_on,
            Start {
                after: 40,
                reset: false,
                restored: false
            }
        );
        assert_eq!(
            start(None, "fp", "e1", 50),
            Start {
                after: 0,
                reset: false,
                restored: false
            }
        );
        assert_eq!(
            start(Some("junk"), "fp", "e1", 50),
            Start {
                after: 0,
                reset: true,
                restored: false
            }
        );
        let new_scope = start(Some("40.other.e1"), "fp", "e1", 50);
        assert_eq!(
            new_scope,
            Start {
                after: 0,
                reset: true,
                restored: false
            }
        );
    }

    #[test]
    fn a_restored_database_is_told_by_its_epoch_or_by_a_cursor_ahead_of_its_clock() {
        assert_eq!(
            start(Some("40.fp.e0"), "fp", "e1", 50),
            Start {
                after: 0,
                reset: true,
                restored: true
            }
        );
        assert_eq!(
            start(Some("90.fp"), "fp", "e1", 50),
            Start {
                after: 0,
                reset: true,
                restored: true
            }
        );
        // A cursor from before the epoch existed follows on.
        assert_eq!(start(Some("40.fp"), "fp", "e1", 50).after, 40);
    }
}
