//! Exports at scale (issue 14): for the records export (whole history) and
//! the figures export (5W, the last full quarter), as CSV and as XLSX, the
//! time to the first byte, the total time, rows per second and the growth
//! of the server's peak RSS during the request, measured on a real server
//! process (its `/proc/PID/status` VmHWM, reset before each request through
//! `/proc/PID/clear_refs`).
//!
//!     SIJIL_BENCH_KEEP=/path/outside/git \
//!     SIJIL_BENCH_BASELINE_BIN=/path/to/an/older/sijil \
//!     cargo bench -p sijil-e2e --bench exports
//!
//! The programme is made once by the demo generator the figures bench uses
//! (`Spec::benchmark`, `SIJIL_BENCH_BASE_ATTENDANCES`, default 1,200,000
//! attendances, about 100,000 records) and kept in `SIJIL_BENCH_KEEP`
//! (default a folder in the temporary directory); larger sizes
//! (`SIJIL_BENCH_RECORDS`, default `100000,1000000`) are copies of it whose
//! records (with their attendances) are repeated under new ids until there
//! are that many. The copies are not added to the rollups (rebuilding them
//! at ten million attendances takes most of an hour here), so the figures
//! export reads the base programme's figures at every size: its rows are
//! sites × months × types, which the number of records does not change;
//! what grows with the records is the records export. Each size is measured with the server binary built with
//! this bench (`SIJIL_BENCH_BIN` to name another) and, in the same run, with
//! `SIJIL_BENCH_BASELINE_BIN` when given (an older build: the baseline).
//! SQLite only: the export path is the same code on PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::json;
use sijil::demo::generate::{self, Spec};
use sijil::store::Db;
use sijil_e2e::{session_cookie, Api};

const EXPORTS: [(&str, &str); 4] = [
    ("records", "csv"),
    ("records", "xlsx"),
    ("figures", "csv"),
    ("figures", "xlsx"),
];

#[tokio::main]
async fn main() {
    let sizes: Vec<i64> = std::env::var("SIJIL_BENCH_RECORDS")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("record counts"))
        .collect();
    let dir = std::env::var_os("SIJIL_BENCH_KEEP")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sijil-bench-exports"));
    std::fs::create_dir_all(&dir).expect("create the bench folder");
    let current = std::env::var_os("SIJIL_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(built_binary);
    let baseline = std::env::var_os("SIJIL_BENCH_BASELINE_BIN").map(PathBuf::from);
    let base = base_programme(&dir).await;
    println!(
        "{:<9} {:>9} {:<7} {:<6} {:>10} {:>9} {:>9} {:>11} {:>9}",
        "binary",
        "records",
        "export",
        "format",
        "first byte",
        "total",
        "rows",
        "rows/s",
        "peak RSS"
    );
    // The baseline builds a workbook whole: at a million rows that takes
    // minutes and gigabytes, so it can be left to the smaller sizes.
    let baseline_up_to: i64 = std::env::var("SIJIL_BENCH_BASELINE_UP_TO")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(i64::MAX);
    for size in sizes {
        let db = sized_copy(&dir, &base, size).await;
        for (export, format) in EXPORTS {
            if let Some(old) = baseline.as_ref().filter(|_| size <= baseline_up_to) {
                measure("baseline", old, &db, export, format).await;
            }
            measure("streamed", &current, &db, export, format).await;
        }
    }
}

/// The server binary next to this bench's profile folder.
fn built_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("sijil");
    assert!(
        bin.exists(),
        "{} is missing: build it (`cargo build -p sijil`, with --release for `cargo bench`) or set SIJIL_BENCH_BIN",
        bin.display()
    );
    bin
}

fn url_of(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

/// The generated programme, made once; the admin's password beside it.
async fn base_programme(dir: &Path) -> PathBuf {
    let file = dir.join("exports-base.db");
    let password_file = dir.join("exports-base.password");
    let db = Db::connect(&url_of(&file)).await.expect("connect");
    db.migrate().await.expect("migrate");
    if let Some(password) = sijil::users::bootstrap::first_admin(&db)
        .await
        .expect("admin")
    {
        std::fs::write(&password_file, password).expect("keep the password");
    }
    let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activity_records")
        .fetch_one(db.pool())
        .await
        .unwrap();
    if records == 0 {
        let attendances = std::env::var("SIJIL_BENCH_BASE_ATTENDANCES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_200_000);
        let admin: i64 = sqlx::query_scalar("SELECT MIN(id) FROM users")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let started = Instant::now();
        let mut progress = |stage: &str, done: u64, total: u64| {
            if done == total {
                eprintln!(
                    "   {stage} {done}/{total} ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        };
        let made = generate::generate(&db, &Spec::benchmark(attendances), admin, &mut progress)
            .await
            .expect("generate");
        eprintln!(
            "   generated {} records, {} attendances in {:.0} s",
            made.records,
            made.attendances,
            started.elapsed().as_secs_f64()
        );
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    file
}

/// A copy of the programme with `size` records: the base's records (and
/// their attendances) repeated under new ids.
async fn sized_copy(dir: &Path, base: &Path, size: i64) -> PathBuf {
    let file = dir.join(format!("exports-{size}.db"));
    if !file.exists() {
        std::fs::copy(base, &file).expect("copy the programme");
    }
    let db = Db::connect(&url_of(&file)).await.expect("connect");
    let pool = db.pool();
    let columns = |table: &'static str| async move {
        let rows: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(pool)
                .await
                .unwrap();
        rows.into_iter().map(|(n,)| n).collect::<Vec<String>>()
    };
    let record_columns = columns("activity_records").await;
    let attendance_columns = columns("attendances").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM activity_records")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let mut copy = 1;
    loop {
        let have = count().await;
        if have >= size {
            break;
        }
        let suffix = format!("-copy{copy}");
        let pick = |cols: &[String], id: &str| {
            cols.iter()
                .map(|c| {
                    if c == id {
                        format!("{c} || '{suffix}'")
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut tx = pool.begin().await.unwrap();
        sqlx::query(&format!(
            "CREATE TEMP TABLE picked AS SELECT id FROM activity_records WHERE id NOT LIKE '%-copy%' ORDER BY id LIMIT {}",
            size - have
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(&format!(
            "INSERT OR IGNORE INTO activity_records ({}) SELECT {} FROM activity_records WHERE id IN (SELECT id FROM picked)",
            record_columns.join(", "),
            pick(&record_columns, "id")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(&format!(
            "INSERT OR IGNORE INTO attendances ({}) SELECT {} FROM attendances WHERE record_id IN (SELECT id FROM picked)",
            attendance_columns.join(", "),
            pick(&attendance_columns, "record_id")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("DROP TABLE picked")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let now = count().await;
        eprintln!("   {}: {now} records", file.display());
        assert!(now > have, "copying records added none");
        copy += 1;
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
        .unwrap();
    db.close().await;
    file
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(binary: &Path, db: &Path) -> Server {
    let port = free_port();
    let child = Command::new(binary)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url_of(db))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sijil");
    let server = Server { child, port };
    let client = Client::new();
    let started = Instant::now();
    while !client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server never came up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// One export on a freshly started server (so what an earlier request left
/// in the allocator does not hide this one's peak).
async fn measure(label: &str, binary: &Path, db: &Path, export: &str, format: &str) {
    let password = std::fs::read_to_string(db.with_file_name("exports-base.password"))
        .expect("the admin's password (kept when the programme was generated)");
    let server = start(binary, db).await;
    let pid = server.child.id();
    let mut api = Api {
        app_url: format!("http://127.0.0.1:{}", server.port),
        http: Client::builder().build().unwrap(),
        cookie: None,
    };
    let res = api
        .post(
            "/api/auth/login",
            json!({ "login": "admin", "password": password.trim() }),
        )
        .await;
    assert!(res.status().is_success(), "login: {}", res.status());
    api.cookie = session_cookie(&res);

    let store = Db::connect(&url_of(db)).await.unwrap();
    let (first, last): (String, String) =
        sqlx::query_as("SELECT MIN(occurred_on), MAX(occurred_on) FROM activity_records")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let records: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM activity_records WHERE deleted = 0")
            .fetch_one(store.pool())
            .await
            .unwrap();
    store.close().await;
    let quarter = last_full_quarter(&last);

    {
        let path = match export {
            "records" => format!("/api/exports/records?from={first}&to={last}&format={format}"),
            _ => format!("/api/exports/figures?period={quarter}&format={format}&hxl=true"),
        };
        let rss_before = status_kb(pid, "VmRSS:");
        let load_before = load();
        // Resets the peak to the present size, so VmHWM is this request's peak.
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak RSS");
        let started = Instant::now();
        let mut res = api.get(&path).await;
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let mut first_byte = None;
        let mut bytes = 0usize;
        let mut newlines = 0usize;
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.expect("the body") {
            first_byte.get_or_insert_with(|| started.elapsed());
            bytes += chunk.len();
            newlines += chunk.iter().filter(|&&b| b == b'\n').count();
            if export == "figures" {
                body.extend_from_slice(&chunk);
            }
        }
        let total = started.elapsed();
        let peak = status_kb(pid, "VmHWM:");
        let rows = match (export, format) {
            ("records", _) => records as usize,
            (_, "csv") => newlines.saturating_sub(2),
            _ => figures_rows(&body),
        };
        println!(
            "{label:<9} {records:>9} {export:<7} {format:<6} {:>8.0}ms {:>8.2}s {rows:>9} {:>11.0} {:>6.1} MB   ({:.1} MB sent, load {load_before} → {})",
            first_byte.unwrap_or(total).as_secs_f64() * 1000.0,
            total.as_secs_f64(),
            rows as f64 / total.as_secs_f64(),
            peak.saturating_sub(rss_before) as f64 / 1024.0,
            bytes as f64 / 1_048_576.0,
            load(),
        );
    }
    drop(server);
}

/// The machine's load (1-minute average) as `uptime` prints it: printed
/// beside each figure, since the cores are shared with other work.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Data rows of a figures workbook (header and hashtag rows left out).
fn figures_rows(bytes: &[u8]) -> usize {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let names = book.sheet_names();
    names
        .iter()
        .map(|n| book.worksheet_range(n).unwrap().height().saturating_sub(2))
        .sum()
}

/// `YYYY-Qn` of the last quarter that ends on or before `last` (`YYYY-MM-DD`).
fn last_full_quarter(last: &str) -> String {
    let year: i32 = last[..4].parse().unwrap();
    let month: u32 = last[5..7].parse().unwrap();
    let quarter = (month - 1) / 3 + 1;
    let quarter_end_month = quarter * 3;
    let ends_in_it = month == quarter_end_month && last[8..10] >= *"30";
    match (ends_in_it, quarter) {
        (true, q) => format!("{year}-Q{q}"),
        (false, 1) => format!("{}-Q4", year - 1),
        (false, q) => format!("{year}-Q{}", q - 1),
    }
}
