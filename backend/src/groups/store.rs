//! The SQL behind groups and their rosters.

use sqlx::AnyConnection;

use super::model::GroupData;
use crate::changes::item::WriteMeta;
use crate::changes::model::Head;
use crate::store::rows;

/// A group as stored, as the sync rule needs it.
pub async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
    sqlx::query_as("SELECT version, deleted, payload, site_id, created_by AS owner FROM activity_groups WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Inserts version 1 with its roster and facilitators, unless the id exists
/// (then returns false).
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    d: &GroupData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO activity_groups (id, site_id, activity_type_id, name, created_by, received_at, updated_at, version, deleted, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $6, 1, 0, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(d.site_id)
    .bind(d.activity_type_id)
    .bind(&d.name)
    .bind(meta.actor_id)
    .bind(meta.now_ms)
    .bind(payload)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    write_children(conn, id, d).await?;
    Ok(true)
}

/// Replaces version `base` with `base + 1`, roster and facilitators too
/// (false when `base` is no longer current).
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    base: i64,
    d: &GroupData,
    payload: &str,
    meta: &WriteMeta,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE activity_groups SET site_id = $3, activity_type_id = $4, name = $5, updated_at = $6, version = version + 1,
            deleted = 0, payload = $7
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(base)
    .bind(d.site_id)
    .bind(d.activity_type_id)
    .bind(&d.name)
    .bind(meta.now_ms)
    .bind(payload)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    for table in ["group_facilitators", "group_members"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE group_id = $1"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    write_children(conn, id, d).await?;
    Ok(true)
}

/// Replaces group `id`'s roster and its payload (a merge of two
/// participants renamed a member); its version stays, as the content its
/// recorder made did not change but for whom it names.
pub async fn replace_roster(
    conn: &mut AnyConnection,
    id: &str,
    d: &GroupData,
    payload: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE activity_groups SET payload = $2 WHERE id = $1")
        .bind(id)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for m in &d.members {
        sqlx::query("INSERT INTO group_members (group_id, participant_id, joined_on, left_on) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&m.participant_id)
            .bind(&m.joined_on)
            .bind(m.left_on.as_deref())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The groups (deleted or not) with `participant_id` on their roster.
pub async fn groups_of(
    conn: &mut AnyConnection,
    participant_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT group_id FROM group_members WHERE participant_id = $1 ORDER BY group_id",
    )
    .bind(participant_id)
    .fetch_all(conn)
    .await
}

async fn write_children(
    conn: &mut AnyConnection,
    id: &str,
    d: &GroupData,
) -> Result<(), sqlx::Error> {
    rows::insert_pairs(
        &mut *conn,
        "group_facilitators",
        ("group_id", "user_id"),
        id,
        &d.facilitator_ids,
    )
    .await?;
    for m in &d.members {
        sqlx::query("INSERT INTO group_members (group_id, participant_id, joined_on, left_on) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&m.participant_id)
            .bind(&m.joined_on)
            .bind(m.left_on.as_deref())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The activity type and site of a live group, if `id` is one.
#[derive(Debug, sqlx::FromRow)]
pub struct GroupPlace {
    pub site_id: i64,
    pub activity_type_id: i64,
}

pub async fn live_place(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<GroupPlace>, sqlx::Error> {
    sqlx::query_as(
        "SELECT site_id, activity_type_id FROM activity_groups WHERE id = $1 AND deleted = 0",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}
