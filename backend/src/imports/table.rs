//! A file read into rows by column key, whatever it came as: a CSV file
//! ([`read_csv`]) or a workbook (`super::xlsx`) are each turned into
//! [`Line`]s, and one function ([`from_lines`]) makes the table every rule
//! then reads. So every check, from the header to the last cell, is the
//! same for both; only the reader differs.

use std::collections::{HashMap, HashSet};

use super::model::{Kind, Problem};
use crate::validate::unsafe_char;

/// Most data rows one file may carry: a programme's list of a few thousand
/// people, applied in one transaction that holds the change clock.
pub const MAX_ROWS: usize = 5000;
/// Longest cell accepted (a given name is at most 60 characters; the rest
/// are codes, numbers and dates).
const MAX_CELL: usize = 120;

/// A data row: its number and its cells by column key (empty cells left out).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: HashMap<&'static str, String>,
}

impl Row {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cells.get(key).map(String::as_str)
    }
}

/// A file read into rows, with the problems found in the file as a whole
/// (its header) and in cells that are unsafe or too long.
#[derive(Debug, Default)]
pub struct Table {
    /// Data rows read (blank rows left out), bad ones included.
    pub count: usize,
    /// The rows whose cells could all be read.
    pub rows: Vec<Row>,
    pub problems: Vec<Problem>,
    /// True when the header itself is unusable: no row can be imported.
    pub unusable: bool,
}

impl Table {
    /// A file no row can be read from, for one reason.
    pub fn unusable(code: &'static str, message: &str) -> Table {
        Table {
            unusable: true,
            problems: vec![Problem::new(1, "", code, message)],
            ..Table::default()
        }
    }
}

/// One cell as a reader found it: a value as text, or a cell that holds no
/// value (a spreadsheet's `#N/A`), with why.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Value(String),
    Unreadable(String),
}

/// One line of a file: its row number as a spreadsheet numbers it (the
/// header of a CSV file is row 1), and its cells in column order, or why
/// the line could not be read at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub number: usize,
    pub cells: Result<Vec<Cell>, String>,
}

/// Lower case, trimmed, inner spaces and hyphens as underscores: how a
/// header cell and the accepted names are compared.
fn header_key(s: &str) -> String {
    s.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark; comma or
/// semicolon separated, as spreadsheets in Arabic locales often save).
pub fn read_csv(kind: Kind, bytes: &[u8]) -> Table {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Table::unusable(
            "not_utf8",
            "the file is not UTF-8 text; save it as \"CSV UTF-8\"",
        );
    }
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let delimiter = if first_line.iter().filter(|&&b| b == b';').count()
        > first_line.iter().filter(|&&b| b == b',').count()
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let lines = reader.records().enumerate().map(|(index, record)| Line {
        number: index + 1,
        cells: record
            .map(|r| r.iter().map(|c| Cell::Value(c.to_string())).collect())
            .map_err(|e| e.to_string()),
    });
    from_lines(kind, lines)
}

/// The table of a file's lines: the first is the header (in any of the
/// three languages); each later one a data row, blank ones left out. Stops
/// reading past [`MAX_ROWS`], so a reader that is lazy reads no further.
pub fn from_lines(kind: Kind, mut lines: impl Iterator<Item = Line>) -> Table {
    let mut table = Table::default();
    let header = match lines.next() {
        Some(Line { cells: Ok(h), .. }) => h,
        _ => return Table::unusable("empty_file", "the file has no header row"),
    };
    // Which column of the file is which key.
    let mut positions: Vec<Option<&'static str>> = Vec::new();
    let mut seen = HashSet::new();
    for name in &header {
        let wanted = match name {
            Cell::Value(v) => header_key(v),
            Cell::Unreadable(_) => String::new(),
        };
        let column = kind
            .columns()
            .iter()
            .find(|c| c.names.iter().any(|n| header_key(n) == wanted));
        match column {
            Some(c) if !seen.insert(c.key) => {
                table.unusable = true;
                table.problems.push(Problem::new(
                    1,
                    c.key,
                    "duplicate_column",
                    "this column appears twice",
                ));
                positions.push(None);
            }
            Some(c) => positions.push(Some(c.key)),
            // Extra columns (a programme's own notes) are ignored, never stored.
            None => positions.push(None),
        }
    }
    for c in kind.columns().iter().filter(|c| c.required) {
        if !seen.contains(c.key) {
            table.unusable = true;
            table.problems.push(Problem::new(
                1,
                c.key,
                "missing_column",
                format!("the file has no \"{}\" column", c.names[0]),
            ));
        }
    }
    for line in lines {
        let number = line.number;
        let cells = match line.cells {
            Ok(cells) => cells,
            Err(why) => {
                table
                    .problems
                    .push(Problem::new(number, "", "unreadable_row", why));
                table.count += 1;
                continue;
            }
        };
        if cells
            .iter()
            .all(|c| matches!(c, Cell::Value(v) if v.trim().is_empty()))
        {
            continue;
        }
        if table.count >= MAX_ROWS {
            table.unusable = true;
            table.problems.push(Problem::new(
                number,
                "",
                "too_many_rows",
                format!("at most {MAX_ROWS} rows in one file; split it"),
            ));
            break;
        }
        table.count += 1;
        let before = table.problems.len();
        let mut row = Row {
            number,
            cells: HashMap::new(),
        };
        for (cell, key) in cells.iter().zip(&positions) {
            let Some(key) = key else { continue };
            let value = match cell {
                Cell::Value(v) => v.trim(),
                Cell::Unreadable(why) => {
                    table
                        .problems
                        .push(Problem::new(number, key, "bad_value", why.clone()));
                    continue;
                }
            };
            if let Some(why) = unsafe_char(value) {
                table
                    .problems
                    .push(Problem::new(number, key, "unsafe_text", why));
            } else if value.chars().count() > MAX_CELL {
                table.problems.push(Problem::new(
                    number,
                    key,
                    "too_long",
                    format!("at most {MAX_CELL} characters"),
                ));
            } else if !value.is_empty() {
                row.cells.insert(key, value.to_string());
            }
        }
        // A row with an unreadable cell is reported, never half-imported.
        if table.problems.len() == before {
            table.rows.push(row);
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(number: usize, cells: &[&str]) -> Line {
        Line {
            number,
            cells: Ok(cells.iter().map(|c| Cell::Value(c.to_string())).collect()),
        }
    }

    #[test]
    fn rows_keep_the_numbers_their_reader_gave_them() {
        // A workbook's rows 1, 4 and 9 (blank rows between are simply absent).
        let lines = vec![
            line(1, &["site_code", "sex", "birth_year", "displacement"]),
            line(4, &["K1", "female", "2014", "idp"]),
            Line {
                number: 9,
                cells: Ok(vec![
                    Cell::Value("K1".into()),
                    Cell::Value("male".into()),
                    Cell::Unreadable("the cell holds an error (#N/A)".into()),
                    Cell::Value("idp".into()),
                ]),
            },
        ];
        let table = from_lines(Kind::Participants, lines.into_iter());
        assert_eq!((table.count, table.rows.len()), (2, 1));
        assert_eq!(table.rows[0].number, 4);
        assert_eq!(
            (table.problems[0].row, table.problems[0].column.as_str()),
            (9, "birth_year")
        );
    }

    #[test]
    fn reading_stops_one_row_past_the_limit() {
        let header = line(1, &["site_code", "sex", "birth_year", "displacement"]);
        let rows = (2..).map(|n| line(n, &["K1", "female", "2014", "idp"]));
        let mut pulled = 0;
        let lines = std::iter::once(header).chain(rows.inspect(|_| pulled += 1));
        let table = from_lines(Kind::Participants, lines);
        assert!(table.unusable);
        assert_eq!(table.problems.last().unwrap().code, "too_many_rows");
        assert_eq!(pulled, MAX_ROWS + 1);
    }
}
