//! Backups and restores. SQLite: a consistent copy taken while the server
//! runs and phones push (`VACUUM INTO` reads one snapshot; WAL readers do
//! not block writers), checked for integrity before it counts as done; and
//! a restore that refuses to overwrite a database unless told. PostgreSQL
//! has its own tools (`pg_dump`, `pg_restore`); after either restore the
//! database gets a new epoch, so phones learn that it went back in time
//! and offer again what they sent since (see `sync::pull`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, ensure, Context};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::{Backend, Db};
use crate::changes;

/// Writes a consistent copy of the SQLite database to `out` and checks it.
pub async fn backup(db: &Db, out: &Path) -> anyhow::Result<()> {
    if db.backend() != Backend::Sqlite {
        bail!("sijil backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/operations.md)");
    }
    ensure!(
        !out.exists(),
        "{} exists already: choose a new file",
        out.display()
    );
    let target = out.to_str().context("the backup path is not UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(db.pool())
        .await
        .context("copy the database")?;
    check_integrity(out).await
}

/// Restores the SQLite copy `from` as the database at `url`, refusing to
/// replace an existing database unless `force` (stop the server first);
/// returns the restored database's new epoch.
pub async fn restore(url: &str, from: &Path, force: bool) -> anyhow::Result<String> {
    let target = sqlite_path(url)?;
    check_integrity(from)
        .await
        .context("the backup is not sound")?;
    if target.exists() && !force {
        bail!(
            "{} exists: stop the server, then restore with --force to replace it",
            target.display()
        );
    }
    // The write-ahead log and shared memory belong to the database being
    // replaced; left beside the copy they would be replayed into it.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("remove {}", side.display()))?;
        }
    }
    std::fs::copy(from, &target).with_context(|| format!("copy over {}", target.display()))?;
    let db = Db::connect(url).await?;
    let epoch = mark_restored(&db).await;
    db.close().await;
    epoch
}

/// Gives a restored database a new epoch (after `pg_restore`, or by
/// `restore`), so phones start over and offer again what they sent.
pub async fn mark_restored(db: &Db) -> anyhow::Result<String> {
    let mut conn = db.pool().acquire().await?;
    Ok(changes::store::renew_epoch(&mut conn).await?)
}

/// The file of a `sqlite:` URL.
fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let options = SqliteConnectOptions::from_str(url).context("a sqlite: database URL")?;
    Ok(options.get_filename().to_path_buf())
}

/// Fails unless SQLite finds the file at `path` sound.
async fn check_integrity(path: &Path) -> anyhow::Result<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("open {}", path.display()))?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await.ok();
    ensure!(
        verdict == "ok",
        "integrity check of {}: {verdict}",
        path.display()
    );
    Ok(())
}
