//! The SQL that access control needs: the signed-in user as stored now, and
//! whether a site lies in a scope.

use sqlx::AnyConnection;

use super::model::{Role, SiteScope};
use crate::store::{Db, Flag};

/// An active account, as the guard needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveUser {
    pub id: i64,
    pub login: String,
    pub role: String,
    #[sqlx(try_from = "Flag")]
    pub all_sites: bool,
    pub session_epoch: i64,
}

/// The active account `user_id`, as stored now (the guard remembers it for
/// half a second at most: see [`super::cache`]).
pub async fn active_user(db: &Db, user_id: i64) -> Result<Option<ActiveUser>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, login, role, all_sites, session_epoch FROM users WHERE id = $1 AND active = 1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await
}

/// Whether `site_id` lies in `scope` (active or not).
pub async fn site_in_scope(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    site_id: i64,
) -> Result<bool, sqlx::Error> {
    count_sites(conn, scope, site_id, "").await
}

/// Whether `site_id` is an active site in `scope`: somewhere one may record.
pub async fn site_writable(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    site_id: i64,
) -> Result<bool, sqlx::Error> {
    count_sites(conn, scope, site_id, " AND active = 1").await
}

async fn count_sites(
    conn: &mut AnyConnection,
    scope: &SiteScope,
    site_id: i64,
    also: &str,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM sites WHERE id = $1{also} AND {}",
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

impl ActiveUser {
    /// The role as stored, or `None` for a value this build does not know.
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

/// The ids of the sites `user_id` is assigned to, in order.
pub async fn site_ids_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT site_id FROM user_sites WHERE user_id = $1 ORDER BY site_id")
        .bind(user_id)
        .fetch_all(conn)
        .await
}
