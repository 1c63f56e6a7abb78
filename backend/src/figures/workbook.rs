//! An XLSX workbook written as its rows arrive, for exports that stream.
//!
//! A workbook is a zip of XML parts. The zip is written forward only, each
//! part's sizes and checksum in a data descriptor after its data (the `zip`
//! crate's stream writer), so the sheet's XML is compressed and handed out
//! while the next rows are still being read: the first bytes leave at once
//! and the server holds one page of rows and the compressor's window, never
//! the workbook. (rust_xlsxwriter, which wrote these exports before, builds
//! the whole workbook in memory; its `constant_memory` mode keeps rows in a
//! temporary file instead, but still zips only at the end, so nothing could
//! be sent before the last row was read.)
//!
//! Strings are inline (`t="inlineStr"`), so no shared-strings table has to
//! be held until the end; the header row is bold and frozen. A sheet holds
//! at most [`SHEET_ROWS`] rows, Excel's limit: past it the rows go on in a
//! second sheet under the same header. The parts that name the sheets
//! (workbook, relationships, content types) are written last, when their
//! number is known; readers find every part through the zip's central
//! directory, whatever their order.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use zip::write::SimpleFileOptions;
use zip::write::StreamWriter;
use zip::ZipWriter;

use super::exports::Cell;

/// Rows one sheet may hold (Excel's limit), header rows included.
pub const SHEET_ROWS: u32 = 1_048_576;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Where the zip writes: bytes wait here until [`Workbook::take`] hands
/// them on.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Write for Pending {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A workbook being written: one sheet (or more, past [`SHEET_ROWS`]) of a
/// header, optional HXL hashtags under it, and the rows given.
pub struct Workbook {
    zip: ZipWriter<StreamWriter<Pending>>,
    pending: Pending,
    headers: Vec<String>,
    hxl: Option<Vec<String>>,
    /// Column letters, `A`, `B`, …, for each column of the header.
    columns: Vec<String>,
    sheets: u32,
    /// The row number the next row gets in the current sheet.
    next_row: u32,
    sheet_rows: u32,
    xml: String,
}

fn to_io(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e)
}

impl Workbook {
    /// Starts a workbook: its styles, and the first sheet with its header.
    pub fn new(headers: &[&str], hxl: Option<&[&str]>) -> io::Result<Workbook> {
        Workbook::with_sheet_rows(headers, hxl, SHEET_ROWS)
    }

    fn with_sheet_rows(
        headers: &[&str],
        hxl: Option<&[&str]>,
        sheet_rows: u32,
    ) -> io::Result<Workbook> {
        let pending = Pending::default();
        let mut book = Workbook {
            zip: ZipWriter::new_stream(pending.clone()),
            pending,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            hxl: hxl.map(|tags| tags.iter().map(|t| t.to_string()).collect()),
            columns: (0..headers.len()).map(column_letters).collect(),
            sheets: 0,
            next_row: 1,
            sheet_rows,
            xml: String::with_capacity(64 * 1024),
        };
        book.part("xl/styles.xml", STYLES)?;
        book.start_sheet()?;
        Ok(book)
    }

    /// Writes one small part whole.
    fn part(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.zip
            .start_file(name, SimpleFileOptions::default())
            .map_err(to_io)?;
        self.zip.write_all(text.as_bytes())
    }

    fn start_sheet(&mut self) -> io::Result<()> {
        self.sheets += 1;
        self.next_row = 1;
        self.zip
            .start_file(
                format!("xl/worksheets/sheet{}.xml", self.sheets),
                SimpleFileOptions::default(),
            )
            .map_err(to_io)?;
        let frozen = if self.hxl.is_some() { 2 } else { 1 };
        self.xml.clear();
        self.xml.push_str(&format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<worksheet xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\"><sheetViews><sheetView workbookViewId=\"0\">\
<pane ySplit=\"{frozen}\" topLeftCell=\"A{}\" activePane=\"bottomLeft\" state=\"frozen\"/>\
<selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetData>",
            frozen + 1
        ));
        let headers = std::mem::take(&mut self.headers);
        self.text_row(&headers, true);
        self.headers = headers;
        if let Some(tags) = self.hxl.take() {
            self.text_row(&tags, false);
            self.hxl = Some(tags);
        }
        self.flush_xml()
    }

    fn text_row(&mut self, cells: &[String], bold: bool) {
        let r = self.next_row;
        self.xml.push_str(&format!("<row r=\"{r}\">"));
        for (c, text) in cells.iter().enumerate() {
            self.text_cell(c, r, text, bold);
        }
        self.xml.push_str("</row>");
        self.next_row += 1;
    }

    fn text_cell(&mut self, c: usize, r: u32, text: &str, bold: bool) {
        let style = if bold { " s=\"1\"" } else { "" };
        let column = self
            .columns
            .get(c)
            .cloned()
            .unwrap_or_else(|| column_letters(c));
        self.xml.push_str(&format!(
            "<c r=\"{column}{r}\"{style} t=\"inlineStr\"><is><t"
        ));
        if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
            self.xml.push_str(" xml:space=\"preserve\"");
        }
        self.xml.push('>');
        escape_into(&mut self.xml, text);
        self.xml.push_str("</t></is></c>");
    }

    fn flush_xml(&mut self) -> io::Result<()> {
        self.zip.write_all(self.xml.as_bytes())?;
        self.xml.clear();
        Ok(())
    }

    /// Adds rows to the sheet (starting another when one is full).
    pub fn write_rows(&mut self, rows: &[Vec<Cell>]) -> io::Result<()> {
        for row in rows {
            if self.next_row > self.sheet_rows {
                self.flush_xml()?;
                self.end_sheet()?;
                self.start_sheet()?;
            }
            let r = self.next_row;
            self.xml.push_str(&format!("<row r=\"{r}\">"));
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) if t.is_empty() => {}
                    Cell::Text(t) => self.text_cell(c, r, t, false),
                    Cell::Number(n) => {
                        let column = self
                            .columns
                            .get(c)
                            .cloned()
                            .unwrap_or_else(|| column_letters(c));
                        self.xml
                            .push_str(&format!("<c r=\"{column}{r}\"><v>{n}</v></c>"));
                    }
                }
            }
            self.xml.push_str("</row>");
            self.next_row += 1;
            if self.xml.len() > 48 * 1024 {
                self.flush_xml()?;
            }
        }
        self.flush_xml()
    }

    fn end_sheet(&mut self) -> io::Result<()> {
        self.zip.write_all(b"</sheetData></worksheet>")
    }

    /// The bytes ready to send (possibly none: the compressor keeps a window).
    pub fn take(&mut self) -> Bytes {
        let mut pending = self.pending.0.lock().expect("not poisoned");
        Bytes::from(std::mem::take(&mut *pending))
    }

    /// Ends the sheet, writes the parts that name the sheets and the zip's
    /// central directory; the last bytes of the workbook.
    pub fn finish(mut self) -> io::Result<Bytes> {
        self.flush_xml()?;
        self.end_sheet()?;
        let sheets = self.sheets;
        let mut names = String::new();
        let mut rels = String::new();
        let mut types = String::new();
        for n in 1..=sheets {
            names.push_str(&format!(
                "<sheet name=\"Sheet{n}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"
            ));
            rels.push_str(&format!(
                "<Relationship Id=\"rId{n}\" Type=\"{DOC_RELS}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
            ));
            types.push_str(&format!(
                "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            ));
        }
        let head = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
        self.part(
            "xl/workbook.xml",
            &format!("{head}<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\"><sheets>{names}</sheets></workbook>"),
        )?;
        self.part(
            "xl/_rels/workbook.xml.rels",
            &format!(
                "{head}<Relationships xmlns=\"{RELS}\">{rels}<Relationship Id=\"rId{}\" Type=\"{DOC_RELS}/styles\" Target=\"styles.xml\"/></Relationships>",
                sheets + 1
            ),
        )?;
        self.part(
            "_rels/.rels",
            &format!("{head}<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
        )?;
        self.part(
            "[Content_Types].xml",
            &format!(
                "{head}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
{types}</Types>"
            ),
        )?;
        let pending = self.pending.clone();
        self.zip.finish().map_err(to_io)?;
        let mut rest = pending.0.lock().expect("not poisoned");
        Ok(Bytes::from(std::mem::take(&mut *rest)))
    }
}

/// Two cell formats: the default, and bold (the header).
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

/// `A`, `B`, …, `Z`, `AA`, … for column `index` (from 0).
fn column_letters(index: usize) -> String {
    let mut name = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        name.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII")
}

/// Escapes text for XML, leaving out characters XML 1.0 cannot hold (the
/// control characters other than tab and line breaks).
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn read_back(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<Data>>)> {
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        book.sheet_names()
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).unwrap();
                (name, range.rows().map(|r| r.to_vec()).collect())
            })
            .collect()
    }

    fn row(i: usize) -> Vec<Cell> {
        vec![
            Cell::Text(format!("r{i} <&> \"عربي\"")),
            Cell::Number(i as f64),
            Cell::Text(String::new()),
            Cell::Number(1.5),
        ]
    }

    #[test]
    fn the_workbook_reads_back_with_its_header_hashtags_and_rows() {
        let mut book = Workbook::new(
            &["Name", "N", "Empty", "Half"],
            Some(&["#a", "#b", "#c", "#d"]),
        )
        .unwrap();
        let mut sent = book.take().to_vec();
        assert!(
            sent.starts_with(b"PK\x03\x04"),
            "the first bytes are ready at once"
        );
        for page in 0..3 {
            let rows: Vec<Vec<Cell>> = (page * 10..page * 10 + 10).map(row).collect();
            book.write_rows(&rows).unwrap();
            sent.extend_from_slice(&book.take());
        }
        sent.extend_from_slice(&book.finish().unwrap());
        let sheets = read_back(sent);
        assert_eq!(sheets.len(), 1);
        let rows = &sheets[0].1;
        assert_eq!(rows.len(), 32);
        assert_eq!(rows[0][0], Data::String("Name".into()));
        assert_eq!(rows[1][3], Data::String("#d".into()));
        assert_eq!(rows[2][0], Data::String("r0 <&> \"عربي\"".into()));
        assert_eq!(rows[31][1], Data::Float(29.0));
        assert_eq!(rows[31][2], Data::Empty);
        assert_eq!(rows[31][3], Data::Float(1.5));
    }

    #[test]
    fn rows_past_a_sheets_limit_go_on_in_another_sheet_under_the_same_header() {
        let mut book = Workbook::with_sheet_rows(&["Name", "N", "Empty", "Half"], None, 4).unwrap();
        let rows: Vec<Vec<Cell>> = (0..7).map(row).collect();
        book.write_rows(&rows).unwrap();
        let mut sent = book.take().to_vec();
        sent.extend_from_slice(&book.finish().unwrap());
        let sheets = read_back(sent);
        let sizes: Vec<usize> = sheets.iter().map(|(_, rows)| rows.len()).collect();
        assert_eq!(sizes, [4, 4, 2]);
        assert!(sheets
            .iter()
            .all(|(_, rows)| rows[0][0] == Data::String("Name".into())));
        assert_eq!(sheets[2].1[1][1], Data::Float(6.0));
    }

    #[test]
    fn control_characters_xml_cannot_hold_are_left_out() {
        let mut out = String::new();
        escape_into(&mut out, "a\u{1}b\tc");
        assert_eq!(out, "ab\tc");
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
