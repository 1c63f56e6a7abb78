//! What a phone pulls: every change in its user's scope since its cursor,
//! in server order, a page at a time.
//!
//! The cursor is opaque to phones: `<seq>.<scope>`, the last clock value
//! they hold and a fingerprint of the scope it was computed for. When the
//! user's sites or role change, the fingerprint no longer matches and the
//! phone is told to start again from nothing (`reset`), so it both learns
//! the older things of a new site and forgets those of a site it lost.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use sqlx::AnyConnection;

use super::clock::Entity;
use crate::auth::{Role, SiteScope};
use crate::store::{placeholders, Db};

pub const DEFAULT_PAGE: i64 = 500;
pub const MAX_PAGE: i64 = 1000;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// `site`, `activity_type`, `participant`, `group` or `record`.
    pub entity: String,
    pub id: String,
    /// The item's version (participants, groups, records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub deleted: bool,
    /// The item as the phone knows it; absent when deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub data: Option<Value>,
    /// Records: the review status and the reviewer's comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub status: String,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub changes: Vec<Change>,
    /// Pass it back to get what follows.
    pub cursor: String,
    /// More changes wait: pull again at once.
    pub more: bool,
    /// The phone must drop what it pulled before and apply this page onto nothing.
    pub reset: bool,
}

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
        sqlx::query_scalar("SELECT site_id FROM user_sites WHERE user_id = $1 ORDER BY site_id")
            .bind(puller.user_id)
            .fetch_all(&mut *conn)
            .await?
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
    // Mobilisers count heads; they never hold participants or rosters.
    let entities = if puller.role == Role::Mobiliser {
        "'site', 'activity_type', 'record'"
    } else {
        "'site', 'activity_type', 'participant', 'group', 'record'"
    };
    let sql = format!(
        "SELECT entity, entity_id, seq FROM sync_changes
         WHERE seq > $1 AND entity IN ({entities})
           AND (site_id IS NULL OR {})
           AND (user_id IS NULL OR user_id = $3)
         ORDER BY seq LIMIT $4",
        SiteScope::sql("site_id", 2)
    );
    let (all, uid) = puller.scope.binds();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(&sql)
        .bind(after)
        .bind(all)
        .bind(uid)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    let more = rows.len() as i64 == limit;
    let last = rows.last().map(|r| r.2).unwrap_or(after);

    let mut by_entity: HashMap<&str, Vec<String>> = HashMap::new();
    for (entity, id, _) in &rows {
        by_entity
            .entry(entity.as_str())
            .or_default()
            .push(id.clone());
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
        .filter_map(|(entity, id, _)| loaded.remove(&(entity, id)))
        .collect();
    Ok(Page {
        changes,
        cursor: format!("{last}.{fingerprint}"),
        more,
        reset,
    })
}

async fn load(
    conn: &mut AnyConnection,
    entity: &str,
    ids: &[String],
) -> Result<Vec<Change>, sqlx::Error> {
    let change =
        |entity: Entity, id: String, version: Option<i64>, deleted: bool, data: Option<Value>| {
            Change {
                entity: entity.as_str().into(),
                id,
                version,
                deleted,
                data,
                review: None,
            }
        };
    match Entity::parse(entity) {
        Some(Entity::Site) => {
            let ids: Vec<i64> = ids.iter().filter_map(|i| i.parse().ok()).collect();
            let sites = crate::sites::store::sites_by_ids(conn, &ids).await?;
            Ok(sites
                .into_iter()
                .map(|s| {
                    change(
                        Entity::Site,
                        s.id.to_string(),
                        None,
                        false,
                        serde_json::to_value(s).ok(),
                    )
                })
                .collect())
        }
        Some(Entity::ActivityType) => {
            let ids: Vec<i64> = ids.iter().filter_map(|i| i.parse().ok()).collect();
            let types = crate::activity_types::by_ids(conn, &ids).await?;
            Ok(types
                .into_iter()
                .map(|t| {
                    change(
                        Entity::ActivityType,
                        t.id.to_string(),
                        None,
                        false,
                        serde_json::to_value(t).ok(),
                    )
                })
                .collect())
        }
        Some(e @ (Entity::Participant | Entity::Group)) => {
            let table = if e == Entity::Participant {
                "participants"
            } else {
                "activity_groups"
            };
            let sql = format!(
                "SELECT id, version, deleted, payload FROM {table} WHERE id IN ({})",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64, i64, String)>(&sql);
            for id in ids {
                q = q.bind(id);
            }
            let rows = q.fetch_all(conn).await?;
            Ok(rows
                .into_iter()
                .map(|(id, version, deleted, payload)| {
                    change(
                        e,
                        id,
                        Some(version),
                        deleted != 0,
                        (deleted == 0).then(|| parse(&payload)),
                    )
                })
                .collect())
        }
        Some(Entity::Record) => {
            let sql = format!("SELECT id, version, deleted, payload, review_status, review_comment FROM activity_records WHERE id IN ({})", placeholders(1, ids.len()));
            let mut q =
                sqlx::query_as::<_, (String, i64, i64, String, String, Option<String>)>(&sql);
            for id in ids {
                q = q.bind(id);
            }
            let rows = q.fetch_all(conn).await?;
            Ok(rows
                .into_iter()
                .map(|(id, version, deleted, payload, status, comment)| Change {
                    review: Some(Review { status, comment }),
                    ..change(
                        Entity::Record,
                        id,
                        Some(version),
                        deleted != 0,
                        (deleted == 0).then(|| parse(&payload)),
                    )
                })
                .collect())
        }
        None => Ok(vec![]),
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
