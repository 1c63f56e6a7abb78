//! Recurring groups at a site (a PSS cycle, a football team, a literacy
//! class): their activity type, facilitators and roster. Phones create and
//! edit them offline; they travel through [`crate::sync`].

pub mod model;
pub mod store;
