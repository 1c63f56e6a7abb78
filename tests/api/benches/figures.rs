//! Figures at scale: the generator fills a programme (2,000 sites, 200,000
//! participants, two years, N attendances); the dashboard's queries
//! (programme-wide headline for the last full quarter, its governorate
//! breakdown and monthly trend) and the other requests (a custom range
//! across months, a week, the site table, by type, by week) run with the
//! presence sets, with the presence rows counted in SQL (the way before)
//! and, in the same run, as a naive full scan of the records; sets and scan
//! must agree exactly. With several sizes it ends with each figure's cost
//! at the largest size over its cost at the smallest.
//!
//!     cargo bench -p sijil-e2e --bench figures                         # 1M and 10M
//!     SIJIL_BENCH_ATTENDANCES=1000000 cargo bench -p sijil-e2e --bench figures
//!
//! `SIJIL_BENCH_KEEP=DIR` keeps the generated programmes (SQLite files in
//! DIR, PostgreSQL databases `sijil_bench_<size>`) and reuses them on the
//! next run, so the queries can be measured again without regenerating;
//! `SIJIL_BENCH_DATABASE=sqlite|postgres` measures one of the two; the
//! timings of each size are kept there too (`costs.tsv`), so the growth
//! table compares sizes measured in separate runs.

use std::sync::atomic::Ordering;
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
                if wanted("sqlite") {
                    run(
                        "sqlite",
                        &format!(
                            "sqlite://{}?mode=rwc",
                            dir.join(format!("bench-{size}.db")).display()
                        ),
                        size,
                    )
                    .await;
                }
                if !wanted("postgres") {
                    continue;
                }
                if let Some(url) = TestDatabase::kept_postgres(&format!("sijil_bench_{size}")).await
                {
                    run("postgres", &url, size).await;
                }
            }
        }
    }
    if let Some(dir) = &keep {
        remember_costs(dir);
    }
    print_growth();
}

/// `SIJIL_BENCH_DATABASE=sqlite` (or `postgres`) runs one database only,
/// so the two can be generated side by side in two runs.
fn wanted(kind: &str) -> bool {
    std::env::var("SIJIL_BENCH_DATABASE").map_or(true, |only| only == kind)
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
        // A generation stopped during its rollups left the records without
        // them: rebuild them from the records.
        let sets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM presence_month_sets")
            .fetch_one(db.pool())
            .await
            .unwrap();
        if sets == 0 {
            eprintln!("   rebuilding the rollups");
            let mut tx = db.begin().await.unwrap();
            sijil::rollups::store::rebuild(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
        }
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
    if kind == "postgres" {
        // A server's PostgreSQL keeps its tables vacuumed and analysed
        // (autovacuum); where the bench runs it may be off, which leaves a
        // fresh programme without statistics or visibility map (no
        // index-only scans): bring it to a server's state first.
        sqlx::raw_sql("VACUUM ANALYZE")
            .execute(db.pool())
            .await
            .expect("vacuum");
    }

    // The last quarter wholly inside the generated history.
    let (_, end) = generate::history(&spec);
    let quarter_of = |d: time::Date| format!("{}-Q{}", d.year(), (d.month() as u8 - 1) / 3 + 1);
    let mut quarter = Period::parse(&quarter_of(end)).unwrap();
    if quarter.to > end {
        quarter = Period::parse(&quarter_of(quarter.from - time::Duration::days(1))).unwrap();
    }
    // The dashboard set, then every other kind of request the issue names:
    // a custom range across months (edges from the day sets), a week, the
    // site table, per-type and per-week breakdowns.
    let custom = Period {
        from: quarter.from + time::Duration::days(14),
        to: quarter.to - time::Duration::days(16),
    };
    let week = Period::parse(&Period::iso_week(quarter.from + time::Duration::days(35))).unwrap();
    let queries: Vec<(&str, Period, Vec<Grouping>)> = vec![
        (
            "dashboard set (quarter + governorates + monthly trend)",
            quarter,
            vec![Grouping::All, Grouping::Governorate, Grouping::Month],
        ),
        ("quarter, whole programme", quarter, vec![Grouping::All]),
        (
            "quarter by governorate",
            quarter,
            vec![Grouping::Governorate],
        ),
        ("quarter by month", quarter, vec![Grouping::Month]),
        (
            "custom range across months",
            custom,
            vec![Grouping::All, Grouping::Month],
        ),
        ("one ISO week", week, vec![Grouping::All]),
        (
            "quarter by site (/api/figures/sites)",
            quarter,
            vec![Grouping::Site],
        ),
        ("quarter by activity type", quarter, vec![Grouping::Type]),
        ("quarter by week", quarter, vec![Grouping::Week]),
    ];
    println!(
        "\n{kind}, {} attendances ({} records, {} participants; generated in {:.0} s), quarter {}..{}",
        made.attendances, made.records, made.participants, generated.as_secs_f64(), quarter.from, quarter.to
    );
    println!(
        "| figure | sets (ms) | presence rows, before (ms) | naive scan (ms) | naive / sets | exact |"
    );
    println!("|---|---|---|---|---|---|");
    let mut timings = vec![];
    for (name, period, groupings) in &queries {
        let (sets, sets_time) = measure(&db, *period, groupings, Path::Sets, 3).await;
        let rows_time =
            if groupings.len() == 1 && matches!(groupings[0], Grouping::Type | Grouping::Week) {
                None
            } else {
                Some(
                    measure(&db, *period, groupings, Path::PresenceRows, 1)
                        .await
                        .1,
                )
            };
        let (naive, naive_time) = measure(&db, *period, groupings, Path::Naive, 1).await;
        let exact = agree(&sets, &naive);
        println!(
            "| {name} | {:.1} | {} | {:.1} | {:.0}× | {} |",
            ms(sets_time),
            rows_time.map_or("—".to_string(), |t| format!("{:.1}", ms(t))),
            ms(naive_time),
            naive_time.as_secs_f64() / sets_time.as_secs_f64(),
            if exact { "exact" } else { "DIFFERS" }
        );
        assert!(exact, "{name}: the sets and the full scan disagree");
        timings.push((name.to_string(), sets_time));
    }
    let headline = {
        let (answer, _) = measure(&db, quarter, &[Grouping::All], Path::Sets, 1).await;
        answer[0][&Some("all".to_string())].totals.clone()
    };
    println!(
        "quarter: {} unique participants, {} attendances",
        headline.unique_participants, headline.attendances
    );
    COSTS
        .lock()
        .unwrap()
        .push((kind.to_string(), made.attendances, timings));
    db.close().await;
}

/// Sets timings of every run: database, attendances, (figure, time).
type Costs = Vec<(String, u64, Vec<(String, Duration)>)>;
static COSTS: std::sync::Mutex<Costs> = std::sync::Mutex::new(Vec::new());

/// With `SIJIL_BENCH_KEEP`, each size's timings are kept in `costs.tsv`
/// beside the programmes (a run replaces its own database and size), and
/// the growth table uses every size measured there: 1 M and 10 M can be
/// measured in separate runs, and a run at one size still prints the ratio.
fn remember_costs(dir: &std::path::Path) {
    let file = dir.join("costs.tsv");
    let mut costs = COSTS.lock().unwrap();
    let mut lines: Vec<String> = std::fs::read_to_string(&file)
        .unwrap_or_default()
        .lines()
        .filter(|line| {
            let mut fields = line.split('\t');
            let (kind, size) = (fields.next(), fields.next());
            !costs
                .iter()
                .any(|c| Some(c.0.as_str()) == kind && Some(c.1.to_string().as_str()) == size)
        })
        .map(str::to_string)
        .collect();
    for (kind, size, timings) in costs.iter() {
        for (name, time) in timings {
            lines.push(format!("{kind}\t{size}\t{name}\t{}", time.as_nanos()));
        }
    }
    std::fs::write(&file, lines.join("\n") + "\n").expect("write costs.tsv");
    costs.clear();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, size, name, nanos] = fields[..] else {
            continue;
        };
        let (Ok(size), Ok(nanos)) = (size.parse::<u64>(), nanos.parse::<u64>()) else {
            continue;
        };
        let time = Duration::from_nanos(nanos);
        match costs.iter_mut().find(|c| c.0 == kind && c.1 == size) {
            Some(run) => run.2.push((name.to_string(), time)),
            None => costs.push((kind.to_string(), size, vec![(name.to_string(), time)])),
        }
    }
}

/// The cost of each figure at the largest size over its cost at the smallest.
fn print_growth() {
    let costs = COSTS.lock().unwrap();
    for kind in ["sqlite", "postgres"] {
        let runs: Vec<_> = costs.iter().filter(|c| c.0 == kind).collect();
        let (Some(small), Some(large)) = (
            runs.iter().min_by_key(|c| c.1),
            runs.iter().max_by_key(|c| c.1),
        ) else {
            continue;
        };
        if small.1 == large.1 {
            continue;
        }
        println!(
            "\n{kind}: cost at {} attendances / cost at {}",
            large.1, small.1
        );
        println!("| figure | small (ms) | large (ms) | ratio |");
        println!("|---|---|---|---|");
        for ((name, a), (_, b)) in small.2.iter().zip(&large.2) {
            println!(
                "| {name} | {:.1} | {:.1} | {:.2} |",
                ms(*a),
                ms(*b),
                b.as_secs_f64() / a.as_secs_f64()
            );
        }
    }
}

/// Which way the figures are computed.
#[derive(Clone, Copy, PartialEq)]
enum Path {
    /// The presence sets (the server's way).
    Sets,
    /// The rollups with unique counts from the presence rows in SQL (before).
    PresenceRows,
    /// Everything from the records.
    Naive,
}

fn agree(fast: &[Buckets], naive: &[Buckets]) -> bool {
    for (i, (f, n)) in fast.iter().zip(naive).enumerate() {
        for key in f.keys().chain(n.keys()) {
            let (a, b) = (f.get(key), n.get(key));
            if a != b {
                let (a, b) = (
                    a.cloned().unwrap_or_default(),
                    b.cloned().unwrap_or_default(),
                );
                eprintln!(
                    "query {i}, bucket {key:?}: sets and full scan disagree\n{:?}\n{:?}",
                    a.totals, b.totals
                );
                return false;
            }
        }
    }
    true
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The figures of `groupings` over `period`, the whole programme; the best
/// of `runs`.
async fn measure(
    db: &Db,
    period: Period,
    groupings: &[Grouping],
    path: Path,
    runs: usize,
) -> (Vec<Buckets>, Duration) {
    let filter = Filter {
        sites: None,
        types: None,
        include_flagged: true,
        use_rollups: path != Path::Naive,
    };
    engine::PRESENCE_ROWS.store(path == Path::PresenceRows, Ordering::Relaxed);
    let mut best = Duration::MAX;
    let mut answer = vec![];
    for _ in 0..runs {
        let started = Instant::now();
        let mut conn = db.begin_read().await.unwrap();
        // As the server asks: several groupings of one period at once.
        answer = engine::compute_many(&mut conn, period, &filter, groupings)
            .await
            .unwrap();
        conn.commit().await.unwrap();
        best = best.min(started.elapsed());
    }
    engine::PRESENCE_ROWS.store(false, Ordering::Relaxed);
    (answer, best)
}
