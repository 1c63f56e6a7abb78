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
use crate::store::Db;
use crate::{activity_types, records, sites};

/// Who is pulling.
pub struct Puller {
    pub user_id: i64,
    pub role: Role,
    pub scope: SiteScope,
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

fn parse_cursor(cursor: Option<&str>) -> Option<(i64, &str)> {
    let (seq, scope) = cursor?.split_once('.')?;
    Some((seq.parse().ok().filter(|s: &i64| *s >= 0)?, scope))
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
    let (after, reset) = match parse_cursor(cursor) {
        Some((seq, scope)) if scope == fingerprint => (seq, false),
        Some(_) => (0, true),
        None => (0, cursor.is_some()),
    };
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
    for row in &rows {
        by_entity
            .entry(row.entity.as_str())
            .or_default()
            .push(row.entity_id.clone());
    }
    let mut loaded: HashMap<(String, String), Change> = HashMap::new();
    for (entity, ids) in by_entity {
        for change in load(&mut tx, entity, &ids).await? {
            loaded.insert((change.entity.clone(), change.id.clone()), change);
        }
    }
    tx.commit().await?;
    let changes = rows
        .into_iter()
        .filter_map(|row| loaded.remove(&(row.entity, row.entity_id)))
        .collect();
    Ok(Page {
        changes,
        cursor: format!("{last}.{fingerprint}"),
        more,
        reset,
    })
}

/// What each role pulls: mobilisers count heads, so they never hold
/// participants or rosters.
fn visible_entities(role: Role) -> &'static [Entity] {
    if role == Role::Mobiliser {
        &[Entity::Site, Entity::ActivityType, Entity::Record]
    } else {
        &Entity::ALL
    }
}

/// The changes of one `entity` with these ids, as phones receive them.
async fn load(
    conn: &mut AnyConnection,
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
        Some(e @ (Entity::Participant | Entity::Group)) => {
            let table = if e == Entity::Participant {
                "participants"
            } else {
                "activity_groups"
            };
            changes::store::versioned(conn, table, ids)
                .await?
                .into_iter()
                .map(|v| versioned(e, v.id, v.version, v.deleted, &v.payload))
                .collect()
        }
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
        None => vec![],
    })
}

/// Reference data (a site, an activity type): the server's view, unversioned.
fn reference(entity: Entity, id: i64, data: &impl serde::Serialize) -> Change {
    Change {
        entity: entity.as_str().into(),
        id: id.to_string(),
        version: None,
        deleted: false,
        data: serde_json::to_value(data).ok(),
        review: None,
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
    }
}

fn parse(payload: &str) -> Value {
    serde_json::from_str(payload).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursors_parse_or_are_refused() {
        assert_eq!(parse_cursor(Some("42.abc")), Some((42, "abc")));
        assert_eq!(parse_cursor(Some("-1.abc")), None);
        assert_eq!(parse_cursor(Some("nonsense")), None);
        assert_eq!(parse_cursor(None), None);
    }
}
