//! What the sync protocol costs over plain storage.
//!
//! Pushes N group-session records with M attendances each through the real
//! server (HTTP, JSON, per-item checks, savepoints, change feed, audit), then,
//! in the same run and on the same database, inserts the same rows with plain
//! batched INSERTs. Prints both rates and their ratio, on SQLite and (when
//! `SIJIL_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//!     cargo bench -p sijil-e2e --bench sync_push            # N=2000, M=20
//!     SIJIL_BENCH_RECORDS=500 SIJIL_BENCH_ATTENDANCE=25 cargo bench -p sijil-e2e --bench sync_push

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{activity_type, group, item, new_id, session, today, Phone};
use sijil_e2e::TestApp;

/// Records per push, as the PWA sends its outbox.
const BATCH: usize = 50;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let records = env("SIJIL_BENCH_RECORDS", 2000);
    let attendance = env("SIJIL_BENCH_ATTENDANCE", 20);
    println!("sync push vs plain INSERT: {records} group sessions × {attendance} attendances, {BATCH} records per push/transaction");
    for database in TestDatabase::all().await {
        let kind = database.kind();
        let app = TestApp::spawn(Arc::new(database), Config::for_tests()).await;
        let before = load();
        let (sync_secs, plain_secs) = run(&app, records, attendance).await;
        let rows = (records * (attendance + 1)) as f64;
        println!(
            "{kind:>10}: sync {:>8.0} records/s ({:>9.0} rows/s) | plain INSERT {:>8.0} records/s ({:>9.0} rows/s) | sync takes {:.1}× the plain time: {:.0} % of plain INSERT (target ≥ 50 %) | load {before} → {}",
            records as f64 / sync_secs,
            rows / sync_secs,
            records as f64 / plain_secs,
            rows / plain_secs,
            sync_secs / plain_secs,
            100.0 * plain_secs / sync_secs,
            load()
        );
        app.stop().await;
    }
}

/// The machine's load (1-minute average) as `uptime` prints it: printed
/// beside each figure, since the cores are shared with other work.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

async fn run(app: &TestApp, records: usize, attendance: usize) -> (f64, f64) {
    let admin = app.admin().await;
    let site = app.site(&admin, "BENCH-1").await;
    let pss = activity_type(&admin, "PSS").await;
    let mut phone = Phone::new(app.user(&admin, "bench", "trainer", &[site]).await).await;

    // A roster of M people, registered and grouped beforehand.
    let mut people = vec![];
    let mut items = vec![];
    for i in 0..attendance {
        let (id, it) = phone.participant(
            site,
            if i % 2 == 0 { "female" } else { "male" },
            1990 + (i as i64 % 20),
        );
        people.push(id);
        items.push(it);
    }
    let group_id = new_id();
    items.push(item("group", &group_id, 0, group(site, pss, &people)));
    for chunk in items.chunks(200) {
        assert!(phone
            .push(chunk)
            .await
            .iter()
            .all(|r| r["status"] == "stored"));
    }

    let batches: Vec<Vec<Value>> = (0..records)
        .map(|_| {
            item(
                "record",
                &new_id(),
                0,
                session(site, pss, &group_id, &people),
            )
        })
        .collect::<Vec<_>>()
        .chunks(BATCH)
        .map(<[Value]>::to_vec)
        .collect();
    let started = Instant::now();
    for batch in &batches {
        let results = phone.push(batch).await;
        assert!(
            results.iter().all(|r| r["status"] == "stored"),
            "{results:?}"
        );
    }
    let sync_secs = started.elapsed().as_secs_f64();

    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'bench'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let payload = batches[0][0]["data"].to_string();
    let started = Instant::now();
    for chunk in (0..records).collect::<Vec<_>>().chunks(BATCH) {
        let ids: Vec<String> = chunk.iter().map(|_| new_id()).collect();
        let mut tx = app.db.begin().await.unwrap();
        // One multi-row statement per batch, every value bound.
        let cols = 12;
        let placeholders: Vec<String> = (0..ids.len())
            .map(|i| {
                format!(
                    "({})",
                    (1..=cols)
                        .map(|c| format!("${}", i * cols + c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO activity_records (id, kind, activity_type_id, site_id, group_id, occurred_on, duration_minutes, recorded_by, received_at, updated_at, version, payload) VALUES {}",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q
                .bind(id)
                .bind("group_session")
                .bind(pss)
                .bind(site)
                .bind(&group_id)
                .bind(today())
                .bind(90_i64)
                .bind(user_id)
                .bind(0_i64)
                .bind(0_i64)
                .bind(1_i64)
                .bind(&payload);
        }
        q.execute(&mut *tx).await.unwrap();
        let pairs: Vec<(String, String)> = ids
            .iter()
            .flat_map(|r| people.iter().map(move |p| (r.clone(), p.clone())))
            .collect();
        for part in pairs.chunks(1000) {
            let sql = format!(
                "INSERT INTO attendances (record_id, participant_id) VALUES {}",
                (0..part.len())
                    .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (r, p) in part {
                q = q.bind(r).bind(p);
            }
            q.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let plain_secs = started.elapsed().as_secs_f64();
    (sync_secs, plain_secs)
}
