//! The row-level records export streams: it starts at once, reads one page
//! at a time, and still holds every record exactly once with its own
//! participants' codes, across page boundaries and days with many records;
//! as CSV and as an XLSX workbook streamed as a zip, which reads back (with
//! calamine) to the same rows. The figures export streams both ways too.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use reqwest::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sijil::participants::code;
use sijil::validate::dates;
use sijil_e2e::field::{activity_type, group, item, new_id, Phone};
use sijil_e2e::{body, each_database, Api};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every row of every sheet of a workbook, as the text a CSV file holds.
fn workbook_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a readable workbook");
    let mut rows = vec![];
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("a readable sheet");
        for row in range.rows() {
            rows.push(
                row.iter()
                    .map(|cell| match cell {
                        Data::Empty => String::new(),
                        Data::String(s) => s.clone(),
                        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                        Data::Float(f) => format!("{f:.2}"),
                        Data::Int(n) => n.to_string(),
                        other => panic!("unexpected cell {other:?}"),
                    })
                    .collect(),
            );
        }
    }
    rows
}

/// Every row of a CSV download (its byte-order mark dropped).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark first");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A download that streams: no length known up front, sent in chunks.
async fn streamed(api: &Api, path: &str, content_type: &str) -> Vec<u8> {
    let res = api.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(res.headers()[CONTENT_TYPE], content_type);
    assert!(
        res.headers().get(CONTENT_LENGTH).is_none(),
        "{:?}",
        res.headers()
    );
    assert_eq!(res.headers()[TRANSFER_ENCODING], "chunked");
    res.bytes().await.unwrap().to_vec()
}

/// More than two pages (500 each) and one over, so the last page is short.
const SESSIONS: usize = 1_201;

#[tokio::test]
async fn a_records_export_streams_every_record_once_with_its_own_codes() {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "MOS-11").await;
        let pss = activity_type(&admin, "PSS").await;
        let mut phone = Phone::new(app.user(&admin, "rana", "trainer", &[site]).await).await;

        let mut members = vec![];
        let mut codes_of = BTreeMap::new();
        let mut items = vec![];
        for n in 0..30 {
            let (id, it) = phone.participant(site, ["female", "male"][n % 2], 1990 + n as i64);
            codes_of.insert(id.clone(), it["data"]["code"].as_str().unwrap().to_string());
            members.push(id);
            items.push(it);
        }
        let group_id = new_id();
        items.push(item("group", &group_id, 0, group(site, pss, &members)));
        assert!(phone.push(&items).await.iter().all(|r| r["status"] == "stored"));

        // Sessions over the last ten days, so pages end both inside a day
        // and on a day's edge; who was present differs from one to the next.
        let today = dates::today();
        let mut expected = BTreeMap::new();
        let sessions: Vec<Value> = (0..SESSIONS)
            .map(|i| {
                let id = new_id();
                let present: Vec<String> = members
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| (i + j) % 3 != 0 && (i * 7 + j) % 11 != 0)
                    .map(|(_, m)| m.clone())
                    .collect();
                let mut wanted: Vec<String> = present
                    .iter()
                    .map(|p| code::display(&code::normalise(&codes_of[p]).unwrap()))
                    .collect();
                wanted.sort();
                expected.insert(id.clone(), wanted);
                let date = dates::format(today - time::Duration::days((i % 10) as i64));
                item(
                    "record",
                    &id,
                    0,
                    json!({ "kind": "group_session", "activity_type_id": pss, "site_id": site,
                        "group_id": group_id, "date": date, "start_time": "10:00",
                        "duration_minutes": 90, "topic": "Coping with stress", "attendance": present }),
                )
            })
            .collect();
        for batch in sessions.chunks(200) {
            assert!(phone.push(batch).await.iter().all(|r| r["status"] == "stored"));
        }

        let from = dates::format(today - time::Duration::days(30));
        let to = dates::format(today);
        let res = admin
            .get(&format!("/api/exports/records?from={from}&to={to}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
        // Streamed: no length known up front, sent in chunks.
        assert!(res.headers().get(CONTENT_LENGTH).is_none(), "{:?}", res.headers());
        assert_eq!(res.headers()[TRANSFER_ENCODING], "chunked");
        let text = res.text().await.unwrap();
        let text = text.strip_prefix('\u{feff}').expect("a byte-order mark first");

        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (id_col, date_col) = (column("Record"), column("Date"));
        let (count_col, codes_col) = (column("Attendances"), column("Participant codes"));
        let mut seen = BTreeMap::new();
        let mut previous = (String::new(), String::new());
        for row in reader.records() {
            let row = row.unwrap();
            let key = (row[date_col].to_string(), row[id_col].to_string());
            assert!(key > previous, "rows in (date, id) order: {key:?} after {previous:?}");
            previous = key;
            let codes: Vec<String> = row[codes_col]
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            assert_eq!(row[count_col].parse::<usize>().unwrap(), codes.len());
            assert!(seen.insert(row[id_col].to_string(), codes).is_none(), "a record twice");
        }
        assert_eq!(seen.len(), SESSIONS);
        assert_eq!(seen, expected, "each record with exactly its own codes");

        // The workbook, streamed too, reads back to the same rows in the
        // same order, header first.
        let csv_text = admin
            .get(&format!("/api/exports/records?from={from}&to={to}"))
            .await
            .text()
            .await
            .unwrap();
        let path = format!("/api/exports/records?from={from}&to={to}&format=xlsx");
        let xlsx = streamed(&admin, &path, XLSX).await;
        assert_eq!(&xlsx[..4], b"PK\x03\x04");
        let sheet = workbook_rows(&xlsx);
        assert_eq!(sheet.len(), SESSIONS + 1);
        assert_eq!(sheet, csv_rows(&csv_text));

        // All three downloads are in the audit log, each audited once.
        let audit = body(admin.get("/api/audit?action=export.records").await).await;
        let entries = audit["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 3, "{audit}");

        // The figures export (5W, with HXL hashtags) streams both ways and
        // the workbook holds what the CSV file holds: header, hashtag row,
        // one row per site × month × type.
        let figures = format!("/api/exports/figures?scope=site:{site}&from={from}&to={to}&hxl=true");
        let csv_text = String::from_utf8(streamed(&admin, &figures, "text/csv; charset=utf-8").await).unwrap();
        let csv_figures = csv_rows(&csv_text);
        assert_eq!(csv_figures[0][0], "Organisation");
        assert_eq!(csv_figures[1][0], "#org+impl+name");
        assert!(csv_figures.len() >= 3, "{csv_text}");
        let at = csv_figures[0].iter().position(|h| h == "Attendances").unwrap();
        let total: i64 = csv_figures[2..].iter().map(|r| r[at].parse::<i64>().unwrap()).sum();
        let attendances: usize = expected.values().map(Vec::len).sum();
        assert_eq!(total, attendances as i64, "attendances in the 5W rows");
        let xlsx = streamed(&admin, &format!("{figures}&format=xlsx"), XLSX).await;
        assert_eq!(workbook_rows(&xlsx), csv_figures);

        // Browsers ask for compressed answers: the streamed file comes
        // whole through gzip and brotli too (the compressor reads past the
        // stream's end to write its trailer).
        for encoding in ["gzip", "br"] {
            let res = admin
                .request(reqwest::Method::GET, &figures)
                .header(ACCEPT_ENCODING, encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()[CONTENT_ENCODING], encoding);
            let packed = res.bytes().await.expect("the whole compressed body");
            let mut unpacked = String::new();
            match encoding {
                "gzip" => flate2::read::GzDecoder::new(&packed[..]).read_to_string(&mut unpacked),
                _ => brotli_decompressor::Decompressor::new(&packed[..], 4096).read_to_string(&mut unpacked),
            }
            .expect("a complete stream");
            assert_eq!(unpacked, csv_text, "{encoding}");
        }
        let audit = body(admin.get("/api/audit?action=export.figures").await).await;
        assert_eq!(audit["entries"].as_array().unwrap().len(), 4, "{audit}");
    })
    .await;
}
