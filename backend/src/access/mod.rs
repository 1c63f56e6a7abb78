//! Access control: who is asking and what they may see. The guard every
//! handler takes ([`CurrentUser`], [`AdminUser`]), the roles and the
//! [`SiteScope`] every query of field data takes, and the server-side
//! session that carries who is signed in.
//!
//! It stands below every capability (each handler takes the guard) and
//! imports none of them: signing in and out is [`crate::auth`]'s, accounts
//! are [`crate::users`]'.

pub mod cache;
mod guard;
pub mod model;
pub mod session;
pub mod store;

pub use cache::AuthCache;
pub use guard::{AdminUser, ClientAddr, CurrentUser};
pub use model::{Role, SiteScope};
