//! Changes phones must hear of, and the rule for things phones change.
//!
//! - [`store`]: the change clock (one row, numbering the feed in commit
//!   order), the writers' locks ([`store::begin`], [`store::begin_push`])
//!   and the change feed that pulls read, with [`store::touch`] as the one
//!   way to say "this changed";
//! - [`item`]: the one rule every pushed participant, group and record goes
//!   through, and the [`item::Syncable`] contract each kind fills in;
//! - [`model`]: entity names and the per-item answers.
//!
//! It stands below the kinds that follow the rule (participants, groups,
//! records) and below [`crate::sync`], the HTTP face of push and pull.

pub mod item;
pub mod model;
pub mod store;

pub use model::Entity;
