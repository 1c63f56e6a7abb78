//! One pushed item and the rule every syncable kind shares: stored once,
//! duplicates recognised, stale edits answered as conflicts, never silently
//! overwritten. Each kind (participant, group, record) supplies its checks
//! and SQL through [`Syncable`]; the order of decisions lives here, once.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::AnyConnection;

use super::clock::{self, Entity};
use crate::auth::{Role, SiteScope};
use crate::error::FieldErrors;
use crate::store::now_millis;
use crate::validate::Checker;

/// Who is pushing.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub scope: SiteScope,
}

/// Facts about a write that are not part of the item's content.
#[derive(Debug, Clone)]
pub struct WriteMeta {
    pub actor_id: i64,
    pub now_ms: i64,
    /// When the phone says it was recorded: kept as reported, never used for ordering.
    pub device_time: Option<String>,
}

/// The stored state of an item, as far as the shared rule needs it.
#[derive(Debug, Clone)]
pub struct Current {
    pub version: i64,
    pub deleted: bool,
    pub payload: String,
    pub site_id: i64,
    pub owner: i64,
}

/// What a phone sends for one item: checked without the database, and
/// placed at a site (every scope rule goes by it).
pub trait SyncData: DeserializeOwned + Serialize + Send + Sync + Sized {
    /// Checks and canonicalises what needs no database.
    fn normalise(self, check: &mut Checker) -> Self;
    fn site_id(&self) -> i64;
}

/// A kind of thing phones create and edit offline.
pub trait Syncable {
    const ENTITY: Entity;
    const TABLE: &'static str;
    /// The column naming who created it (for "own records only" rules).
    const OWNER_COLUMN: &'static str;
    type Data: SyncData;

    /// Whether `actor` may write this kind of thing with this content.
    fn may_write(actor: &Actor, data: &Self::Data) -> Result<(), String>;
    /// Whether `actor` may change or delete this existing one.
    fn may_edit(_actor: &Actor, _current: &Current) -> bool {
        true
    }
    /// Only this user sees it in pulls (own records); `None`: everyone at the site.
    fn audience(_owner: i64) -> Option<i64> {
        None
    }
    /// Checks references against the database: scope, ids that must exist.
    fn check_references(
        conn: &mut AnyConnection,
        actor: &Actor,
        id: &str,
        data: &Self::Data,
        check: &mut Checker,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;
    /// Inserts version 1 unless the id exists (then returns false).
    fn insert(
        conn: &mut AnyConnection,
        id: &str,
        data: &Self::Data,
        payload: &str,
        meta: &WriteMeta,
    ) -> impl std::future::Future<Output = Result<bool, sqlx::Error>> + Send;
    /// Replaces version `base` with `base + 1` (false when `base` is no longer current).
    fn update(
        conn: &mut AnyConnection,
        id: &str,
        base: i64,
        data: &Self::Data,
        payload: &str,
        meta: &WriteMeta,
    ) -> impl std::future::Future<Output = Result<bool, sqlx::Error>> + Send;
    /// Runs before the existing item `id` is changed or deleted: may refuse
    /// (a reason per field), and keeps derived data (rollups) in step.
    fn before_change(
        _conn: &mut AnyConnection,
        _id: &str,
        _check: &mut Checker,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send {
        async { Ok(()) }
    }
    /// Runs after item `id` was written or deleted.
    fn after_change(
        _conn: &mut AnyConnection,
        _id: &str,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send {
        async { Ok(()) }
    }
}

/// What the server says about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Written now; `version` is the new version.
    Stored,
    /// Already stored with this content: nothing changed.
    Duplicate,
    /// The server has a newer version; `server` is its copy.
    Conflict,
    /// Refused; `errors` says why, per field.
    Invalid,
}

/// The server's copy of an item, returned with a conflict.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServerCopy {
    pub version: i64,
    pub deleted: bool,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemResult {
    /// The item's id, as sent (or its position when no id could be read).
    pub id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerCopy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
}

impl ItemResult {
    pub fn invalid(id: impl Into<String>, errors: FieldErrors) -> ItemResult {
        ItemResult {
            id: id.into(),
            status: Status::Invalid,
            version: None,
            server: None,
            errors: Some(errors),
        }
    }
    fn with(id: &str, status: Status, version: i64) -> ItemResult {
        ItemResult {
            id: id.to_string(),
            status,
            version: Some(version),
            server: None,
            errors: None,
        }
    }
    fn conflict(id: &str, current: &Current) -> ItemResult {
        let data = serde_json::from_str(&current.payload).unwrap_or(serde_json::Value::Null);
        ItemResult {
            id: id.to_string(),
            status: Status::Conflict,
            version: Some(current.version),
            server: Some(ServerCopy {
                version: current.version,
                deleted: current.deleted,
                data,
            }),
            errors: None,
        }
    }
    pub fn wrote(&self) -> bool {
        self.status == Status::Stored
    }
}

fn one_error(field: &str, reason: &str) -> FieldErrors {
    FieldErrors::from([(field.to_string(), reason.to_string())])
}

/// Loads what the shared rule needs of item `id` of kind `S`.
pub async fn load_current<S: Syncable>(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<Current>, sqlx::Error> {
    let sql = format!(
        "SELECT version, deleted, payload, site_id, {} FROM {} WHERE id = $1",
        S::OWNER_COLUMN,
        S::TABLE
    );
    let row: Option<(i64, i64, String, i64, i64)> =
        sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?;
    Ok(
        row.map(|(version, deleted, payload, site_id, owner)| Current {
            version,
            deleted: deleted != 0,
            payload,
            site_id,
            owner,
        }),
    )
}

async fn in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    site_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM sites WHERE id = $1 AND {}",
        SiteScope::sql("id", 2)
    );
    let (all, uid) = scope.binds();
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(site_id)
        .bind(all)
        .bind(uid)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The item as the phone sent it, its envelope already read.
pub struct Pushed<D> {
    pub id: String,
    pub base_version: i64,
    pub deleted: bool,
    pub data: Option<D>,
    pub device_time: Option<String>,
}

/// Applies one pushed item under the shared rule. The caller wraps it in a
/// savepoint and keeps the write only when the answer is `stored`.
pub async fn apply<S: Syncable>(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: Pushed<S::Data>,
) -> Result<ItemResult, sqlx::Error> {
    let id = item.id.as_str();
    let meta = WriteMeta {
        actor_id: actor.user_id,
        now_ms: now_millis(),
        device_time: item.device_time.clone(),
    };

    // Check and canonicalise the content first: a resend is recognised by
    // comparing canonical content, before anything about the world is checked
    // (a duplicate stays a duplicate even if, say, the site closed since).
    let mut check = Checker::new();
    let data = match (item.deleted, item.data) {
        (false, None) => {
            return Ok(ItemResult::invalid(
                id,
                one_error("data", "is required unless deleting"),
            ))
        }
        (_, Some(data)) => Some(data.normalise(&mut check)),
        (true, None) => None,
    };
    if !check.is_ok() {
        return Ok(ItemResult::invalid(id, check.into_errors()));
    }
    let payload = data
        .as_ref()
        .map(|d| serde_json::to_string(d).expect("data serialises"));

    for _attempt in 0..2 {
        let current = load_current::<S>(&mut *conn, id).await?;
        if let Some(cur) = &current {
            // Another site's item answers like an unknown one: its existence is not disclosed.
            if !in_scope(&mut *conn, &actor.scope, cur.site_id).await? {
                return Ok(ItemResult::invalid(
                    id,
                    one_error("id", "belongs to a site outside your scope"),
                ));
            }
            let same = if item.deleted {
                cur.deleted
            } else {
                !cur.deleted && payload.as_deref() == Some(cur.payload.as_str())
            };
            if same {
                return Ok(ItemResult::with(id, Status::Duplicate, cur.version));
            }
            if item.base_version != cur.version {
                return Ok(ItemResult::conflict(id, cur));
            }
            if !S::may_edit(actor, cur) {
                return Ok(ItemResult::invalid(
                    id,
                    one_error(
                        "id",
                        "only the person who recorded it (or an admin) may change it",
                    ),
                ));
            }
        } else if item.deleted {
            // Deleting what the server never had: nothing to do, nothing lost.
            return Ok(ItemResult::with(id, Status::Duplicate, 0));
        } else if item.base_version != 0 {
            return Ok(ItemResult::invalid(
                id,
                one_error("base_version", "must be 0 for something new"),
            ));
        }

        if current.is_some() {
            let mut check = Checker::new();
            S::before_change(&mut *conn, id, &mut check).await?;
            if !check.is_ok() {
                return Ok(ItemResult::invalid(id, check.into_errors()));
            }
        }
        let written = match (&data, &payload, &current) {
            (Some(data), Some(payload), _) => {
                let mut check = Checker::new();
                if let Err(reason) = S::may_write(actor, data) {
                    check.fail("kind", reason);
                } else {
                    S::check_references(&mut *conn, actor, id, data, &mut check).await?;
                }
                if let Some(cur) = &current {
                    if data.site_id() != cur.site_id
                        && !in_scope(&mut *conn, &actor.scope, data.site_id()).await?
                    {
                        check.fail("site_id", "is outside your scope");
                    }
                }
                if !check.is_ok() {
                    return Ok(ItemResult::invalid(id, check.into_errors()));
                }
                match &current {
                    None => S::insert(&mut *conn, id, data, payload, &meta).await?,
                    Some(cur) => {
                        S::update(&mut *conn, id, cur.version, data, payload, &meta).await?
                    }
                }
            }
            (None, _, Some(cur)) => soft_delete::<S>(&mut *conn, id, cur.version, &meta).await?,
            _ => unreachable!("new items without data were answered above"),
        };
        if written {
            S::after_change(&mut *conn, id).await?;
            let cur = load_current::<S>(&mut *conn, id)
                .await?
                .expect("just written");
            clock::touch(
                &mut *conn,
                S::ENTITY,
                id,
                Some(cur.site_id),
                S::audience(cur.owner),
            )
            .await?;
            return Ok(ItemResult::with(id, Status::Stored, cur.version));
        }
        if current.is_some() {
            // An edit lost to another writer: answer with what won (no retry,
            // so `before_change` ran once).
            break;
        }
        // Someone else wrote this id between our read and our write (a second
        // connection pushing the same batch): decide again against what won.
        // The caller's savepoint is rolled back unless the answer is
        // `stored`, so a `before_change` that ran here leaves no trace.
    }
    let cur = load_current::<S>(&mut *conn, id)
        .await?
        .expect("exists after a lost race");
    Ok(ItemResult::conflict(id, &cur))
}

async fn soft_delete<S: Syncable>(
    conn: &mut AnyConnection,
    id: &str,
    base: i64,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let sql = format!("UPDATE {} SET deleted = 1, version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2", S::TABLE);
    let done = sqlx::query(&sql)
        .bind(id)
        .bind(base)
        .bind(meta.now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `site_id` is an active site within `actor`'s scope.
pub async fn site_writable(
    conn: &mut AnyConnection,
    actor: &Actor,
    site_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM sites WHERE id = $1 AND active = 1 AND {}",
        SiteScope::sql("id", 2)
    );
    let (all, uid) = actor.scope.binds();
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(site_id)
        .bind(all)
        .bind(uid)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The ids among `ids` that are live participants in `actor`'s scope.
pub async fn participants_in_scope(
    conn: &mut AnyConnection,
    actor: &Actor,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT id FROM participants WHERE deleted = 0 AND id IN ({}) AND {}",
        crate::store::placeholders(3, ids.len()),
        SiteScope::sql("site_id", 1)
    );
    let (all, uid) = actor.scope.binds();
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(all).bind(uid);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

/// Checks that every id in `ids` is an active user; names the others.
pub async fn check_users(
    conn: &mut AnyConnection,
    field: &str,
    ids: &[i64],
    check: &mut Checker,
) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM users WHERE active = 1 AND id IN ({})",
        crate::store::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let found = q.fetch_all(conn).await?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|i| !found.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        check.fail(
            field,
            format!("no such active user: {}", missing.join(", ")),
        );
    }
    Ok(())
}

/// Whether `role` may record or register things at all (mobilisers only
/// record awareness events).
pub fn works_with_participants(role: Role) -> Result<(), String> {
    match role {
        Role::Mobiliser => {
            Err("mobilisers record awareness events, not participants or groups".into())
        }
        _ => Ok(()),
    }
}
