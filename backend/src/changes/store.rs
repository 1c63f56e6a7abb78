//! The SQL of the change clock and the change feed (see migration 0004 for
//! why the clock is one row, and 0085 for how PostgreSQL numbers the feed
//! at commit).
//!
//! Two rules keep a pull complete: every feed value is taken while holding
//! the clock row, which stays locked until its transaction's commit is
//! visible (so values become visible in commit order); and writers that
//! must not interleave exclude each other with the writers' lock below.
//! On SQLite both come free with its one writer (`BEGIN IMMEDIATE`), and a
//! change takes its value when written. On PostgreSQL a change is written
//! with a provisional negative value and numbered by a deferred trigger at
//! COMMIT: the clock is held for the end of a transaction only, so pushes
//! of different sites run side by side.

use sqlx::AnyConnection;

use super::model::Entity;
use crate::access::SiteScope;
use crate::store::{Backend, Db, Tx};

/// The namespace of Sijil's advisory locks (`pg_advisory_xact_lock(ns, key)`):
/// "SJ" in ASCII.
const LOCKS: i32 = 0x534a;
/// The writers' lock: shared by pushes, exclusive for every other writer
/// of records, participants and groups.
const WRITERS: i32 = 0;
/// The namespace of one site's push lock (key: the site id).
const SITE_PUSHES: i32 = 0x534b;

/// Starts a write transaction that excludes every other writer of records,
/// participants and groups until it commits: a review, a month lock or
/// unlock, a merge, a staff edit, an import.
///
/// So a lock either lands before a push or refuses it, a merge sees every
/// attendance of the person merged away, and the rollups' subtract-then-add
/// of a reviewed record never interleaves with a push of the same record.
pub async fn begin(db: &Db) -> Result<Tx, sqlx::Error> {
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(LOCKS)
            .bind(WRITERS)
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

/// Starts the transaction of a push by someone of `scope`.
///
/// On PostgreSQL pushes share the writers' lock (so they run beside each
/// other, never beside a review or a lock) and take the push lock of each
/// of their sites, in site order: two pushes for one site run one after the
/// other (they would touch the same rollup rows, and the same items when a
/// phone sends a batch again), two pushes for different sites side by side.
/// Someone of every site takes the writers' lock whole.
pub async fn begin_push(db: &Db, scope: &SiteScope) -> Result<Tx, sqlx::Error> {
    if db.backend() == Backend::Sqlite || scope.all_sites {
        return begin(db).await;
    }
    let mut tx = db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1, $2)")
        .bind(LOCKS)
        .bind(WRITERS)
        .execute(&mut *tx)
        .await?;
    // OFFSET 0 keeps the ordered subquery whole, so the locks are taken in
    // site order (the same order for everyone: no deadlock between pushes).
    sqlx::query(
        "SELECT pg_advisory_xact_lock($1, CAST(s.site_id AS INTEGER))
         FROM (SELECT site_id FROM user_sites WHERE user_id = $2 ORDER BY site_id OFFSET 0) s",
    )
    .bind(SITE_PUSHES)
    .bind(scope.user_id)
    .execute(&mut *tx)
    .await?;
    Ok(tx)
}

/// The feed value of a change written now: on SQLite the next clock
/// value, taken at once (its one writer holds the clock until commit); on
/// PostgreSQL `None`, for a provisional value its commit replaces
/// (migration 0085).
async fn next_value(conn: &mut AnyConnection) -> Result<Option<i64>, sqlx::Error> {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        return Ok(None);
    }
    sqlx::query_scalar("UPDATE sync_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        .fetch_one(conn)
        .await
        .map(Some)
}

/// The SQL of a feed value bound at `$n` (SQLite), or the provisional one.
fn value_sql(value: Option<i64>, n: usize) -> String {
    match value {
        Some(_) => format!("${n}"),
        None => "-nextval('sync_pending')".to_string(),
    }
}

/// Records that `entity` `id` changed, visible to `site_id`'s scope (and
/// only to `user_id` when given).
pub async fn touch(
    conn: &mut AnyConnection,
    entity: Entity,
    id: &str,
    site_id: Option<i64>,
    user_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    let value = next_value(&mut *conn).await?;
    let sql = format!(
        "INSERT INTO sync_changes (entity, entity_id, site_id, user_id, seq) VALUES ($1, $2, $3, $4, {})
         ON CONFLICT (entity, entity_id) DO UPDATE SET seq = excluded.seq, site_id = excluded.site_id, user_id = excluded.user_id",
        value_sql(value, 5)
    );
    let mut q = sqlx::query(&sql)
        .bind(entity.as_str())
        .bind(id)
        .bind(site_id)
        .bind(user_id);
    if let Some(seq) = value {
        q = q.bind(seq);
    }
    q.execute(conn).await?;
    Ok(())
}

/// What [`touch`] records for each of `changed` (id, site, user), in one
/// statement per few hundred rows: a push's records, gathered by the batch.
/// An id named twice keeps its last entry.
pub async fn touch_many(
    conn: &mut AnyConnection,
    entity: Entity,
    changed: &[(String, Option<i64>, Option<i64>)],
) -> Result<(), sqlx::Error> {
    let mut last: Vec<&(String, Option<i64>, Option<i64>)> = vec![];
    for entry in changed.iter().rev() {
        if !last.iter().any(|kept| kept.0 == entry.0) {
            last.push(entry);
        }
    }
    last.reverse();
    if last.is_empty() {
        return Ok(());
    }
    // SQLite: the batch's values taken from the clock at once, in order.
    let first = if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        None
    } else {
        let n = last.len() as i64;
        let end: i64 =
            sqlx::query_scalar("UPDATE sync_clock SET seq = seq + $1 WHERE id = 1 RETURNING seq")
                .bind(n)
                .fetch_one(&mut *conn)
                .await?;
        Some(end - n + 1)
    };
    for (chunk_no, chunk) in last.chunks(500).enumerate() {
        let per_row = if first.is_some() { 5 } else { 4 };
        let rows = (0..chunk.len())
            .map(|i| {
                let at = i * per_row + 1;
                let value = value_sql(first, at + 4);
                format!("(${}, ${}, ${}, ${}, {value})", at, at + 1, at + 2, at + 3)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO sync_changes (entity, entity_id, site_id, user_id, seq) VALUES {rows}
             ON CONFLICT (entity, entity_id) DO UPDATE SET seq = excluded.seq, site_id = excluded.site_id, user_id = excluded.user_id"
        );
        let mut q = sqlx::query(&sql);
        for (i, (id, site_id, user_id)) in chunk.iter().enumerate() {
            q = q
                .bind(entity.as_str())
                .bind(id)
                .bind(*site_id)
                .bind(*user_id);
            if let Some(first) = first {
                q = q.bind(first + (chunk_no * 500 + i) as i64);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
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
    let value = next_value(&mut *conn).await?;
    let sql = format!(
        "INSERT INTO sync_departures (entity, entity_id, site_id, seq) VALUES ($1, $2, $3, {})
         ON CONFLICT (entity, entity_id, site_id) DO UPDATE SET seq = excluded.seq",
        value_sql(value, 4)
    );
    let mut q = sqlx::query(&sql)
        .bind(entity.as_str())
        .bind(id)
        .bind(site_id);
    if let Some(seq) = value {
        q = q.bind(seq);
    }
    q.execute(conn).await?;
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
