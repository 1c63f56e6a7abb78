//! A CSV or XLSX download sent as it is written: the response goes out at
//! once with the file's head (a CSV header, or a workbook's first parts),
//! then each batch of rows as it is written, through a bounded channel, so
//! reading runs ahead of a slow client only so far and the server holds a
//! few batches at a time, whatever the rows. A failure half-way aborts the
//! response: the client sees a broken download, never a short file that
//! looks whole.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::exports::Cell;
use super::workbook::Workbook;

/// The file being written.
enum Sheet {
    Csv,
    Xlsx(Box<Workbook>),
}

/// Why a download stopped early.
#[derive(Debug)]
pub struct Stopped;

/// The writing end of a download.
pub struct Download {
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    sheet: Sheet,
}

/// Starts a download named `name` in `format` (`csv` or `xlsx`): the
/// response to return now, and the end to write rows into (from a task).
pub fn start(
    format: &str,
    name: &str,
    headers: &[&str],
    hxl: Option<&[&str]>,
) -> (Download, Response) {
    // A few batches of slack.
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let (sheet, head) = match format {
        "xlsx" => match Workbook::new(headers, hxl) {
            Ok(mut book) => {
                let head = book.take();
                (Sheet::Xlsx(Box::new(book)), Ok(head))
            }
            Err(e) => (Sheet::Csv, Err(e)),
        },
        _ => (Sheet::Csv, csv_head(headers, hxl)),
    };
    // The channel is empty: the head always fits.
    let _ = sender.try_send(head);
    // Polled again after its end by the compression layer (a gzip or
    // brotli trailer is written after the last chunk), so it must keep
    // answering "no more" rather than panic as `stream::unfold` does; a
    // closed channel does exactly that.
    let mut receiver = receiver;
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let response = (download_headers(format, name), Body::from_stream(stream)).into_response();
    (Download { sender, sheet }, response)
}

/// A small table whose rows are all in hand (referral figures, say), sent
/// the same way as the long exports, so there is one way to write a file.
pub fn complete(
    format: &str,
    name: &str,
    headers: &[&str],
    hxl: Option<&[&str]>,
    rows: Vec<Vec<Cell>>,
) -> Response {
    let (mut out, response) = start(format, name, headers, hxl);
    tokio::spawn(async move {
        if out.rows(&rows).await.is_ok() {
            let _ = out.finish().await;
        }
    });
    response
}

impl Download {
    /// Writes rows and sends what is ready. `Stopped` when the client went
    /// away or writing failed (the response is then aborted).
    pub async fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), Stopped> {
        let chunk = match &mut self.sheet {
            Sheet::Csv => csv_rows(rows),
            Sheet::Xlsx(book) => book.write_rows(rows).map(|()| book.take()),
        };
        self.send(chunk).await
    }

    async fn send(&mut self, chunk: Result<Bytes, std::io::Error>) -> Result<(), Stopped> {
        let failed = chunk.is_err();
        if let Err(e) = &chunk {
            tracing::error!(error = %e, "download: writing failed");
        }
        if matches!(&chunk, Ok(bytes) if bytes.is_empty()) {
            return Ok(());
        }
        if self.sender.send(chunk).await.is_err() || failed {
            return Err(Stopped);
        }
        Ok(())
    }

    /// Ends the file (a workbook's last parts) and the response.
    pub async fn finish(mut self) -> Result<(), Stopped> {
        let last = match std::mem::replace(&mut self.sheet, Sheet::Csv) {
            Sheet::Csv => return Ok(()),
            Sheet::Xlsx(book) => book.finish(),
        };
        self.send(last).await
    }

    /// Aborts the response: the download breaks instead of ending short.
    pub async fn fail(self) {
        let _ = self
            .sender
            .send(Err(std::io::Error::other("the export failed")))
            .await;
    }
}

fn download_headers(format: &str, name: &str) -> [(header::HeaderName, String); 3] {
    let content_type = match format {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "text/csv; charset=utf-8",
    };
    [
        (header::CONTENT_TYPE, content_type.to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{format}\""),
        ),
        (header::CACHE_CONTROL, "no-store".into()),
    ]
}

/// A byte-order mark (so spreadsheet programs read Arabic and Kurdish names
/// as UTF-8), the header row and the HXL hashtags under it.
fn csv_head(headers: &[&str], hxl: Option<&[&str]>) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(headers)?;
    if let Some(tags) = hxl {
        w.write_record(tags)?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| e.into_error())
}

fn csv_rows(rows: &[Vec<Cell>]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    for row in rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => format!("{n:.2}"),
        }))?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| e.into_error())
}
