//! A programme's list as a workbook (`.xlsx`): its first sheet read into
//! the same [`Line`]s as a CSV file, so every rule is shared
//! ([`table::from_lines`]); and the templates as workbooks.
//!
//! Cells typed by the spreadsheet become the text a CSV file would hold:
//! a number typed as a number (a birth year, `2014`) is `2014`, never
//! `2014.0`; a date typed as a date is `YYYY-MM-DD`; a true/false cell is
//! `yes`/`no`; a cell holding an error (`#N/A`) is reported at its row and
//! column. Row numbers are the sheet's own.
//!
//! Bounds, since a small file can unpack to a great deal (a "zip bomb"):
//! the upload is at most [`super::MAX_FILE_BYTES`]; the workbook at most
//! [`MAX_PARTS`] parts, unpacking to at most [`MAX_UNPACKED_BYTES`] in
//! all, checked by unpacking it once before the workbook is opened; cells
//! past column [`MAX_COLUMNS`] are ignored; and reading stops one data row
//! past [`table::MAX_ROWS`]. A sheet's rows are read one at a time and never
//! laid out as a grid, so a cell far down and to the right costs nothing.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader};

use super::model::{Kind, Language};
use super::table::{self, Cell, Line, Table};

/// Most parts (files inside the zip) a workbook may hold.
pub const MAX_PARTS: usize = 200;
/// Most bytes all of a workbook's parts may unpack to: a 5,000-row list
/// takes about 2 MB of sheet XML.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Columns read from each row (a programme's own extra columns beyond the
/// template's are ignored anyway).
pub const MAX_COLUMNS: usize = 100;

/// Why a workbook was not read.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Not an XLSX workbook at all (or a damaged or password-protected one).
    NotASpreadsheet(String),
    /// It unpacks to more than the bounds allow.
    TooLarge(String),
}

/// Whether the bytes start as a zip file does (an XLSX is one).
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first sheet of a workbook into a table.
pub fn read(kind: Kind, bytes: &[u8]) -> Result<Table, Refusal> {
    check_unpacked_size(bytes)?;
    let not_a_spreadsheet = |e: calamine::XlsxError| Refusal::NotASpreadsheet(e.to_string());
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(not_a_spreadsheet)?;
    let Some(first) = workbook.sheet_names().into_iter().next() else {
        return Err(Refusal::NotASpreadsheet("the workbook has no sheet".into()));
    };
    let cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(not_a_spreadsheet)?;
    let lines = SheetLines {
        cells,
        pending: None,
        done: false,
    }
    // Rows above the header that hold nothing (a sheet's formatting only).
    .skip_while(|line| {
        matches!(&line.cells, Ok(cells) if cells.iter().all(|c| matches!(c, Cell::Value(v) if v.trim().is_empty())))
    });
    Ok(table::from_lines(kind, lines))
}

/// Unpacks every part once, counting, and refuses a workbook past the
/// bounds; the sizes a zip declares are not trusted, the bytes are counted.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), Refusal> {
    let not_a_spreadsheet = |e: zip::result::ZipError| Refusal::NotASpreadsheet(e.to_string());
    if !looks_like_zip(bytes) {
        return Err(Refusal::NotASpreadsheet(
            "the file is not an XLSX workbook".into(),
        ));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_a_spreadsheet)?;
    if archive.len() > MAX_PARTS {
        return Err(Refusal::TooLarge(format!(
            "the workbook holds more than {MAX_PARTS} parts"
        )));
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let part = archive.by_index(index).map_err(not_a_spreadsheet)?;
        let left = MAX_UNPACKED_BYTES - total;
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|e| Refusal::NotASpreadsheet(e.to_string()))?;
        total += read;
        if total > MAX_UNPACKED_BYTES {
            return Err(Refusal::TooLarge(format!(
                "the workbook unpacks to more than {} MB",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// A sheet's cells, gathered a row at a time, in the order the sheet
/// stores them (rows ascending).
struct SheetLines<'a> {
    cells: XlsxCellReader<'a, Cursor<&'a [u8]>>,
    /// The first cell of the next row, read while ending the last.
    pending: Option<calamine::Cell<DataRef<'a>>>,
    done: bool,
}

impl Iterator for SheetLines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.done {
            return None;
        }
        let first = match self.pending.take() {
            Some(cell) => cell,
            None => match self.cells.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => return self.end(),
                Err(e) => return self.broken(1, e),
            },
        };
        let row = first.get_position().0;
        let mut cells = vec![];
        place(&mut cells, &first);
        loop {
            match self.cells.next_cell() {
                Ok(Some(cell)) if cell.get_position().0 == row => place(&mut cells, &cell),
                Ok(Some(cell)) => {
                    self.pending = Some(cell);
                    break;
                }
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => return self.broken(row as usize + 1, e),
            }
        }
        Some(Line {
            number: row as usize + 1,
            cells: Ok(cells),
        })
    }
}

impl SheetLines<'_> {
    fn end(&mut self) -> Option<Line> {
        self.done = true;
        None
    }

    /// The sheet stops being readable at `number`: that line is reported
    /// and nothing after it is read.
    fn broken(&mut self, number: usize, e: calamine::XlsxError) -> Option<Line> {
        self.done = true;
        Some(Line {
            number,
            cells: Err(format!("the sheet cannot be read from here on: {e}")),
        })
    }
}

/// Puts a cell at its column of the row being gathered.
fn place(cells: &mut Vec<Cell>, cell: &calamine::Cell<DataRef<'_>>) {
    let column = cell.get_position().1 as usize;
    if column >= MAX_COLUMNS {
        return;
    }
    if cells.len() <= column {
        cells.resize(column + 1, Cell::Value(String::new()));
    }
    cells[column] = as_text(cell.get_value());
}

/// A cell as the text a CSV file would hold.
fn as_text(value: &DataRef<'_>) -> Cell {
    let text = match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        DataRef::DateTime(dt) if dt.is_duration() => {
            return Cell::Unreadable("a duration, not a date".into())
        }
        DataRef::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        // An ISO date with a time of day: the date is what counts.
        DataRef::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Cell::Unreadable(format!("the cell holds an error ({e})")),
    };
    Cell::Value(text)
}

/// A number as typed: whole numbers without a decimal point.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The template of `kind` as a workbook: the header row in `language`
/// (bold, frozen; right to left for Arabic, Sorani and Kurmanji) and one example row,
/// the birth year typed as a number and dates as dates, as a programme's
/// own sheet would have them.
pub fn template(kind: Kind, language: Language) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let at = match language {
        Language::En => 0,
        Language::Ar => 1,
        Language::Ckb => 2,
        Language::Kmr => 3,
    };
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet();
    sheet.set_name(kind.as_str())?;
    sheet.set_right_to_left(language != Language::En);
    for (c, column) in kind.columns().iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, 20)?;
        sheet.write_string_with_format(0, c, column.names[at], &bold)?;
        let example = column.example;
        if example.is_empty() {
            continue;
        }
        match column.key {
            "birth_year" => {
                sheet.write_number(1, c, example.parse::<f64>().unwrap_or_default())?;
            }
            "registered_on" | "joined_on" => {
                let day = ExcelDateTime::parse_from_str(example)?;
                sheet.write_datetime_with_format(1, c, &day, &date)?;
            }
            _ => {
                sheet.write_string(1, c, example)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn workbook(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut book = Workbook::new();
        fill(book.add_worksheet());
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_template_reads_back_without_problems_in_every_language() {
        for language in [Language::En, Language::Ar, Language::Ckb, Language::Kmr] {
            for kind in [Kind::Sites, Kind::Users, Kind::Participants, Kind::Groups] {
                let bytes = template(kind, language).unwrap();
                let table = read(kind, &bytes).unwrap();
                assert!(table.problems.is_empty(), "{kind:?} {language:?}");
                assert_eq!(table.rows.len(), 1);
                assert_eq!(table.rows[0].number, 2);
            }
        }
        let table = read(
            Kind::Participants,
            &template(Kind::Participants, Language::Ar).unwrap(),
        )
        .unwrap();
        assert_eq!(table.rows[0].get("birth_year"), Some("2014"));
        assert_eq!(table.rows[0].get("registered_on"), Some("2026-01-15"));
    }

    #[test]
    fn typed_cells_read_as_a_csv_file_would_hold_them() {
        let bytes = workbook(|s| {
            let date = Format::new().set_num_format("dd/mm/yyyy");
            for (c, h) in [
                "site_code",
                "sex",
                "birth_year",
                "displacement",
                "registered_on",
            ]
            .iter()
            .enumerate()
            {
                s.write_string(0, c as u16, *h).unwrap();
            }
            s.write_string(1, 0, "K1").unwrap();
            s.write_string(1, 1, "female").unwrap();
            s.write_number(1, 2, 2014.0).unwrap();
            s.write_string(1, 3, "idp").unwrap();
            let day = ExcelDateTime::from_ymd(2026, 2, 3).unwrap();
            s.write_datetime_with_format(1, 4, &day, &date).unwrap();
            // Row 5 (rows 3 and 4 blank): a birth year typed as text, and
            // a cell far out to the right (ignored, costing nothing).
            s.write_string(4, 0, "K1").unwrap();
            s.write_string(4, 1, "male").unwrap();
            s.write_string(4, 2, "2011").unwrap();
            s.write_string(4, 3, "host").unwrap();
            s.write_number(5, 500, 1.0).unwrap();
            s.write_number(1_000_000, 16_000, 1.0).unwrap();
        });
        let table = read(Kind::Participants, &bytes).unwrap();
        assert_eq!(table.count, 2);
        let row = &table.rows[0];
        assert_eq!(row.number, 2);
        assert_eq!(row.get("birth_year"), Some("2014"));
        assert_eq!(row.get("registered_on"), Some("2026-02-03"));
        assert_eq!(table.rows[1].number, 5);
        assert_eq!(table.rows[1].get("birth_year"), Some("2011"));
        assert!(table.problems.is_empty(), "{:?}", table.problems);
    }

    #[test]
    fn an_error_cell_is_reported_and_true_false_reads_as_yes_no() {
        let na = as_text(&DataRef::Error(calamine::CellErrorType::NA));
        assert!(matches!(na, Cell::Unreadable(why) if why.contains("#N/A")));
        assert_eq!(as_text(&DataRef::Bool(true)), Cell::Value("yes".into()));
        assert_eq!(as_text(&DataRef::Float(2014.0)), Cell::Value("2014".into()));
        assert_eq!(as_text(&DataRef::Float(2.5)), Cell::Value("2.5".into()));
        assert_eq!(
            as_text(&DataRef::DateTimeIso("2026-01-15T00:00:00".into())),
            Cell::Value("2026-01-15".into())
        );
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused() {
        assert!(matches!(
            read(Kind::Participants, b"site_code,sex\nK1,f\n"),
            Err(Refusal::NotASpreadsheet(_))
        ));
        // A zip, but not a workbook.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"hello").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(matches!(
            read(Kind::Participants, &bytes),
            Err(Refusal::NotASpreadsheet(_))
        ));
    }

    #[test]
    fn a_workbook_that_unpacks_past_the_bound_is_refused_before_it_is_opened() {
        // About 70 MB of sheet text, deflated to well under a megabyte.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        let block = vec![b' '; 1024 * 1024];
        for _ in 0..70 {
            std::io::Write::write_all(&mut zip, &block).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 1024 * 1024, "{}", bytes.len());
        assert!(matches!(
            read(Kind::Participants, &bytes),
            Err(Refusal::TooLarge(_))
        ));
    }
}
