//! Recurring groups at a site (a PSS cycle, a football team, a literacy
//! class): their activity type, facilitators and roster. Phones create and
//! edit them offline; they reach the server through [`crate::sync`] under
//! the rule of [`crate::changes::item`] ([`sync::Groups`]). No routes of
//! their own.

pub mod model;
pub mod store;
pub mod sync;
