//! The SQL behind accounts.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::model::{Language, Me, NewUser, SiteSummary, UserView};
use crate::auth::{Role, SiteScope};
use crate::error::{ApiError, ResultExt};
use crate::store::{flag, now_millis, placeholders, Db};

/// What a login needs to know about an account.
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}

pub async fn credentials(db: &Db, login: &str) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<(i64, String, i64)> =
        sqlx::query_as("SELECT id, password_hash, active FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(id, password_hash, active)| Credentials {
        id,
        password_hash,
        active: flag(active),
    }))
}

type UserRow = (i64, String, String, String, String, i64, i64);
const USER_COLUMNS: &str =
    "u.id, u.login, u.display_name, u.role, u.language, u.active, u.all_sites";

fn user_view(row: UserRow, site_ids: Vec<i64>) -> Result<UserView, ApiError> {
    let (id, login, display_name, role, language, active, all_sites) = row;
    let role =
        Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role:?} in users"))?;
    let language = Language::parse(&language)
        .ok_or_else(|| anyhow::anyhow!("unknown language {language:?} in users"))?;
    Ok(UserView {
        id,
        login,
        display_name,
        role,
        language,
        active: flag(active),
        all_sites: role == Role::Admin || flag(all_sites),
        site_ids,
    })
}

pub async fn me(db: &Db, id: i64) -> Result<Me, ApiError> {
    let user = get(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let scope = SiteScope {
        user_id: user.id,
        all_sites: user.all_sites,
    };
    let sql = format!("SELECT s.id, s.code, s.name, s.kind FROM sites s WHERE s.active = 1 AND {} ORDER BY s.code", SiteScope::sql("s.id", 1));
    let (all, uid) = scope.binds();
    let sites: Vec<(i64, String, String, String)> = sqlx::query_as(&sql)
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
        sites: sites
            .into_iter()
            .map(|(id, code, name, kind)| SiteSummary {
                id,
                code,
                name,
                kind,
            })
            .collect(),
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
    user_view(row, site_ids).map(Some)
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
            let id = row.0;
            user_view(row, sites_of.remove(&id).unwrap_or_default())
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
    .on_unique_violation("login_taken", || format!("the login {} is already taken", user.login))?;
    set_sites(conn, id, &user.site_ids).await?;
    Ok(id)
}

/// Replaces a user's sites. Unknown site ids are a 422 naming them.
pub async fn set_sites(
    conn: &mut AnyConnection,
    user_id: i64,
    site_ids: &[i64],
) -> Result<(), ApiError> {
    if !site_ids.is_empty() {
        let sql = format!(
            "SELECT id FROM sites WHERE id IN ({})",
            placeholders(1, site_ids.len())
        );
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for id in site_ids {
            q = q.bind(*id);
        }
        let found = q.fetch_all(&mut *conn).await?;
        let missing: Vec<String> = site_ids
            .iter()
            .filter(|id| !found.contains(id))
            .map(|id| id.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::invalid_field(
                "site_ids",
                format!("no such site: {}", missing.join(", ")),
            ));
        }
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

/// The fields an admin may change, already checked.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub language: Option<Language>,
    pub active: Option<bool>,
    pub all_sites: Option<bool>,
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

pub async fn set_password_hash(
    conn: &mut AnyConnection,
    id: i64,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
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

/// Ids of the sites with these codes, or the codes that do not exist.
pub async fn site_ids_for_codes(
    db: &Db,
    codes: &[String],
) -> Result<Result<Vec<i64>, Vec<String>>, sqlx::Error> {
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for code in codes {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sites WHERE code = $1")
            .bind(code.trim().to_uppercase())
            .fetch_optional(db.pool())
            .await?;
        match id {
            Some(id) => ids.push(id),
            None => missing.push(code.clone()),
        }
    }
    Ok(if missing.is_empty() {
        Ok(ids)
    } else {
        Err(missing)
    })
}
