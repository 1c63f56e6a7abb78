//! Dashboard figures at scale: the generator fills a programme (2,000
//! sites, 200,000 participants, two years, N attendances); the dashboard's
//! queries (programme-wide headline for the last full quarter, its
//! governorate breakdown and monthly trend) run with the rollups and, in
//! the same run, as a naive full scan of the records; both must agree.
//!
//!     cargo bench -p sijil-e2e --bench figures                         # 1M and 10M
//!     SIJIL_BENCH_ATTENDANCES=1000000 cargo bench -p sijil-e2e --bench figures
//!
//! `SIJIL_BENCH_KEEP=DIR` keeps the generated programmes (SQLite files in
//! DIR, PostgreSQL databases `sijil_bench_<size>`) and reuses them on the
//! next run, so the queries can be measured again without regenerating.

use std::time::{Duration, Instant};

use sijil::demo::generate::{self, Spec};
use sijil::figures::engine;
use sijil::figures::model::{Buckets, Filter, Grouping};
use sijil::figures::period::Period;
use sijil::store::testing::TestDatabase;
use sijil::store::Db;

#[tokio::main]
async fn main() {
    let sizes: Vec<u64> = std::env::var("SIJIL_BENCH_ATTENDANCES")
        .unwrap_or_else(|_| "1000000,10000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("attendance counts"))
        .collect();
    let keep = std::env::var_os("SIJIL_BENCH_KEEP").map(std::path::PathBuf::from);
    for size in sizes {
        match &keep {
            None => {
                for database in TestDatabase::all().await {
                    run(database.kind(), &database.url, size).await;
                }
            }
            Some(dir) => {
                std::fs::create_dir_all(dir).expect("create SIJIL_BENCH_KEEP");
                run(
                    "sqlite",
                    &format!(
                        "sqlite://{}?mode=rwc",
                        dir.join(format!("bench-{size}.db")).display()
                    ),
                    size,
                )
                .await;
                if let Some(url) = TestDatabase::kept_postgres(&format!("sijil_bench_{size}")).await
                {
                    run("postgres", &url, size).await;
                }
            }
        }
    }
}

async fn run(kind: &str, url: &str, size: u64) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    sijil::users::bootstrap::first_admin(&db)
        .await
        .expect("admin");
    let admin: i64 = sqlx::query_scalar("SELECT MIN(id) FROM users")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let spec = Spec::benchmark(size);
    let started = Instant::now();
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activity_records")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut last = String::new();
    let mut progress = |stage: &str, done: u64, total: u64| {
        if stage != last || done == total {
            eprintln!(
                "   {stage} {done}/{total} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
            last = stage.to_string();
        }
    };
    let made = if existing == 0 {
        generate::generate(&db, &spec, admin, &mut progress)
            .await
            .expect("generate")
    } else {
        eprintln!("   reusing the programme generated before ({existing} records)");
        generate::Made {
            records: existing as u64,
            attendances: sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM attendances")
                .fetch_one(db.pool())
                .await
                .unwrap() as u64,
            participants: sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM participants")
                .fetch_one(db.pool())
                .await
                .unwrap() as u64,
            ..Default::default()
        }
    };
    let generated = started.elapsed();

    // The last quarter wholly inside the generated history.
    let (_, end) = generate::history(&spec);
    let quarter_of = |d: time::Date| format!("{}-Q{}", d.year(), (d.month() as u8 - 1) / 3 + 1);
    let mut quarter = Period::parse(&quarter_of(end)).unwrap();
    if quarter.to > end {
        quarter = Period::parse(&quarter_of(quarter.from - time::Duration::days(1))).unwrap();
    }
    let (fast, fast_time) = dashboard(&db, quarter, true, 3).await;
    let (naive, naive_time) = dashboard(&db, quarter, false, 1).await;
    for (i, (f, n)) in fast.iter().zip(&naive).enumerate() {
        for key in f.keys().chain(n.keys()) {
            let (a, b) = (f.get(key), n.get(key));
            if a != b {
                let (a, b) = (
                    a.cloned().unwrap_or_default(),
                    b.cloned().unwrap_or_default(),
                );
                let split: Vec<_> = a
                    .split
                    .iter()
                    .zip(&b.split)
                    .filter(|(x, y)| x != y)
                    .take(3)
                    .collect();
                panic!("query {i}, bucket {key:?}: rollups and full scan disagree\n{:?}\n{:?}\n{split:?}\n{} vs {} split rows", a.totals, b.totals, a.split.len(), b.split.len());
            }
        }
    }
    let headline = &fast[0][&Some("all".to_string())].totals;
    println!(
        "{:>9} {:>10} attendances ({} records, {} participants; generated in {:.0} s) | quarter {}..{}: {} unique, {} attendances | dashboard with rollups {:>7.1} ms | naive full scan {:>8.1} ms | {:.1}× faster",
        kind,
        made.attendances,
        made.records,
        made.participants,
        generated.as_secs_f64(),
        quarter.from,
        quarter.to,
        headline.unique_participants,
        headline.attendances,
        ms(fast_time),
        ms(naive_time),
        naive_time.as_secs_f64() / fast_time.as_secs_f64()
    );
    db.close().await;
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The dashboard's three queries; the best of `runs`.
async fn dashboard(
    db: &Db,
    quarter: Period,
    use_rollups: bool,
    runs: usize,
) -> (Vec<Buckets>, Duration) {
    let filter = Filter {
        sites: None,
        types: None,
        include_flagged: true,
        use_rollups,
    };
    let mut best = Duration::MAX;
    let mut answer = vec![];
    for _ in 0..runs {
        let started = Instant::now();
        let mut conn = db.begin_read().await.unwrap();
        answer = vec![];
        for grouping in [Grouping::All, Grouping::Governorate, Grouping::Month] {
            answer.push(
                engine::compute(&mut conn, quarter, &filter, grouping)
                    .await
                    .unwrap(),
            );
        }
        conn.commit().await.unwrap();
        best = best.min(started.elapsed());
    }
    (answer, best)
}
