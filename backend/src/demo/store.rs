//! The SQL the generator needs beyond its bulk loads: the seeded activity
//! types and governorates it builds on, and the places it adds.

use sqlx::AnyConnection;

use crate::store::{now_millis, Db};

pub async fn type_id(db: &Db, code: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM activity_types WHERE code = $1")
        .bind(code)
        .fetch_one(db.pool())
        .await
}

pub async fn awareness_types(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM activity_types WHERE kind = 'awareness_event' ORDER BY id")
        .fetch_all(db.pool())
        .await
}

pub async fn area_id(db: &Db, pcode: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM areas WHERE pcode = $1")
        .bind(pcode)
        .fetch_one(db.pool())
        .await
}

/// A district's codes and its names in English, Arabic and Sorani.
pub struct District<'a> {
    pub parent: i64,
    pub pcode: String,
    pub names: [&'a str; 3],
}

pub async fn insert_district(db: &Db, d: District<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO areas (level, parent_id, pcode, name_en, name_ar, name_ckb) VALUES (2, $1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(d.parent)
    .bind(d.pcode)
    .bind(d.names[0])
    .bind(d.names[1])
    .bind(d.names[2])
    .fetch_one(db.pool())
    .await
}

pub async fn insert_partner(db: &Db, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO partners (name, active, created_at) VALUES ($1, 1, $2) RETURNING id",
    )
    .bind(name)
    .bind(now_millis())
    .fetch_one(db.pool())
    .await
}

/// A site to add: code, name, kind, partner, area.
pub struct NewSite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub partner: i64,
    pub area: i64,
}

pub async fn insert_site(conn: &mut AnyConnection, s: NewSite<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO sites (code, name, kind, partner_id, area_id, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
    )
    .bind(s.code)
    .bind(s.name)
    .bind(s.kind)
    .bind(s.partner)
    .bind(s.area)
    .bind(now_millis())
    .fetch_one(conn)
    .await
}

/// Whether the demo programme is in this database already.
pub async fn demo_exists(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites WHERE code = 'MOS-01'")
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Hands the records of `site_id` matching `kinds` (SQL over `kind`) to `user_id`.
pub async fn assign_records(
    conn: &mut AnyConnection,
    user_id: i64,
    site_id: i64,
    kinds: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE activity_records SET recorded_by = $1 WHERE site_id = $2 AND {kinds}"
    ))
    .bind(user_id)
    .bind(site_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Points each record's change entry at its recorder (after [`assign_records`]).
pub async fn address_record_changes(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sync_changes SET user_id = (SELECT recorded_by FROM activity_records r WHERE r.id = sync_changes.entity_id)
         WHERE entity = 'record'",
    )
    .execute(db.pool())
    .await?;
    Ok(())
}
