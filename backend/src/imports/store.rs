//! The SQL of imports: the keys imported rows are known by, and the lookups
//! a file's codes need. Every write of a participant or a group goes through
//! its one write path (`participants::sync`, `groups::sync`), not here.

use sqlx::AnyConnection;

use crate::store::now_millis;

/// The entity an imported key of `kind` created, if any.
pub async fn entity_for_key(
    conn: &mut AnyConnection,
    kind: &str,
    key_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT entity_id FROM import_keys WHERE kind = $1 AND key_hash = $2")
        .bind(kind)
        .bind(key_hash)
        .fetch_optional(conn)
        .await
}

/// Remembers that the row known by `key_hash` created `entity_id`.
pub async fn remember(
    conn: &mut AnyConnection,
    kind: &str,
    key_hash: &str,
    entity_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO import_keys (kind, key_hash, entity_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(key_hash)
    .bind(entity_id)
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// The id of the site with `code` (codes are stored in upper case).
pub async fn site_id(conn: &mut AnyConnection, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM sites WHERE code = $1 AND active = 1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// The id of the active group-session activity type with `code`.
pub async fn group_type_id(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM activity_types WHERE code = $1 AND active = 1 AND kind = 'group_session'",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// Whether a site (active or not) has `code` already.
pub async fn site_code_used(conn: &mut AnyConnection, code: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites WHERE code = $1")
        .bind(code)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The id of the area with P-code `pcode`.
pub async fn area_id(conn: &mut AnyConnection, pcode: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM areas WHERE pcode = $1")
        .bind(pcode)
        .fetch_optional(conn)
        .await
}

/// The id of the partner named `name` (compared as typed, case aside).
pub async fn partner_id(conn: &mut AnyConnection, name: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM partners WHERE LOWER(name) = LOWER($1)")
        .bind(name)
        .fetch_optional(conn)
        .await
}

/// Whether an account has `login` already.
pub async fn login_used(conn: &mut AnyConnection, login: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}
