//! End-to-end API tests: one binary, the real server, real HTTP, each
//! scenario on SQLite and (when configured) PostgreSQL.

mod accounts;
mod auth;
mod demo;
mod devices;
mod docker;
mod exports;
mod feed_order;
mod field_ready;
mod figures;
mod hardening;
mod hygiene;
mod identity;
mod imports;
mod imports_xlsx;
mod individual;
mod kurmanji;
mod migrations;
mod monitoring;
mod openapi;
mod operations;
mod push;
mod referrals;
mod referrals_more;
mod restore;
mod revocation;
mod roles;
mod sync;
mod wire;
