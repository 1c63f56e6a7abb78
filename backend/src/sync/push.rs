//! A pushed batch: each item read, checked and stored on its own under the
//! rule of [`crate::changes::item`], in one transaction started by
//! [`changes::store::begin_push`].
//!
//! Pushes for different sites run side by side; two pushes for one site
//! (two phones of a centre, or a phone that sends a batch again before the
//! first answer came) run one after the other, so the second finds every
//! item already stored and answers `duplicate`. The change feed is numbered
//! at commit, so a pull never skips a push that committed late (see
//! [`changes::store`]). Should PostgreSQL still find two transactions
//! waiting on each other (a participant edited at one site while a record
//! at another counts her), it cancels one: that batch is simply run again.

use anyhow::Context;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::audit::{self, Entry};
use crate::changes;
use crate::changes::item::{apply, Actor, Pushed, Syncable};
use crate::changes::model::{ItemResult, Status};
use crate::groups::sync::Groups;
use crate::participants::sync::Participants;
use crate::records;
use crate::records::sync::Records;
use crate::referrals::sync::Referrals;
use crate::refusal::{one, Refusal, RefusalCode};
use crate::store::Db;
use crate::validate::first_unsafe_text;

/// The envelope of one item; `data` is read by its kind afterwards so a
/// malformed item is answered on its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(rename = "type")]
    kind: ItemKind,
    id: String,
    #[serde(default)]
    base_version: i64,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    device_time: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
enum ItemKind {
    // Declared in the order items are applied: what records point at first.
    Participant,
    Group,
    Record,
    /// After participants: someone registered in the batch can be referred.
    Referral,
}

/// Who pushed, for the audit log.
pub struct Pusher<'a> {
    pub actor: Actor,
    pub login: &'a str,
    pub addr: &'a str,
    /// Whether referrals may carry a note (`--referral-notes`).
    pub referral_notes: bool,
}

/// An item as read from the batch: ready to apply, or already answered.
#[derive(Clone)]
enum Read {
    Item(ItemKind, Envelope),
    Answered(Box<ItemResult>),
}

impl Read {
    /// The order items are applied in: participants before groups before
    /// records, answered ones first.
    fn kind(&self) -> Option<ItemKind> {
        match self {
            Read::Item(kind, _) => Some(*kind),
            Read::Answered(_) => None,
        }
    }
}

/// Applies `items` and answers each, in the order sent.
pub async fn push(
    db: &Db,
    pusher: &Pusher<'_>,
    items: Vec<Value>,
) -> anyhow::Result<Vec<ItemResult>> {
    let mut read: Vec<(usize, Read)> = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i, read_envelope(i, v)))
        .collect();
    // Participants before groups before records, keeping the phone's order
    // within a kind: a session can then tick someone registered in the same batch.
    read.sort_by_key(|(i, item)| (item.kind(), *i));

    let mut attempt = 1;
    let mut isolation = Isolation::Plain;
    loop {
        // Each attempt remembers only what it read itself: a cancelled one
        // may have read its own writes.
        let outcome =
            changes::item::with_batch_facts(apply_batch(db, pusher, &read, isolation)).await;
        match outcome {
            Err(e) if isolation == Isolation::Plain && e.is::<NeedsSavepoints>() => {
                tracing::debug!(
                    "an item of the push left writes it must drop; running it with savepoints"
                );
                isolation = Isolation::Savepoints;
            }
            Err(e) if attempt < ATTEMPTS && must_run_again(&e) => {
                tracing::info!(attempt, error = %e, "push ran into another writer; running it again");
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// How the items of a batch are kept apart.
///
/// Most items are stored, or refused before their write path begins (bad
/// content, a conflict, a duplicate): for those a savepoint per item is two
/// round trips of nothing, so a batch first runs without them. An item
/// answered otherwise after its write began (a unique index, a lock found
/// at write, a lost race) has left writes that must go: the whole attempt
/// is dropped and the batch runs again with a savepoint per item, which
/// drops only that item's writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isolation {
    Plain,
    Savepoints,
}

/// The batch must run again with a savepoint per item ([`Isolation`]).
#[derive(Debug)]
struct NeedsSavepoints;

impl std::fmt::Display for NeedsSavepoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an item left writes behind without a savepoint")
    }
}

impl std::error::Error for NeedsSavepoints {}

/// How many times a batch is run before its error is answered.
const ATTEMPTS: u32 = 4;

/// Whether PostgreSQL cancelled the transaction to break a wait between
/// writers (deadlock detected, or a serialisation failure): nothing of it
/// was kept, so running it again is safe.
fn must_run_again(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(db)) if matches!(db.code().as_deref(), Some("40P01" | "40001"))
        )
    })
}

/// Runs the batch in one transaction and answers each item, in the order sent.
async fn apply_batch(
    db: &Db,
    pusher: &Pusher<'_>,
    read: &[(usize, Read)],
    isolation: Isolation,
) -> anyhow::Result<Vec<ItemResult>> {
    let mut tx = changes::store::begin_push(db, &pusher.actor.scope)
        .await
        .context("begin the push")?;
    // Which of the batch's records are new, read once for all of them.
    let record_ids: Vec<String> = read
        .iter()
        .filter_map(|(_, item)| match item {
            Read::Item(ItemKind::Record, e) => Some(e.id.clone()),
            _ => None,
        })
        .collect();
    let free = records::store::free_ids(&mut tx, &record_ids)
        .await
        .context("read the batch's record ids")?;
    let applied = async {
        let results = apply_items(&mut tx, pusher, read, isolation).await?;
        records::batch::settle(&mut tx)
            .await
            .context("add the batch's records to the rollups")?;
        anyhow::Ok(results)
    };
    let mut results = records::batch::in_batch(free, applied).await?;
    audit_batch(&mut tx, pusher, &results)
        .await
        .context("audit the push")?;
    tx.commit().await.context("commit the push")?;
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}

/// Applies the items in order, each answered.
async fn apply_items(
    tx: &mut sqlx::AnyConnection,
    pusher: &Pusher<'_>,
    read: &[(usize, Read)],
    isolation: Isolation,
) -> anyhow::Result<Vec<(usize, ItemResult)>> {
    let mut results = Vec::with_capacity(read.len());
    for (i, item) in read {
        let result = match item {
            Read::Answered(answer) => (**answer).clone(),
            Read::Item(ItemKind::Referral, envelope) => {
                apply_referral(&mut *tx, pusher, envelope.clone(), isolation).await?
            }
            Read::Item(kind, envelope) => {
                apply_one(&mut *tx, &pusher.actor, *kind, envelope.clone(), isolation).await?
            }
        };
        results.push((*i, result));
    }
    Ok(results)
}

/// Applies one item, kept only when it was stored: one bad item never
/// sinks the batch. Without savepoints ([`Isolation::Plain`]) an item that
/// is not stored but may have written something stops the attempt.
async fn apply_one(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    kind: ItemKind,
    envelope: Envelope,
    isolation: Isolation,
) -> anyhow::Result<ItemResult> {
    if isolation == Isolation::Plain {
        let (outcome, write_began) =
            changes::item::watch_write(apply_kind(&mut *tx, actor, kind, envelope)).await;
        return match outcome {
            Ok(result) if result.wrote() || !write_began => Ok(result),
            Ok(_) => Err(NeedsSavepoints.into()),
            Err((_, sqlx::Error::Database(e))) if e.is_unique_violation() => {
                Err(NeedsSavepoints.into())
            }
            Err((id, e)) => Err(anyhow::Error::new(e).context(format!("apply item {id}"))),
        };
    }
    let mark = records::batch::mark();
    let mut savepoint = tx.begin().await.context("open a savepoint")?;
    let outcome = apply_kind(&mut savepoint, actor, kind, envelope).await;
    match outcome {
        Ok(result) if result.wrote() => {
            savepoint.commit().await.context("keep the item")?;
            Ok(result)
        }
        Ok(result) => {
            savepoint.rollback().await.context("drop the item")?;
            records::batch::undo_to(mark);
            Ok(result)
        }
        // A unique index refused it (two phones, one participant code):
        // this item is refused, the batch goes on.
        Err((id, sqlx::Error::Database(e))) if e.is_unique_violation() => {
            savepoint.rollback().await.context("drop the item")?;
            records::batch::undo_to(mark);
            Ok(ItemResult::invalid(id, one("code", RefusalCode::CodeTaken)))
        }
        Err((id, e)) => Err(anyhow::Error::new(e).context(format!("apply item {id}"))),
    }
}

async fn apply_kind(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    kind: ItemKind,
    envelope: Envelope,
) -> Result<ItemResult, (String, sqlx::Error)> {
    match kind {
        ItemKind::Participant => apply_as::<Participants>(conn, actor, envelope).await,
        ItemKind::Group => apply_as::<Groups>(conn, actor, envelope).await,
        ItemKind::Record => apply_as::<Records>(conn, actor, envelope).await,
        ItemKind::Referral => apply_as::<Referrals>(conn, actor, envelope).await,
    }
}

/// A referral: refused with a note while notes are off; audited on its
/// own when stored (`referral.create`), in the push's transaction.
async fn apply_referral(
    tx: &mut sqlx::AnyConnection,
    pusher: &Pusher<'_>,
    envelope: Envelope,
    isolation: Isolation,
) -> anyhow::Result<ItemResult> {
    let data = envelope.data.as_ref();
    let noted = data
        .and_then(|d| d.get("note"))
        .and_then(Value::as_str)
        .is_some_and(|n| !n.trim().is_empty());
    if noted && !pusher.referral_notes {
        return Ok(ItemResult::invalid(
            envelope.id,
            one("note", RefusalCode::NotesOff),
        ));
    }
    let detail = json!({
        "site_id": data.and_then(|d| d.get("site_id")).cloned(),
        "service_id": data.and_then(|d| d.get("service_id")).cloned(),
        "urgency": data.and_then(|d| d.get("urgency")).cloned(),
        "via": "push",
    });
    let result = apply_one(tx, &pusher.actor, ItemKind::Referral, envelope, isolation).await?;
    if result.wrote() {
        let entry = Entry::new("referral.create")
            .actor(pusher.actor.user_id, pusher.login)
            .addr(pusher.addr)
            .target("referral", &result.id)
            .detail(detail);
        audit::record(tx, entry)
            .await
            .context("audit the referral")?;
    }
    Ok(result)
}

async fn apply_as<S: Syncable>(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    e: Envelope,
) -> Result<ItemResult, (String, sqlx::Error)> {
    let id = e.id.clone();
    let data = match e.data.map(serde_json::from_value::<S::Data>).transpose() {
        Ok(data) => data,
        Err(err) => {
            // The reader's message names Rust types: the log keeps it, the phone gets the code.
            tracing::debug!(item = %id, error = %err, "pushed content not readable");
            return Ok(ItemResult::invalid(id, one("data", RefusalCode::Malformed)));
        }
    };
    let item = Pushed {
        id: e.id,
        base_version: e.base_version,
        deleted: e.deleted,
        data,
        device_time: e.device_time,
    };
    apply::<S>(conn, actor, item).await.map_err(|err| (id, err))
}

/// Reads an item's envelope and canonicalises its id, or answers why not.
fn read_envelope(index: usize, value: Value) -> Read {
    let label = value
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{index}"));
    let refuse = |field: &str, reason: Refusal| {
        Read::Answered(Box::new(ItemResult::invalid(
            label.clone(),
            one(field, reason),
        )))
    };
    if let Some((at, why)) = first_unsafe_text(&value, "") {
        return refuse(&at, why.into());
    }
    let mut e: Envelope = match serde_json::from_value(value) {
        Ok(e) => e,
        Err(err) => {
            tracing::debug!(item = %label, error = %err, "pushed envelope not readable");
            return refuse("item", RefusalCode::Malformed.into());
        }
    };
    match uuid::Uuid::parse_str(e.id.trim()) {
        Ok(uuid) => e.id = uuid.hyphenated().to_string(),
        Err(_) => return refuse("id", RefusalCode::NotAUuid.into()),
    }
    if e.base_version < 0 {
        return refuse("base_version", Refusal::new(RefusalCode::OutOfRange).min(0));
    }
    if e.device_time
        .as_ref()
        .is_some_and(|t| t.chars().count() > 40)
    {
        return refuse("device_time", Refusal::new(RefusalCode::TooLong).max(40));
    }
    Read::Item(e.kind, e)
}

/// One audit entry per batch that changed or refused something: counts,
/// and the ids of edits and deletions (new items are their own record).
async fn audit_batch(
    conn: &mut sqlx::AnyConnection,
    pusher: &Pusher<'_>,
    results: &[(usize, ItemResult)],
) -> Result<(), sqlx::Error> {
    let count = |s: Status| results.iter().filter(|(_, r)| r.status == s).count();
    let (stored, duplicate, conflict, invalid) = (
        count(Status::Stored),
        count(Status::Duplicate),
        count(Status::Conflict),
        count(Status::Invalid),
    );
    if stored + conflict + invalid == 0 {
        return Ok(());
    }
    let edited: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.status == Status::Stored && r.version.unwrap_or(1) > 1)
        .map(|(_, r)| r.id.as_str())
        .collect();
    let entry = Entry::new("sync.push")
        .actor(pusher.actor.user_id, pusher.login)
        .addr(pusher.addr)
        .detail(json!({ "stored": stored, "duplicate": duplicate, "conflict": conflict, "invalid": invalid, "edited": edited }));
    audit::record(conn, entry).await
}
