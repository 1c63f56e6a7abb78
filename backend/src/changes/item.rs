//! One pushed item and the rule every kind phones make offline shares:
//! stored once, duplicates recognised, stale edits answered as conflicts,
//! never silently overwritten. The order of decisions lives here, once;
//! each kind (participant, group, record) supplies its checks and its one
//! write path through [`Syncable`].
//!
//! The trip of one item: [`apply`] reads the content ([`SyncData::normalise`]),
//! loads the stored row once ([`Syncable::load`]), decides without the
//! database whether the item is new, a resend or stale ([`settle`]), checks
//! the content against the world ([`Syncable::check`]), and hands the write
//! to the kind ([`Syncable::write`]), which keeps its derived data and the
//! change feed in step in the same transaction.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::AnyConnection;

use super::model::{Head, ItemResult, Status};
use crate::access::{self, Role, SiteScope};
use crate::refusal::{one, Refusal, RefusalCode, Refusals};
use crate::store::now_millis;
use crate::validate::Checker;

tokio::task_local! {
    /// Set once an item's write path begins: see [`watch_write`].
    static WRITE_BEGAN: Arc<AtomicBool>;
}

/// Runs one item's [`apply`] and tells whether its write path began, so a
/// push that runs its items without savepoints knows whether an answer
/// other than `stored` may have left writes behind.
pub async fn watch_write<F: Future>(item: F) -> (F::Output, bool) {
    let began = Arc::new(AtomicBool::new(false));
    let output = WRITE_BEGAN.scope(began.clone(), item).await;
    (output, began.load(Ordering::Relaxed))
}

tokio::task_local! {
    /// Facts a batch checks for every item and no item of it changes (is
    /// this site open to me, is this type active, is this month locked),
    /// read once per batch: see [`recalled`].
    static BATCH_FACTS: RefCell<HashMap<String, bool>>;
}

/// Runs `batch` (the items of one push) with a memory of the facts its
/// items check again and again; outside it, [`recalled`] always reads.
pub async fn with_batch_facts<F: Future>(batch: F) -> F::Output {
    BATCH_FACTS.scope(RefCell::new(HashMap::new()), batch).await
}

/// The fact named `key`, as this batch already read it, or as `read` reads
/// it now. Only for facts that hold for the whole batch: sites, activity
/// types and month locks are not changed by pushed items, and a month lock
/// waits for every push (see [`crate::changes::store::begin`]).
pub async fn recalled(
    key: String,
    read: impl Future<Output = Result<bool, sqlx::Error>>,
) -> Result<bool, sqlx::Error> {
    if let Ok(Some(fact)) = BATCH_FACTS.try_with(|facts| facts.borrow().get(&key).copied()) {
        return Ok(fact);
    }
    let fact = read.await?;
    let _outside_a_batch = BATCH_FACTS.try_with(|facts| facts.borrow_mut().insert(key, fact));
    Ok(fact)
}

/// Who is pushing.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub scope: SiteScope,
}

/// Facts about a write that are not part of the item's content.
#[derive(Debug, Clone)]
pub struct WriteMeta {
    pub actor_id: i64,
    pub now_ms: i64,
    /// When the phone says it was recorded: kept as reported, never used for ordering.
    pub device_time: Option<String>,
}

/// What a phone sends for one item: checked without the database, and
/// placed at a site (every scope rule goes by it).
pub trait SyncData: DeserializeOwned + Serialize + Send + Sync + Sized {
    /// Checks and canonicalises what needs no database.
    fn normalise(self, check: &mut Checker) -> Self;
    fn site_id(&self) -> i64;
}

/// What a kind's write path is asked to do.
pub enum Write<'a, D> {
    /// Store `data` (serialised as `payload`): version 1 when new, else the
    /// next version of what is stored.
    Save { data: &'a D, payload: &'a str },
    /// Mark what is stored as deleted.
    Delete,
}

/// What a kind's write path did.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Written, now at `version`.
    Stored { version: i64 },
    /// Refused by a rule of the kind (a locked month), with reasons per field.
    Refused(Refusals),
    /// Another writer got there first: the id exists now, or the version moved on.
    Lost,
}

/// A kind of thing phones create and edit offline.
pub trait Syncable {
    type Data: SyncData;
    /// The stored row, as the kind's write path needs it.
    type Stored: AsRef<Head> + Send + Sync;

    /// Loads item `id` as stored, deleted or not.
    fn load(
        conn: &mut AnyConnection,
        id: &str,
    ) -> impl std::future::Future<Output = Result<Option<Self::Stored>, sqlx::Error>> + Send;
    /// Whether `actor` may write this kind of thing with this content.
    fn may_write(actor: &Actor, data: &Self::Data) -> Result<(), Refusal>;
    /// Whether `actor` may change this existing one to `data`, or delete it
    /// (`data` is `None`).
    fn may_edit(_actor: &Actor, _stored: &Self::Stored, _data: Option<&Self::Data>) -> bool {
        true
    }
    /// When copies of one thing made on several phones are joined rather
    /// than answered as a conflict (a CFS day's check-ins): the joined
    /// content, to be written over the stored version. `base_version` is
    /// the version the phone's copy was based on.
    fn join(
        _actor: &Actor,
        _stored: &Self::Stored,
        _base_version: i64,
        _data: &Self::Data,
    ) -> Option<Self::Data> {
        None
    }
    /// Resolves what the content names indirectly (participant codes, the
    /// aliases of merged participants) into the ids it is stored by, before
    /// it is compared with what is stored: a resend that names someone by
    /// code, or by an id merged away since, reads as the same content.
    /// Refusals (an unknown code) go into `check`.
    fn resolve(
        _conn: &mut AnyConnection,
        data: Self::Data,
        _check: &mut Checker,
    ) -> impl std::future::Future<Output = Result<Self::Data, sqlx::Error>> + Send {
        async { Ok(data) }
    }
    /// Checks the content against the database: scope, ids that must exist.
    fn check(
        conn: &mut AnyConnection,
        actor: &Actor,
        id: &str,
        data: &Self::Data,
        check: &mut Checker,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;
    /// The kind's one write path: its rows, its derived data, the change feed.
    fn write(
        conn: &mut AnyConnection,
        id: &str,
        stored: Option<&Self::Stored>,
        write: Write<'_, Self::Data>,
        meta: &WriteMeta,
    ) -> impl std::future::Future<Output = Result<Written, sqlx::Error>> + Send;
}

/// The item as the phone sent it, its envelope already read.
pub struct Pushed<D> {
    pub id: String,
    pub base_version: i64,
    pub deleted: bool,
    pub data: Option<D>,
    pub device_time: Option<String>,
}

/// What a push asks of an item, as far as [`settle`] needs it.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub id: &'a str,
    pub base_version: i64,
    pub deleted: bool,
    /// The canonical content (absent for a deletion).
    pub payload: Option<&'a str>,
}

/// Decides, without the database, what the stored state already answers:
/// `Some(answer)` when the item needs no write (a resend, a stale edit, a
/// refusal), `None` when it should be written.
///
/// `visible` says whether the stored item's site lies in the actor's scope;
/// `may_edit`, whether the actor may change it.
pub fn settle(
    asked: Asked<'_>,
    stored: Option<&Head>,
    visible: bool,
    may_edit: bool,
) -> Option<ItemResult> {
    let id = asked.id;
    let Some(head) = stored else {
        return if asked.deleted {
            // Deleting what the server never had: nothing to do, nothing lost.
            Some(ItemResult::with(id, Status::Duplicate, 0))
        } else if asked.base_version != 0 {
            Some(ItemResult::invalid(
                id,
                one("base_version", RefusalCode::MustBeNew),
            ))
        } else {
            None
        };
    };
    // Another site's item answers like an unknown one: its existence is not disclosed.
    if !visible {
        return Some(ItemResult::invalid(
            id,
            one("id", RefusalCode::OutsideScope),
        ));
    }
    let same = if asked.deleted {
        head.deleted
    } else {
        !head.deleted && asked.payload == Some(head.payload.as_str())
    };
    if same {
        return Some(ItemResult::with(id, Status::Duplicate, head.version));
    }
    if asked.base_version != head.version {
        return Some(ItemResult::conflict(id, head));
    }
    if !may_edit {
        return Some(ItemResult::invalid(id, one("id", RefusalCode::NotYours)));
    }
    None
}

/// Applies one pushed item under the shared rule. The caller wraps it in a
/// savepoint and keeps the write only when the answer is `stored`.
pub async fn apply<S: Syncable>(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: Pushed<S::Data>,
) -> Result<ItemResult, sqlx::Error> {
    let id = item.id.as_str();
    let meta = WriteMeta {
        actor_id: actor.user_id,
        now_ms: now_millis(),
        device_time: item.device_time.clone(),
    };

    // Check and canonicalise the content first: a resend is recognised by
    // comparing canonical content, before anything about the world is checked
    // (a duplicate stays a duplicate even if, say, the site closed since).
    let mut check = Checker::new();
    let data = match (item.deleted, item.data) {
        (false, None) => {
            return Ok(ItemResult::invalid(
                id,
                one("data", RefusalCode::DataRequired),
            ))
        }
        (_, Some(data)) => Some(data.normalise(&mut check)),
        (true, None) => None,
    };
    if !check.is_ok() {
        return Ok(ItemResult::invalid(id, check.into_errors()));
    }
    let data = match data {
        Some(data) => Some(S::resolve(&mut *conn, data, &mut check).await?),
        None => None,
    };
    if !check.is_ok() {
        return Ok(ItemResult::invalid(id, check.into_errors()));
    }
    let mut data = data;
    let mut payload = data
        .as_ref()
        .map(|d| serde_json::to_string(d).expect("data serialises"));
    let mut base_version = item.base_version;

    for _attempt in 0..2 {
        let stored = S::load(&mut *conn, id).await?;
        if let (Some(st), Some(d), false) = (stored.as_ref(), data.as_ref(), item.deleted) {
            if let Some(joined) = S::join(actor, st, base_version, d) {
                // Written over what is stored, as an edit of its version.
                payload = Some(serde_json::to_string(&joined).expect("data serialises"));
                data = Some(joined);
                base_version = st.as_ref().version;
            }
        }
        let asked = Asked {
            id,
            base_version,
            deleted: item.deleted,
            payload: payload.as_deref(),
        };
        let head = stored.as_ref().map(AsRef::as_ref);
        let visible = match head {
            Some(h) => access::store::site_in_scope(&mut *conn, &actor.scope, h.site_id).await?,
            None => true,
        };
        let may_edit = stored
            .as_ref()
            .is_none_or(|s| S::may_edit(actor, s, data.as_ref()));
        if let Some(answer) = settle(asked, head, visible, may_edit) {
            return Ok(answer);
        }
        let write = match (&data, &payload) {
            (Some(data), Some(payload)) => {
                let errors = check_content::<S>(conn, actor, id, data, head).await?;
                if !errors.is_empty() {
                    return Ok(ItemResult::invalid(id, errors));
                }
                Write::Save { data, payload }
            }
            _ => Write::Delete,
        };
        let _unwatched = WRITE_BEGAN.try_with(|began| began.store(true, Ordering::Relaxed));
        match S::write(&mut *conn, id, stored.as_ref(), write, &meta).await? {
            Written::Stored { version } => {
                return Ok(ItemResult::with(id, Status::Stored, version))
            }
            Written::Refused(errors) => return Ok(ItemResult::invalid(id, errors)),
            // An edit lost to another writer: answer with what won (no retry,
            // so the kind's write path ran once).
            Written::Lost if stored.is_some() => break,
            // Someone else wrote this id between our read and our write (a
            // second connection pushing the same batch): decide again against
            // what won. The caller's savepoint is rolled back unless the answer
            // is `stored`, so what the write path did here leaves no trace.
            Written::Lost => continue,
        }
    }
    let stored = S::load(&mut *conn, id)
        .await?
        .expect("exists after a lost race");
    Ok(ItemResult::conflict(id, stored.as_ref()))
}

/// The content checks that need the database: the role may write it, its
/// references hold, and an edit that moves it stays in the actor's scope.
async fn check_content<S: Syncable>(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    data: &S::Data,
    stored: Option<&Head>,
) -> Result<Refusals, sqlx::Error> {
    let mut check = Checker::new();
    if let Err(reason) = S::may_write(actor, data) {
        check.fail("kind", reason);
    } else {
        S::check(&mut *conn, actor, id, data, &mut check).await?;
    }
    if let Some(head) = stored {
        if data.site_id() != head.site_id
            && !access::store::site_in_scope(&mut *conn, &actor.scope, data.site_id()).await?
        {
            check.fail("site_id", RefusalCode::OutsideScope);
        }
    }
    Ok(check.into_errors())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "5f0c2a52-2d4a-4c53-9d1e-6f4f8f0c1a10";

    fn head(version: i64, deleted: bool, payload: &str) -> Head {
        Head {
            version,
            deleted,
            payload: payload.into(),
            site_id: 1,
            owner: 7,
        }
    }

    fn asked(base_version: i64, payload: Option<&str>) -> Asked<'_> {
        Asked {
            id: ID,
            base_version,
            deleted: payload.is_none(),
            payload,
        }
    }

    fn status(answer: Option<ItemResult>) -> Option<Status> {
        answer.map(|a| a.status)
    }

    #[test]
    fn something_new_is_written() {
        assert_eq!(status(settle(asked(0, Some("{}")), None, true, true)), None);
    }

    #[test]
    fn something_new_must_start_from_version_zero() {
        assert_eq!(
            status(settle(asked(3, Some("{}")), None, true, true)),
            Some(Status::Invalid)
        );
    }

    #[test]
    fn the_same_content_sent_twice_is_a_duplicate_whatever_its_base() {
        let stored = head(2, false, "{\"a\":1}");
        let answer = settle(asked(1, Some("{\"a\":1}")), Some(&stored), true, true).unwrap();
        assert_eq!(
            (answer.status, answer.version),
            (Status::Duplicate, Some(2))
        );
    }

    #[test]
    fn an_edit_based_on_an_old_version_is_a_conflict_with_the_servers_copy() {
        let stored = head(2, false, "{\"a\":1}");
        let answer = settle(asked(1, Some("{\"a\":2}")), Some(&stored), true, true).unwrap();
        assert_eq!(answer.status, Status::Conflict);
        assert_eq!(answer.server.unwrap().data, serde_json::json!({ "a": 1 }));
    }

    #[test]
    fn an_edit_based_on_the_current_version_is_written() {
        let stored = head(2, false, "{\"a\":1}");
        assert_eq!(
            status(settle(
                asked(2, Some("{\"a\":2}")),
                Some(&stored),
                true,
                true
            )),
            None
        );
    }

    #[test]
    fn deleting_what_is_deleted_or_never_was_changes_nothing() {
        let deleted = head(3, true, "{}");
        assert_eq!(
            status(settle(asked(2, None), Some(&deleted), true, true)),
            Some(Status::Duplicate)
        );
        assert_eq!(
            status(settle(asked(0, None), None, true, true)),
            Some(Status::Duplicate)
        );
    }

    #[test]
    fn another_sites_item_answers_like_an_unknown_one() {
        let stored = head(1, false, "{}");
        let answer = settle(asked(1, Some("{\"b\":1}")), Some(&stored), false, true).unwrap();
        assert_eq!(answer.status, Status::Invalid);
        assert!(answer.errors.unwrap().contains_key("id"));
    }

    #[test]
    fn only_those_who_may_edit_change_what_is_stored() {
        let stored = head(1, false, "{}");
        assert_eq!(
            status(settle(
                asked(1, Some("{\"b\":1}")),
                Some(&stored),
                true,
                false
            )),
            Some(Status::Invalid)
        );
    }
}
