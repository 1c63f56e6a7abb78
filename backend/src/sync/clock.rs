//! The sync clock and change feed (see migration 0004 for why one row).

use sqlx::AnyConnection;

/// What kind of thing changed, as phones name it in a pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Site,
    ActivityType,
    Participant,
    Group,
    Record,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Site => "site",
            Entity::ActivityType => "activity_type",
            Entity::Participant => "participant",
            Entity::Group => "group",
            Entity::Record => "record",
        }
    }
    pub fn parse(s: &str) -> Option<Entity> {
        [
            Entity::Site,
            Entity::ActivityType,
            Entity::Participant,
            Entity::Group,
            Entity::Record,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// Takes the next clock value. Must run inside the write's transaction: the
/// clock row stays locked until commit, which orders commits by value.
pub async fn tick(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE sync_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        .fetch_one(conn)
        .await
}

/// Records that `entity` `id` changed, visible to `site_id`'s scope (and
/// only to `user_id` when given).
pub async fn touch(
    conn: &mut AnyConnection,
    entity: Entity,
    id: &str,
    site_id: Option<i64>,
    user_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let seq = tick(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO sync_changes (entity, entity_id, seq, site_id, user_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (entity, entity_id) DO UPDATE SET seq = excluded.seq, site_id = excluded.site_id, user_id = excluded.user_id",
    )
    .bind(entity.as_str())
    .bind(id)
    .bind(seq)
    .bind(site_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(seq)
}

/// Records that every site matching `condition` (SQL over `sites`, with the
/// value bound at `$1`) changed: a rename of its partner or area changes
/// what phones show for it.
pub async fn touch_sites(
    conn: &mut AnyConnection,
    condition: &str,
    value: i64,
) -> Result<(), sqlx::Error> {
    let sites: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM sites WHERE {condition}"))
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
    for id in sites {
        touch(&mut *conn, Entity::Site, &id.to_string(), Some(id), None).await?;
    }
    Ok(())
}
