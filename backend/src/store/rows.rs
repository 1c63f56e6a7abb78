//! Multi-row INSERTs, bound portably on SQLite and PostgreSQL: one
//! statement per chunk of rows instead of one per row, which is most of the
//! cost of storing a record with a full roster, and of loading a programme.

use sqlx::{Any, AnyConnection};

/// Rows per statement for [`insert_pairs`]: well under SQLite's and
/// PostgreSQL's parameter limits.
const PAIRS_PER_STATEMENT: usize = 250;

/// Parameters per statement for [`Bulk`].
const PARAMETERS_PER_STATEMENT: usize = 2_000;

/// `($1, $2), ($1, $3), …`: `n` rows sharing their first value.
fn pair_values(n: usize) -> String {
    (0..n)
        .map(|i| format!("($1, ${})", i + 2))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts `(owner, b)` for every `b` into `table (owner_col, b_col)`: the
/// child rows of one parent (its facilitators, its attendances).
pub async fn insert_pairs<B>(
    conn: &mut AnyConnection,
    table: &str,
    columns: (&str, &str),
    owner: &str,
    bs: &[B],
) -> Result<(), sqlx::Error>
where
    B: for<'e> sqlx::Encode<'e, Any> + sqlx::Type<Any> + Sync,
{
    let (owner_col, b_col) = columns;
    for chunk in bs.chunks(PAIRS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO {table} ({owner_col}, {b_col}) VALUES {}",
            pair_values(chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(owner);
        for b in chunk {
            q = q.bind(b);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// One value of a [`Bulk`] row.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    /// A NULL integer.
    NullInt,
    /// A NULL text (PostgreSQL types its parameters, so the kind matters).
    NullText,
}

/// Rows for one table, gathered and then flushed in statements under the
/// parameter limits.
pub struct Bulk {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
    pub written: u64,
}

impl Bulk {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Bulk {
        Bulk {
            table,
            columns,
            rows: vec![],
            written: 0,
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        // A fixed number of rows per statement, so the prepared statement is
        // reused from the cache (only the last chunk differs).
        let width = self.columns.len();
        let per_statement = (PARAMETERS_PER_STATEMENT / width).max(1);
        for chunk in self.rows.chunks(per_statement) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let row: Vec<String> =
                        (1..=width).map(|c| format!("${}", r * width + c)).collect();
                    format!("({})", row.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {}",
                self.table,
                self.columns.join(", "),
                values.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for row in chunk {
                for v in row {
                    q = match v {
                        Value::Int(i) => q.bind(*i),
                        Value::Text(s) => q.bind(s.as_str()),
                        Value::NullInt => q.bind(None::<i64>),
                        Value::NullText => q.bind(None::<String>),
                    };
                }
            }
            q.execute(&mut *conn).await?;
        }
        self.written += self.rows.len() as u64;
        self.rows.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pairs_share_the_owner_parameter() {
        assert_eq!(super::pair_values(3), "($1, $2), ($1, $3), ($1, $4)");
    }
}
