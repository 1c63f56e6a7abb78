//! The SQL of the change clock and the change feed (see migration 0004 for
//! why the clock is one row).

use sqlx::AnyConnection;

use super::model::Entity;
use crate::access::SiteScope;
use crate::store::{Db, Tx};

/// Starts a write transaction that holds the change clock until it commits.
///
/// Every writer of records starts this way (a push, a review, a month lock
/// or unlock): holding the one clock row serialises them, so cursor values
/// become visible in commit order (a pull never skips a late commit), the
/// rollups' subtract-then-add never interleaves with another writer, and a
/// lock either lands before a push or refuses it.
pub async fn begin(db: &Db) -> Result<Tx, sqlx::Error> {
    let mut tx = db.begin().await?;
    tick(&mut tx).await?;
    Ok(tx)
}

/// Takes the next clock value. Must run inside the write's transaction: the
/// clock row stays locked until commit, which orders commits by value.
async fn tick(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE sync_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        .fetch_one(conn)
        .await
}

/// Records that `entity` `id` changed, visible to `site_id`'s scope (and
/// only to `user_id` when given).
pub async fn touch(
    conn: &mut AnyConnection,
    entity: Entity,
    id: &str,
    site_id: Option<i64>,
    user_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let seq = tick(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (entity, entity_id) DO UPDATE SET seq = excluded.seq, site_id = excluded.site_id, user_id = excluded.user_id",
    )
    .bind(entity.as_str())
    .bind(id)
    .bind(seq)
    .bind(site_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(seq)
}

/// Records that `entity` `id` left `site_id`: the phones of that site
/// drop it at their next pull (its new site's phones hear of it through
/// [`touch`], which the caller does next, at a later clock value).
pub async fn depart(
    conn: &mut AnyConnection,
    entity: Entity,
    id: &str,
    site_id: i64,
) -> Result<(), sqlx::Error> {
    let seq = tick(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO sync_departures (entity, entity_id, site_id, seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (entity, entity_id, site_id) DO UPDATE SET seq = excluded.seq",
    )
    .bind(entity.as_str())
    .bind(id)
    .bind(site_id)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry of the feed: a change, or a departure from one of the
/// puller's sites.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Changed {
    pub entity: String,
    pub entity_id: String,
    pub seq: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    pub departed: bool,
}

/// Up to `limit` entries after `after` that `scope` may see, oldest first:
/// of the `entities` named, at the scope's sites (or at none), and meant
/// for everyone or for `scope`'s user; and departures from the scope's sites.
pub async fn after(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    entities: &[Entity],
    after: i64,
    limit: i64,
) -> Result<Vec<Changed>, sqlx::Error> {
    // Entity names are our own constants: safe to inline.
    let names: Vec<String> = entities
        .iter()
        .map(|e| format!("'{}'", e.as_str()))
        .collect();
    let names = names.join(", ");
    let sql = format!(
        "SELECT entity, entity_id, seq, 0 AS departed FROM sync_changes
         WHERE seq > $1 AND entity IN ({names})
           AND (site_id IS NULL OR {scope})
           AND (user_id IS NULL OR user_id = $3)
         UNION ALL
         SELECT entity, entity_id, seq, 1 AS departed FROM sync_departures
         WHERE seq > $1 AND entity IN ({names}) AND {scope}
         ORDER BY seq LIMIT $4",
        scope = SiteScope::sql("site_id", 2)
    );
    let (all, uid) = scope.binds();
    sqlx::query_as(&sql)
        .bind(after)
        .bind(all)
        .bind(uid)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The clock's value now (for a bulk load that writes the feed itself).
pub async fn clock(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT seq FROM sync_clock WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// The database's epoch: a new one after every restore from a backup.
pub async fn epoch(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT epoch FROM database_epoch WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Gives the database a new epoch (after a restore): phones holding a
/// cursor of the old one start over and offer again what they sent.
pub async fn renew_epoch(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    let epoch = uuid::Uuid::new_v4().simple().to_string()[..16].to_string();
    sqlx::query("UPDATE database_epoch SET epoch = $1 WHERE id = 1")
        .bind(&epoch)
        .execute(conn)
        .await?;
    Ok(epoch)
}

/// Moves the clock to `seq` (after a bulk load wrote the feed up to it).
pub async fn set_clock(conn: &mut AnyConnection, seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sync_clock SET seq = $1 WHERE id = 1")
        .bind(seq)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks version `base` of item `id` in `table` deleted (the next version),
/// for the kinds phones edit; false when `base` is no longer current.
pub async fn soft_delete(
    conn: &mut AnyConnection,
    table: &'static str,
    id: &str,
    base: i64,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!("UPDATE {table} SET deleted = 1, version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2");
    let done = sqlx::query(&sql)
        .bind(id)
        .bind(base)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A versioned item's content as phones pull it.
#[derive(Debug, sqlx::FromRow)]
pub struct Versioned {
    pub id: String,
    pub version: i64,
    #[sqlx(try_from = "crate::store::Flag")]
    pub deleted: bool,
    pub payload: String,
}

/// The items of `table` (participants or groups) with these ids.
pub async fn versioned(
    conn: &mut AnyConnection,
    table: &'static str,
    ids: &[String],
) -> Result<Vec<Versioned>, sqlx::Error> {
    let sql = format!(
        "SELECT id, version, deleted, payload FROM {table} WHERE id IN ({})",
        crate::store::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, Versioned>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}
