//! Importing a programme's lists from XLSX workbooks (issue 16): the same
//! scenarios as the CSV files (`imports.rs`), from workbooks whose numbers
//! are typed as numbers and dates as dates; problems at the sheet's own row
//! numbers; a file that is not a workbook refused with its own code; the
//! templates as workbooks in each language.

use std::collections::BTreeSet;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use sijil::participants::code;
use sijil_e2e::field::pull_all;
use sijil_e2e::{body, each_database, Api};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A cell of a test workbook, typed as a person's spreadsheet would type it.
#[derive(Clone, Copy)]
enum C<'a> {
    T(&'a str),
    N(f64),
    /// A date (`YYYY-MM-DD`) typed as an Excel date, shown day first.
    D(&'a str),
    Blank,
}

/// A workbook whose first sheet holds `rows` from row 1; an empty row is
/// left blank in the sheet.
fn workbook(rows: &[Vec<C<'_>>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match *cell {
                C::T(t) => {
                    sheet.write_string(r, c, t).unwrap();
                }
                C::N(n) => {
                    sheet.write_number(r, c, n).unwrap();
                }
                C::D(d) => {
                    let day = ExcelDateTime::parse_from_str(d).unwrap();
                    sheet.write_datetime_with_format(r, c, &day, &date).unwrap();
                }
                C::Blank => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn send(
    api: &Api,
    kind: &str,
    query: &str,
    content_type: &str,
    file: Vec<u8>,
) -> reqwest::Response {
    api.request(
        reqwest::Method::POST,
        &format!("/api/imports/{kind}?{query}"),
    )
    .header("content-type", content_type)
    .body(file)
    .send()
    .await
    .expect("POST a workbook")
}

/// `(row, column)` of each problem in a report.
fn places(report: &Value) -> BTreeSet<(i64, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The CSV tests' mixed file as a workbook: birth years typed as numbers,
/// registration dates as dates, and a blank sheet row 2, so every data row
/// sits one row lower than in the CSV file.
fn mixed() -> Vec<u8> {
    use C::*;
    let person = |id, name, sex, year: f64, displacement, on| {
        vec![
            T(id),
            T("K1"),
            T(name),
            T(sex),
            N(year),
            T(displacement),
            on,
            T("the programme's own note"),
        ]
    };
    workbook(&[
        vec![
            T("id"),
            T("site_code"),
            T("given_name"),
            T("sex"),
            T("birth_year"),
            T("displacement"),
            T("registered_on"),
            T("notes"),
        ],
        vec![],
        person("P-1", "Amira", "female", 2014.0, "idp", D("2026-01-15")),
        person("P-2", "Huda", "girl", 2013.0, "host", Blank),
        person("P-3", "Nour", "male", 1800.0, "idp", Blank),
        vec![T("P-4"), T("ZZ9"), T("Ali"), T("male"), N(2010.0), T("idp")],
        person("P-5", "Sa\u{202e}ra", "female", 2012.0, "idp", Blank),
        vec![T("P-6"), T("K1"), T("Dana"), T("female"), N(2011.0)],
        person("P-7", "Rana", "female", 2015.0, "returnee", D("2025-12-01")),
        // A registration date typed as text that is not a date.
        person("P-8", "Lina", "female", 2016.0, "idp", T("yesterday")),
    ])
}

#[tokio::test]
async fn a_workbook_with_bad_rows_is_reported_at_its_own_row_numbers_and_only_its_good_rows_are_written(
) {
    each_database(|app| async move {
        let admin = app.admin().await;
        let site = app.site(&admin, "K1").await;
        let trainer = app.user(&admin, "noor", "trainer", &[site]).await;

        let res = send(&admin, "participants", "mode=dry_run", XLSX, mixed()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let report = body(res).await;
        let expected: BTreeSet<(i64, String)> = [
            (4, "sex"),
            (5, "birth_year"),
            (6, "site_code"),
            (7, "given_name"),
            (8, "displacement"),
            (10, "registered_on"),
        ]
        .into_iter()
        .map(|(r, c)| (r, c.to_string()))
        .collect();
        assert_eq!(places(&report), expected, "{report}");
        assert_eq!(
            (&report["rows"], &report["bad_rows"], &report["new"]),
            (&Value::from(8), &Value::from(6), &Value::from(2))
        );
        assert_eq!(report["written"], false);
        assert_eq!(app.count("participants").await, 0);
        assert_eq!(app.count("import_keys").await, 0);

        // An apply of a workbook with problems is refused as a whole.
        let res = send(&admin, "participants", "mode=apply", XLSX, mixed()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(places(&body(res).await), expected);
        assert_eq!(app.count("participants").await, 0);
        assert_eq!(app.count("device_prefixes").await, 0);

        // Not a workbook, sent as one: 422 with its own code, nothing written.
        let res = send(
            &admin,
            "participants",
            "mode=apply",
            XLSX,
            b"id,site_code\nP-1,K1\n".to_vec(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body(res).await["error"], "not_a_spreadsheet");
        let mut broken = mixed();
        broken.truncate(broken.len() / 2);
        let res = send(&admin, "participants", "mode=dry_run", XLSX, broken).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body(res).await["error"], "not_a_spreadsheet");
        assert_eq!(app.count("participants").await, 0);

        // The good rows only; a script's octet-stream is recognised as a workbook.
        let res = send(
            &admin,
            "participants",
            "mode=apply&accept_good_rows=true",
            "application/octet-stream",
            mixed(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let report = body(res).await;
        assert_eq!(
            (&report["new"], &report["written"]),
            (&Value::from(2), &Value::Bool(true))
        );
        assert_eq!(places(&report), expected);
        assert_eq!(app.count("participants").await, 2);
        let dates: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT given_name, registered_on, birth_year FROM participants ORDER BY given_name",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            dates,
            [
                ("Amira".to_string(), "2026-01-15".to_string(), 2014),
                ("Rana".to_string(), "2025-12-01".to_string(), 2015)
            ]
        );

        // They reach the trainer's phone by pull, with codes whose check character holds.
        let (changes, _) = pull_all(&trainer, None, 100).await;
        let people: Vec<&Value> = changes
            .iter()
            .filter(|c| c["entity"] == "participant")
            .collect();
        assert_eq!(people.len(), 2, "{changes:?}");
        for p in &people {
            let canonical = code::normalise(p["data"]["code"].as_str().unwrap()).unwrap();
            assert!(code::is_valid(&canonical));
        }
        assert!(
            !format!("{changes:?}").contains("own note"),
            "extra columns are never stored"
        );
        let audit = body(admin.get("/api/audit?action=import.participants").await).await;
        assert_eq!(audit["entries"].as_array().unwrap().len(), 1, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn importing_the_same_clean_workbooks_twice_stores_each_participant_and_roster_place_once() {
    use C::*;
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "K1").await;
        // Arabic headers; a programme id typed as a number; the third
        // person has no id (known by the tuple).
        let people = workbook(&[
            vec![
                T("المعرف"),
                T("رمز الموقع"),
                T("الاسم"),
                T("الجنس"),
                T("سنة الميلاد"),
                T("النزوح"),
            ],
            vec![
                N(1001.0),
                T("k1"),
                T("أمل"),
                T("أنثى"),
                N(2014.0),
                T("نازح"),
            ],
            vec![
                T("P-2"),
                T("K1"),
                T("Huda"),
                T("female"),
                N(2013.0),
                T("host"),
            ],
            vec![Blank, T("K1"), T("Nour"), T("male"), T("2012"), T("idp")],
        ]);
        for round in 0..2 {
            let res = send(&admin, "participants", "mode=apply", XLSX, people.clone()).await;
            assert_eq!(res.status(), StatusCode::OK);
            let report = body(res).await;
            let (new, skipped) = if round == 0 { (3, 0) } else { (0, 3) };
            assert_eq!(
                (&report["new"], &report["already_imported"]),
                (&Value::from(new), &Value::from(skipped)),
                "round {round}: {report}"
            );
            assert_eq!(app.count("participants").await, 3);
        }
        // The same people from a CSV file are the same people.
        let csv =
            "id,site_code,given_name,sex,birth_year,displacement\n1001,K1,أمل,female,2014,idp\n";
        let res = admin
            .request(
                reqwest::Method::POST,
                "/api/imports/participants?mode=apply",
            )
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(body(res).await["already_imported"], 1);
        assert_eq!(app.count("participants").await, 3);

        let nour: String =
            sqlx::query_scalar("SELECT code FROM participants WHERE given_name = 'Nour'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let nour = code::display(&nour);
        let roster = |with_unknown: bool| {
            let mut rows = vec![
                vec![
                    T("group_name"),
                    T("site_code"),
                    T("activity_type"),
                    T("member_id"),
                    T("member_code"),
                    T("joined_on"),
                ],
                vec![
                    T("Girls 1"),
                    T("K1"),
                    T("PSS"),
                    N(1001.0),
                    Blank,
                    D("2026-01-10"),
                ],
                vec![T("girls 1"), T("k1"), T("pss"), T("P-2")],
                vec![T("Girls 1"), T("K1"), T("PSS"), Blank, T(&nour)],
            ];
            if with_unknown {
                rows.push(vec![T("Boys 1"), T("K1"), T("PSS"), T("P-404")]);
            }
            workbook(&rows)
        };
        let report = body(send(&admin, "groups", "mode=dry_run", XLSX, roster(true)).await).await;
        assert_eq!(
            places(&report),
            BTreeSet::from([(5, "member_id".to_string())]),
            "{report}"
        );
        assert_eq!(report["new"], 3);
        assert_eq!(app.count("activity_groups").await, 0);
        for round in 0..2 {
            let res = send(&admin, "groups", "mode=apply", XLSX, roster(false)).await;
            assert_eq!(res.status(), StatusCode::OK);
            let report = body(res).await;
            let (new, skipped) = if round == 0 { (3, 0) } else { (0, 3) };
            assert_eq!(
                (&report["new"], &report["already_imported"]),
                (&Value::from(new), &Value::from(skipped)),
                "round {round}: {report}"
            );
            assert_eq!(app.count("activity_groups").await, 1);
            assert_eq!(app.count("group_members").await, 3);
        }
        let joined: String = sqlx::query_scalar("SELECT MIN(joined_on) FROM group_members")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(joined, "2026-01-10");
    })
    .await;
}

#[tokio::test]
async fn a_workbook_template_comes_in_each_language_and_reads_back_cleanly() {
    each_database(|app| async move {
        let admin = app.admin().await;
        app.site(&admin, "DHK-01").await;
        for (language, header) in [
            ("en", "site_code"),
            ("ar", "رمز الموقع"),
            ("ckb", "کۆدی شوێن"),
        ] {
            let res = admin
                .get(&format!(
                    "/api/imports/participants/template?language={language}&format=xlsx"
                ))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()["content-type"], XLSX);
            assert!(res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .ends_with(".xlsx\""));
            let bytes = res.bytes().await.unwrap().to_vec();
            let mut book = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
            let first = book.sheet_names()[0].clone();
            let range = book.worksheet_range(&first).unwrap();
            assert_eq!(range.get((0, 1)), Some(&Data::String(header.to_string())));
            // The birth year is typed as a number, as a programme's sheet has it.
            assert_eq!(range.get((1, 4)), Some(&Data::Float(2014.0)));
            let report =
                body(send(&admin, "participants", "mode=dry_run", XLSX, bytes).await).await;
            assert_eq!(
                (&report["bad_rows"], &report["new"]),
                (&Value::from(0), &Value::from(1)),
                "{report}"
            );
        }
    })
    .await;
}
