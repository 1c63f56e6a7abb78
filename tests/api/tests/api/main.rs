//! End-to-end API tests: one binary, the real server, real HTTP, each
//! scenario on SQLite and (when configured) PostgreSQL.

mod accounts;
mod auth;
mod demo;
mod field_ready;
mod figures;
mod hardening;
mod hygiene;
mod migrations;
mod openapi;
mod restore;
mod roles;
mod sync;
mod wire;
