//! Multi-row inserts for child rows (attendances, facilitators): one
//! statement per chunk instead of one per row, which is most of the cost of
//! storing a record with a full roster.

use sqlx::AnyConnection;

/// Rows per statement: well under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 250;

fn values(n: usize) -> String {
    (0..n)
        .map(|i| format!("($1, ${})", i + 2))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts `(owner, b)` for every `b` into `table (owner_col, b_col)`.
pub async fn insert_id_pairs(
    conn: &mut AnyConnection,
    table: &str,
    owner_col: &str,
    b_col: &str,
    owner: &str,
    bs: &[i64],
) -> Result<(), sqlx::Error> {
    for chunk in bs.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO {table} ({owner_col}, {b_col}) VALUES {}",
            values(chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(owner);
        for b in chunk {
            q = q.bind(*b);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts `(owner, b)` for every text `b` into `table (owner_col, b_col)`.
pub async fn insert_text_pairs(
    conn: &mut AnyConnection,
    table: &str,
    owner_col: &str,
    b_col: &str,
    owner: &str,
    bs: &[String],
) -> Result<(), sqlx::Error> {
    for chunk in bs.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO {table} ({owner_col}, {b_col}) VALUES {}",
            values(chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(owner);
        for b in chunk {
            q = q.bind(b.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_share_the_owner_parameter() {
        assert_eq!(super::values(3), "($1, $2), ($1, $3), ($1, $4)");
    }
}
