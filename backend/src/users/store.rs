//! The SQL behind accounts.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::model::{Language, Me, NewUser, SiteSummary, UserChanges, UserView};
use crate::access::{Role, SiteScope};
use crate::error::{ApiError, ErrorCode, ResultExt};
use crate::refusal::{Refusal, RefusalCode};
use crate::store::{now_millis, placeholders, Db, Flag};
use crate::validate::Checker;

/// What a login needs to know about an account.
#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    /// Sessions started before the epoch last moved are over.
    pub session_epoch: i64,
}

pub async fn credentials(db: &Db, login: &str) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, active, session_epoch FROM users WHERE login = $1")
        .bind(login)
        .fetch_optional(db.pool())
        .await
}

/// An account as stored (without its password hash or sites).
#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    login: String,
    display_name: String,
    role: String,
    language: String,
    #[sqlx(try_from = "Flag")]
    active: bool,
    #[sqlx(try_from = "Flag")]
    all_sites: bool,
}

const USER_COLUMNS: &str =
    "u.id, u.login, u.display_name, u.role, u.language, u.active, u.all_sites";

impl UserRow {
    fn view(self, site_ids: Vec<i64>) -> Result<UserView, ApiError> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| anyhow::anyhow!("unknown role {:?} in users", self.role))?;
        let language = Language::parse(&self.language)
            .ok_or_else(|| anyhow::anyhow!("unknown language {:?} in users", self.language))?;
        Ok(UserView {
            id: self.id,
            login: self.login,
            display_name: self.display_name,
            role,
            language,
            active: self.active,
            all_sites: role == Role::Admin || self.all_sites,
            site_ids,
        })
    }
}

/// The signed-in user with the sites they work at.
pub async fn me(db: &Db, id: i64) -> Result<Me, ApiError> {
    let user = get(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let scope = SiteScope {
        user_id: user.id,
        all_sites: user.all_sites,
    };
    let sql = format!(
        "SELECT s.id, s.code, s.name, s.kind FROM sites s WHERE s.active = 1 AND {} ORDER BY s.code",
        SiteScope::sql("s.id", 1)
    );
    let (all, uid) = scope.binds();
    let sites: Vec<SiteSummary> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .fetch_all(db.pool())
        .await?;
    Ok(Me {
        id: user.id,
        login: user.login,
        display_name: user.display_name,
        role: user.role,
        language: user.language,
        all_sites: user.all_sites,
        sites,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<UserView>, ApiError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let site_ids: Vec<i64> =
        sqlx::query_scalar("SELECT site_id FROM user_sites WHERE user_id = $1 ORDER BY site_id")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    row.view(site_ids).map(Some)
}

/// The users `viewer` may see: everyone for admins and programme-wide
/// coordinators, else those who share at least one of the viewer's sites.
pub async fn list(db: &Db, viewer: &SiteScope) -> Result<Vec<UserView>, ApiError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE $1 = 1 OR u.id = $2 OR u.id IN (
            SELECT us.user_id FROM user_sites us WHERE us.site_id IN (SELECT site_id FROM user_sites WHERE user_id = $2))
         ORDER BY u.login"
    );
    let (all, uid) = viewer.binds();
    let rows: Vec<UserRow> = sqlx::query_as(&sql)
        .bind(all)
        .bind(uid)
        .fetch_all(db.pool())
        .await?;
    let links: Vec<(i64, i64)> =
        sqlx::query_as("SELECT user_id, site_id FROM user_sites ORDER BY site_id")
            .fetch_all(db.pool())
            .await?;
    let mut sites_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user_id, site_id) in links {
        sites_of.entry(user_id).or_default().push(site_id);
    }
    rows.into_iter()
        .map(|row| {
            let sites = sites_of.remove(&row.id).unwrap_or_default();
            row.view(sites)
        })
        .collect()
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await
}

/// Stores a new account; a taken login is a 409.
pub async fn insert(
    conn: &mut AnyConnection,
    user: &NewUser,
    password_hash: &str,
) -> Result<i64, ApiError> {
    let now = now_millis();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (login, display_name, password_hash, role, language, all_sites, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
    )
    .bind(&user.login)
    .bind(&user.display_name)
    .bind(password_hash)
    .bind(user.role.as_str())
    .bind(user.language.as_str())
    .bind(user.all_sites as i64)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .on_unique_violation(ErrorCode::LoginTaken, || {
        format!("the login {} is already taken", user.login)
    })?;
    set_sites(conn, id, &user.site_ids).await?;
    Ok(id)
}

/// Replaces a user's sites. Unknown site ids are a 422 naming them.
pub async fn set_sites(
    conn: &mut AnyConnection,
    user_id: i64,
    site_ids: &[i64],
) -> Result<(), ApiError> {
    let missing = missing_ids(conn, "sites", "", site_ids).await?;
    if !missing.is_empty() {
        return Err(ApiError::invalid_field(
            "site_ids",
            format!("no such site: {}", joined(&missing)),
        ));
    }
    sqlx::query("DELETE FROM user_sites WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for site_id in site_ids {
        sqlx::query("INSERT INTO user_sites (user_id, site_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*site_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Checks that every id in `ids` is an active user (facilitators must be),
/// naming the others under `field`.
pub async fn check_active_users(
    conn: &mut AnyConnection,
    field: &str,
    ids: &[i64],
    check: &mut Checker,
) -> Result<(), sqlx::Error> {
    let missing = missing_ids(conn, "users", " AND active = 1", ids).await?;
    if !missing.is_empty() {
        check.fail(
            field,
            Refusal::new(RefusalCode::UnknownUsers).values(missing.iter().map(i64::to_string)),
        );
    }
    Ok(())
}

/// The ids among `ids` with no row in `table` meeting `also`.
async fn missing_ids(
    conn: &mut AnyConnection,
    table: &str,
    also: &str,
    ids: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT id FROM {table} WHERE id IN ({}){also}",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let found = q.fetch_all(conn).await?;
    Ok(ids
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect())
}

/// `1, 2, 3`, for messages that name ids.
fn joined(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn update(conn: &mut AnyConnection, id: i64, c: &UserChanges) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), language = COALESCE($4, language),
         active = COALESCE($5, active), all_sites = COALESCE($6, all_sites), updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(c.display_name.as_deref())
    .bind(c.role.map(Role::as_str))
    .bind(c.language.map(Language::as_str))
    .bind(c.active.map(|a| a as i64))
    .bind(c.all_sites.map(|a| a as i64))
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every session of `id` on every instance (the guard compares the
/// epoch a session carries with the stored one): a deactivated account
/// stays signed out even if it is reactivated later.
pub async fn end_sessions(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_language(
    conn: &mut AnyConnection,
    id: i64,
    language: Language,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET language = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(language.as_str())
        .bind(now_millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a new password and ends every session of the user: their session
/// epoch moves, and the guard refuses sessions of an older one.
pub async fn set_password_hash(
    conn: &mut AnyConnection,
    id: i64,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = $3 WHERE id = $1",
    )
        .bind(id)
        .bind(hash)
        .bind(now_millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// Active admins other than `except`.
pub async fn other_active_admins(
    conn: &mut AnyConnection,
    except: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> $1",
    )
    .bind(except)
    .fetch_one(conn)
    .await
}

/// The lowest id of an admin (the demo records under it).
pub async fn first_admin_id(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(id) FROM users WHERE role = 'admin'")
        .fetch_one(db.pool())
        .await
}
