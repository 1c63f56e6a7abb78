//! The SQL behind activity records (with their attendances, head counts and
//! facilitators), and their sync rules.

use sqlx::AnyConnection;

use super::model::RecordData;
use crate::activity_types::ActivityKind;
use crate::auth::Role;
use crate::figures::{locks, rollup};
use crate::store::AnyQuery;
use crate::sync::clock::Entity;
use crate::sync::item::{
    check_users, participants_in_scope, site_writable, Actor, Current, Syncable, WriteMeta,
};
use crate::sync::rows;
use crate::validate::Checker;

pub struct Records;

/// Which kinds of record each role makes: mobilisers count heads at
/// awareness events and never hold participants; trainers run groups and CFS
/// days and also hold awareness sessions at their sites; coordinators and
/// admins may enter any (typing in a paper register).
pub fn may_record(role: Role, kind: ActivityKind) -> bool {
    match role {
        Role::Admin | Role::Coordinator | Role::Trainer => true,
        Role::Mobiliser => kind == ActivityKind::AwarenessEvent,
    }
}

impl Syncable for Records {
    const ENTITY: Entity = Entity::Record;
    const TABLE: &'static str = "activity_records";
    const OWNER_COLUMN: &'static str = "recorded_by";
    type Data = RecordData;

    fn may_write(actor: &Actor, data: &RecordData) -> Result<(), String> {
        if may_record(actor.role, data.kind) {
            Ok(())
        } else {
            Err(format!(
                "a {} may not record a {}",
                actor.role.as_str(),
                data.kind.as_str().replace('_', " ")
            ))
        }
    }

    /// A record is its recorder's: only they (or an admin) change it.
    fn may_edit(actor: &Actor, current: &Current) -> bool {
        actor.role == Role::Admin || current.owner == actor.user_id
    }

    /// Records travel back only to their recorder's phone.
    fn audience(owner: i64) -> Option<i64> {
        Some(owner)
    }

    async fn check_references(
        conn: &mut AnyConnection,
        actor: &Actor,
        _id: &str,
        data: &RecordData,
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
        if kind.as_deref() != Some(data.kind.as_str()) {
            check.fail(
                "activity_type_id",
                format!(
                    "must be an active {} activity type",
                    data.kind.as_str().replace('_', " ")
                ),
            );
        }
        if let Some(group_id) = &data.group_id {
            let group: Option<(i64, i64)> =
                sqlx::query_as("SELECT site_id, activity_type_id FROM activity_groups WHERE id = $1 AND deleted = 0").bind(group_id).fetch_optional(&mut *conn).await?;
            match group {
                None => check.fail("group_id", "no such group"),
                Some((site_id, _)) if site_id != data.site_id => {
                    check.fail("group_id", "belongs to another site")
                }
                Some((_, type_id)) if type_id != data.activity_type_id => {
                    check.fail("activity_type_id", "differs from the group's activity type")
                }
                Some(_) => {}
            }
        }
        if let Some(reason) = locks::locked(&mut *conn, data.site_id, &data.date).await? {
            check.fail("date", reason);
        }
        check_users(&mut *conn, "facilitator_ids", &data.facilitator_ids, check).await?;
        let found = participants_in_scope(&mut *conn, actor, &data.attendance).await?;
        if found.len() != data.attendance.len() {
            let unknown: Vec<&str> = data
                .attendance
                .iter()
                .filter(|id| !found.contains(id))
                .map(String::as_str)
                .collect();
            check.fail(
                "attendance",
                format!("not participants in your scope: {}", unknown.join(", ")),
            );
        }
        Ok(())
    }

    /// A record in a locked month stays as reviewed; otherwise its old
    /// contribution leaves the rollups before it changes.
    async fn before_change(
        conn: &mut AnyConnection,
        id: &str,
        check: &mut Checker,
    ) -> Result<(), sqlx::Error> {
        let stored: Option<(i64, String)> =
            sqlx::query_as("SELECT site_id, occurred_on FROM activity_records WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((site_id, date)) = stored {
            if let Some(reason) = locks::locked(&mut *conn, site_id, &date).await? {
                check.fail("date", reason);
                return Ok(());
            }
        }
        rollup::contribute(conn, id, -1).await
    }

    async fn after_change(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
        rollup::contribute(conn, id, 1).await
    }

    async fn insert(
        conn: &mut AnyConnection,
        id: &str,
        d: &RecordData,
        payload: &str,
        meta: &WriteMeta,
    ) -> Result<bool, sqlx::Error> {
        let insert = sqlx::query(
            "INSERT INTO activity_records (id, kind, activity_type_id, site_id, group_id, occurred_on, start_time, duration_minutes,
                topic, place_note, notes, materials, tally_disabled, recorded_by, device_recorded_at, received_at, updated_at, version, deleted, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1, 0, $17)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id);
        let done = bind_columns(insert, d)
            .bind(meta.actor_id)
            .bind(meta.device_time.as_deref())
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

    /// An edit goes back to "submitted": a reviewer looks at it again.
    async fn update(
        conn: &mut AnyConnection,
        id: &str,
        base: i64,
        d: &RecordData,
        payload: &str,
        meta: &WriteMeta,
    ) -> Result<bool, sqlx::Error> {
        let update = sqlx::query(
            "UPDATE activity_records SET kind = $3, activity_type_id = $4, site_id = $5, group_id = $6, occurred_on = $7, start_time = $8,
                duration_minutes = $9, topic = $10, place_note = $11, notes = $12, materials = $13, tally_disabled = $14,
                updated_at = $15, version = version + 1, deleted = 0, review_status = 'submitted', payload = $16
             WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(base);
        let done = bind_columns(update, d)
            .bind(meta.now_ms)
            .bind(payload)
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        for table in ["record_facilitators", "attendances", "tallies"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE record_id = $1"))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        write_children(conn, id, d).await?;
        Ok(true)
    }
}

/// Binds a record's columns, `kind` to `tally_disabled`, in table order:
/// insert and update both list them in that order after their own keys.
fn bind_columns<'q>(query: AnyQuery<'q>, d: &'q RecordData) -> AnyQuery<'q> {
    query
        .bind(d.kind.as_str())
        .bind(d.activity_type_id)
        .bind(d.site_id)
        .bind(d.group_id.as_deref())
        .bind(&d.date)
        .bind(d.start_time.as_deref())
        .bind(d.duration_minutes)
        .bind(d.topic.as_deref())
        .bind(d.place_note.as_deref())
        .bind(d.notes.as_deref())
        .bind(d.materials.as_deref())
        .bind(d.tally_disabled)
}

async fn write_children(
    conn: &mut AnyConnection,
    id: &str,
    d: &RecordData,
) -> Result<(), sqlx::Error> {
    rows::insert_id_pairs(
        &mut *conn,
        "record_facilitators",
        "record_id",
        "user_id",
        id,
        &d.facilitator_ids,
    )
    .await?;
    rows::insert_text_pairs(
        &mut *conn,
        "attendances",
        "record_id",
        "participant_id",
        id,
        &d.attendance,
    )
    .await?;
    for t in &d.tallies {
        sqlx::query(
            "INSERT INTO tallies (record_id, sex, age_band, count) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(t.sex.as_str())
        .bind(t.age_band.as_str())
        .bind(t.count)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_records_its_own_kinds() {
        assert!(may_record(Role::Trainer, ActivityKind::GroupSession));
        assert!(may_record(Role::Trainer, ActivityKind::CfsDay));
        assert!(may_record(Role::Trainer, ActivityKind::AwarenessEvent));
        assert!(may_record(Role::Mobiliser, ActivityKind::AwarenessEvent));
        assert!(!may_record(Role::Mobiliser, ActivityKind::GroupSession));
        assert!(may_record(Role::Coordinator, ActivityKind::CfsDay));
    }
}
