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
use crate::error::FieldErrors;
use crate::validate::Checker;

pub struct Referrals;

impl Syncable for Referrals {
    type Data = ReferralData;
    type Stored = Head;

    async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Head>, sqlx::Error> {
        store::load_head(conn, id).await
    }

    fn may_write(actor: &Actor, _data: &ReferralData) -> Result<(), String> {
        if actor.role == Role::Mobiliser {
            Err("mobilisers hold no participants and do not refer".into())
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
            check.fail("site_id", "is not an active site in your scope");
        }
        if store::target(&mut *conn, data.service_id).await?.is_none() {
            check.fail("service_id", "is not an active service of the directory");
        }
        if store::participant_by_code(&mut *conn, &data.participant_code)
            .await?
            .is_none()
        {
            check.fail("participant_code", "no participant has this code");
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
            return Ok(Written::Refused(FieldErrors::from([(
                "id".to_string(),
                "a referral is not changed from the phone: close it and refer again".to_string(),
            )])));
        };
        // `check` found both a moment ago, in this transaction.
        let (Some(participant), Some(target)) = (
            store::participant_by_code(&mut *conn, &data.participant_code).await?,
            store::target(&mut *conn, data.service_id).await?,
        ) else {
            return Ok(Written::Refused(FieldErrors::from([(
                "service_id".to_string(),
                "changed while this referral was stored; send it again".to_string(),
            )])));
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
