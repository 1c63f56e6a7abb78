//! How referrals follow the sync rule: made on a phone (offline too) with
//! a UUID, stored once, a resend answered `duplicate` even after its status
//! moved on; never edited or deleted from a phone (it is closed, and a new
//! one made). The status moves online, through [`super::handlers`].

use sqlx::AnyConnection;

use super::model::ReferralData;
use super::store;
use crate::access::{self, Role};
use crate::changes::item::{Actor, Syncable, Write, WriteMeta, Written};
use crate::changes::model::Head;
use crate::participants::code;
use crate::refusal::{one, Refusal, RefusalCode};
use crate::validate::Checker;

pub struct Referrals;

impl Syncable for Referrals {
    type Data = ReferralData;
    type Stored = Head;

    async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
        store::load_head(conn, id).await
    }

    fn may_write(actor: &Actor, _data: &ReferralData) -> Result<(), Refusal> {
        if actor.role == Role::Mobiliser {
            // Mobilisers hold no participants and do not refer.
            Err(RefusalCode::RoleMayNot.into())
        } else {
            Ok(())
        }
    }

    async fn check(
        conn: &mut AnyConnection,
        actor: &Actor,
        _id: &str,
        data: &ReferralData,
        check: &mut Checker,
    ) -> Result<(), sqlx::Error> {
        if !access::store::site_writable(&mut *conn, &actor.scope, data.site_id).await? {
            check.fail("site_id", RefusalCode::OutsideScope);
        }
        if store::target(&mut *conn, data.service_id).await?.is_none() {
            check.fail("service_id", RefusalCode::UnknownService);
        }
        if store::participant_by_code(&mut *conn, &data.participant_code)
            .await?
            .is_none()
        {
            check.fail(
                "participant_code",
                Refusal::new(RefusalCode::UnknownCodes)
                    .values([code::display(&data.participant_code)]),
            );
        }
        Ok(())
    }

    async fn write(
        conn: &mut AnyConnection,
        id: &str,
        stored: Option<&Head>,
        write: Write<'_, ReferralData>,
        meta: &WriteMeta,
    ) -> Result<Written, sqlx::Error> {
        let (Write::Save { data, payload }, None) = (write, stored) else {
            return Ok(Written::Refused(one(
                "id",
                RefusalCode::ReferralNotEditable,
            )));
        };
        // `check` found both a moment ago, in this transaction.
        let (Some(participant), Some(target)) = (
            store::participant_by_code(&mut *conn, &data.participant_code).await?,
            store::target(&mut *conn, data.service_id).await?,
        ) else {
            return Ok(Written::Refused(one(
                "service_id",
                RefusalCode::ChangedMeanwhile,
            )));
        };
        if store::insert(&mut *conn, id, &participant, target, data, payload, meta).await? {
            // The receiving partner's coordinators hear of it, in this transaction.
            crate::push::notify::referral_made(conn, id, meta.now_ms).await?;
            Ok(Written::Stored { version: 1 })
        } else {
            Ok(Written::Lost)
        }
    }
}
