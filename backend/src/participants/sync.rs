//! How participants follow the sync rule: who may register them, what must
//! hold against the database, and their one write path (the row, the copy
//! of their attributes in the presence rollup, the change feed).

use sqlx::AnyConnection;

use super::model::{visitor_id, works_with_participants, ParticipantData};
use super::store;
use crate::access;
use crate::changes::item::{Actor, Syncable, Write, WriteMeta, Written};
use crate::changes::model::Head;
use crate::changes::{self, Entity};
use crate::refusal::{Refusal, RefusalCode};
use crate::rollups;
use crate::validate::Checker;

pub struct Participants;

impl Syncable for Participants {
    type Data = ParticipantData;
    type Stored = Head;

    async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
        store::load(conn, id).await
    }

    fn may_write(actor: &Actor, _data: &ParticipantData) -> Result<(), Refusal> {
        works_with_participants(actor.role).map_err(|_| RefusalCode::RoleMayNot.into())
    }

    async fn check(
        conn: &mut AnyConnection,
        actor: &Actor,
        id: &str,
        data: &ParticipantData,
        check: &mut Checker,
    ) -> Result<(), sqlx::Error> {
        if !access::store::site_writable(&mut *conn, &actor.scope, data.site_id).await? {
            check.fail("site_id", RefusalCode::OutsideScope);
        }
        if !store::prefix_issued(&mut *conn, &data.code).await? {
            check.fail("code", RefusalCode::PrefixNotIssued);
        }
        if store::code_taken(&mut *conn, &data.code, id).await? {
            check.fail("code", RefusalCode::CodeTaken);
        }
        Ok(())
    }

    async fn write(
        conn: &mut AnyConnection,
        id: &str,
        stored: Option<&Head>,
        write: Write<'_, ParticipantData>,
        meta: &WriteMeta,
    ) -> Result<Written, sqlx::Error> {
        let (written, site_id) = match (write, stored) {
            (Write::Save { data, payload }, None) => (
                store::insert(&mut *conn, id, data, payload, meta).await?,
                data.site_id,
            ),
            (Write::Save { data, payload }, Some(head)) => {
                let written =
                    store::update(&mut *conn, id, head.version, data, payload, meta).await?;
                if written {
                    // The presence rollup carries the participant's attributes,
                    // and the sites she visits hold her minimal form.
                    rollups::store::participant_changed(&mut *conn, id).await?;
                    reannounce_visitor(&mut *conn, id).await?;
                }
                (written, data.site_id)
            }
            (Write::Delete, Some(head)) => {
                let written = changes::store::soft_delete(
                    &mut *conn,
                    "participants",
                    id,
                    head.version,
                    meta.now_ms,
                )
                .await?;
                if written {
                    reannounce_visitor(&mut *conn, id).await?;
                }
                (written, head.site_id)
            }
            (Write::Delete, None) => {
                unreachable!("deleting what was never stored is settled before writing")
            }
        };
        if !written {
            return Ok(Written::Lost);
        }
        if let Some(left) = stored.map(|h| h.site_id).filter(|old| *old != site_id) {
            // Moved: the phones of the site it left must drop it.
            changes::store::depart(&mut *conn, Entity::Participant, id, left).await?;
        }
        changes::store::touch(conn, Entity::Participant, id, Some(site_id), None).await?;
        Ok(Written::Stored {
            version: stored.map_or(1, |h| h.version + 1),
        })
    }
}

/// Tells the phones of `site_id` about the participants of other sites
/// present at record `record_id` (visitors), once each: from then on they
/// hold her minimal form, for their rosters, lists and searches.
pub async fn announce_visitors(
    conn: &mut AnyConnection,
    record_id: &str,
    site_id: i64,
) -> Result<(), sqlx::Error> {
    for id in store::new_visitors(&mut *conn, record_id, site_id).await? {
        let visitor = visitor_id(&id, site_id);
        changes::store::touch(&mut *conn, Entity::Visitor, &visitor, Some(site_id), None).await?;
    }
    Ok(())
}

/// Tells every site where participant `id` is a visitor that her minimal
/// form changed (an edit, a deletion, a merge).
pub async fn reannounce_visitor(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    for site_id in store::visited_sites(&mut *conn, id).await? {
        let visitor = visitor_id(id, site_id);
        changes::store::touch(&mut *conn, Entity::Visitor, &visitor, Some(site_id), None).await?;
    }
    Ok(())
}
