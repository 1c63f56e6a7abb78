//! How groups follow the sync rule: who may make them, what must hold
//! against the database (site, type, facilitators, roster in scope), and
//! their one write path.

use sqlx::AnyConnection;

use super::model::GroupData;
use super::store;
use crate::activity_types::{self, ActivityKind};
use crate::changes::item::{Actor, Syncable, Write, WriteMeta, Written};
use crate::changes::model::Head;
use crate::changes::{self, Entity};
use crate::participants::model::works_with_participants;
use crate::refusal::{Refusal, RefusalCode};
use crate::validate::Checker;
use crate::{access, participants, users};

pub struct Groups;

impl Syncable for Groups {
    type Data = GroupData;
    type Stored = Head;

    async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
        store::load(conn, id).await
    }

    fn may_write(actor: &Actor, _data: &GroupData) -> Result<(), Refusal> {
        works_with_participants(actor.role).map_err(|_| RefusalCode::RoleMayNot.into())
    }

    /// Members merged away since the phone made its roster are the
    /// survivors (one membership if both were on it).
    async fn resolve(
        conn: &mut AnyConnection,
        mut data: GroupData,
        _check: &mut Checker,
    ) -> Result<GroupData, sqlx::Error> {
        let ids: Vec<String> = data
            .members
            .iter()
            .map(|m| m.participant_id.clone())
            .collect();
        for (from, to) in participants::store::survivors(&mut *conn, &ids).await? {
            data.members = participants::merge::merged_roster(&data.members, &from, &to);
        }
        Ok(data)
    }

    async fn check(
        conn: &mut AnyConnection,
        actor: &Actor,
        _id: &str,
        data: &GroupData,
        check: &mut Checker,
    ) -> Result<(), sqlx::Error> {
        if !access::store::site_writable(&mut *conn, &actor.scope, data.site_id).await? {
            check.fail("site_id", RefusalCode::OutsideScope);
        }
        let kind = activity_types::store::active_kind(&mut *conn, data.activity_type_id).await?;
        if kind != Some(ActivityKind::GroupSession) {
            check.fail("activity_type_id", RefusalCode::WrongActivityType);
        }
        users::store::check_active_users(
            &mut *conn,
            "facilitator_ids",
            &data.facilitator_ids,
            check,
        )
        .await?;
        let ids: Vec<String> = data
            .members
            .iter()
            .map(|m| m.participant_id.clone())
            .collect();
        participants::store::check_in_scope(&mut *conn, &actor.scope, "members", &ids, check).await
    }

    async fn write(
        conn: &mut AnyConnection,
        id: &str,
        stored: Option<&Head>,
        write: Write<'_, GroupData>,
        meta: &WriteMeta,
    ) -> Result<Written, sqlx::Error> {
        let (written, site_id) = match (write, stored) {
            (Write::Save { data, payload }, None) => (
                store::insert(&mut *conn, id, data, payload, meta).await?,
                data.site_id,
            ),
            (Write::Save { data, payload }, Some(head)) => (
                store::update(&mut *conn, id, head.version, data, payload, meta).await?,
                data.site_id,
            ),
            (Write::Delete, Some(head)) => (
                changes::store::soft_delete(
                    &mut *conn,
                    "activity_groups",
                    id,
                    head.version,
                    meta.now_ms,
                )
                .await?,
                head.site_id,
            ),
            (Write::Delete, None) => {
                unreachable!("deleting what was never stored is settled before writing")
            }
        };
        if !written {
            return Ok(Written::Lost);
        }
        if let Some(left) = stored.map(|h| h.site_id).filter(|old| *old != site_id) {
            // Moved: the phones of the site it left must drop it.
            changes::store::depart(&mut *conn, Entity::Group, id, left).await?;
        }
        changes::store::touch(conn, Entity::Group, id, Some(site_id), None).await?;
        Ok(Written::Stored {
            version: stored.map_or(1, |h| h.version + 1),
        })
    }
}
