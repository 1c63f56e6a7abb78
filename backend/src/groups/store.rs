//! The SQL behind groups and their rosters, and their sync rules.

use sqlx::AnyConnection;

use super::model::GroupData;
use crate::activity_types::ActivityKind;
use crate::sync::clock::Entity;
use crate::sync::item::{
    check_users, participants_in_scope, site_writable, works_with_participants, Actor, Syncable,
    WriteMeta,
};
use crate::sync::rows;
use crate::validate::Checker;

pub struct Groups;

impl Syncable for Groups {
    const ENTITY: Entity = Entity::Group;
    const TABLE: &'static str = "activity_groups";
    const OWNER_COLUMN: &'static str = "created_by";
    type Data = GroupData;

    fn may_write(actor: &Actor, _data: &GroupData) -> Result<(), String> {
        works_with_participants(actor.role)
    }

    async fn check_references(
        conn: &mut AnyConnection,
        actor: &Actor,
        _id: &str,
        data: &GroupData,
        check: &mut Checker,
    ) -> Result<(), sqlx::Error> {
        if !site_writable(&mut *conn, actor, data.site_id).await? {
            check.fail("site_id", "is not an active site in your scope");
        }
        let kind: Option<String> =
            sqlx::query_scalar("SELECT kind FROM activity_types WHERE id = $1 AND active = 1")
                .bind(data.activity_type_id)
                .fetch_optional(&mut *conn)
                .await?;
        if kind.as_deref() != Some(ActivityKind::GroupSession.as_str()) {
            check.fail(
                "activity_type_id",
                "must be an active group-session activity type",
            );
        }
        check_users(&mut *conn, "facilitator_ids", &data.facilitator_ids, check).await?;
        let ids: Vec<String> = data
            .members
            .iter()
            .map(|m| m.participant_id.clone())
            .collect();
        let found = participants_in_scope(&mut *conn, actor, &ids).await?;
        let unknown: Vec<&str> = ids
            .iter()
            .filter(|id| !found.contains(id))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            check.fail(
                "members",
                format!("not participants in your scope: {}", unknown.join(", ")),
            );
        }
        Ok(())
    }

    async fn insert(
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

    async fn update(
        conn: &mut AnyConnection,
        id: &str,
        base: i64,
        d: &GroupData,
        payload: &str,
        meta: &WriteMeta,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE activity_groups SET site_id = $3, activity_type_id = $4, name = $5, updated_at = $6, version = version + 1, deleted = 0, payload = $7
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
        sqlx::query("DELETE FROM group_facilitators WHERE group_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM group_members WHERE group_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        write_children(conn, id, d).await?;
        Ok(true)
    }
}

async fn write_children(
    conn: &mut AnyConnection,
    id: &str,
    d: &GroupData,
) -> Result<(), sqlx::Error> {
    rows::insert_id_pairs(
        &mut *conn,
        "group_facilitators",
        "group_id",
        "user_id",
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
