//! The rollups behind the figures, kept exact by one rule, spelled once in
//! [`crate::records::write`]: a record's *contribution* (its attendances,
//! minutes and head counts, under its site, type, date and flagged-or-not)
//! is subtracted before any change to the record and added back after it,
//! in the same transaction. Deleted records contribute nothing, so deletion
//! is "subtract, then mark deleted".
//!
//! - `presence_months`: who was present, per month × site × type, with the
//!   participant's attributes copied in (kept current by the participants'
//!   write path through [`store::participant_changed`]);
//! - `presence_month_sets`, `presence_day_sets`: the same people as one
//!   compact set per month (or day) × site × type ([`sets`]), so distinct
//!   counts are unions of a few thousand small sets, not a GROUP BY over
//!   every presence;
//! - `activity_days`, `tally_days`: the summable counts per day.
//!
//! Every change is an atomic upsert (`count = count + delta`), so writers
//! may add side by side. A push defers the additions of its records and
//! makes them together ([`store::add_many`], through
//! [`crate::records::batch::settle`]): the same sums in a few statements
//! per batch instead of about sixteen per record. The read-subtract-write sequence of one record
//! never interleaves with another writer of it: pushes of one site run one
//! after the other and every other writer of records runs alone (see
//! [`crate::changes::store::begin`] and
//! [`crate::changes::store::begin_push`]). [`crate::figures`] reads these
//! tables; nothing else writes them.

pub mod model;
pub mod sets;
pub mod store;

pub use model::{Contribution, Sign};
