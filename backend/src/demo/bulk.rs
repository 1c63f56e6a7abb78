//! Multi-row INSERTs for loading many rows at once (the generator), bound
//! portably on SQLite and PostgreSQL.

use sqlx::AnyConnection;

/// One bound value.
#[derive(Debug, Clone)]
pub enum V {
    I(i64),
    S(String),
    /// A NULL integer.
    Null,
    /// A NULL text (PostgreSQL types its parameters).
    NullText,
}

/// Rows for one table, flushed in statements under the parameter limits.
pub struct Bulk {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<V>>,
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

    pub fn push(&mut self, row: Vec<V>) {
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
        let per_statement = (2_000 / self.columns.len()).max(1);
        for chunk in self.rows.chunks(per_statement) {
            let width = self.columns.len();
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    format!(
                        "({})",
                        (1..=width)
                            .map(|c| format!("${}", r * width + c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
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
                        V::I(i) => q.bind(*i),
                        V::S(s) => q.bind(s.as_str()),
                        V::Null => q.bind(None::<i64>),
                        V::NullText => q.bind(None::<String>),
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
