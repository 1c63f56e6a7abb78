//! Many phones pushing at once, with a puller checking the change feed.
//!
//! Simulates P phones (two per site by default, one trainer account per
//! site) that each push, as fast as answers come, one new participant and R
//! group-session records of 10 attendances per batch, for S seconds. Prints
//! records stored per second and the p50 / p99 time of one push, on SQLite,
//! on PostgreSQL with one instance, and on PostgreSQL with two instances on
//! the same database (half the phones on each), each on a fresh database.
//!
//! In the same run an admin pulls the change feed page by page while the
//! pushes land, and the run checks that every participant pushed came in
//! the pulled pages exactly once (nothing skipped or repeated while pushes
//! commit out of order).
//!
//!     cargo bench -p sijil-e2e --bench phones                      # 200 phones, 60 s
//!     SIJIL_BENCH_PHONES=50 SIJIL_BENCH_SECS=10 cargo bench -p sijil-e2e --bench phones
//!
//! Set `SIJIL_TEST_POSTGRES_URL` for the PostgreSQL rows.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil_e2e::field::{activity_type, group, item, new_id, pull_page, session, Phone};
use sijil_e2e::{Api, TestApp};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Settings {
    phones: usize,
    per_site: usize,
    records_per_push: usize,
    secs: u64,
}

/// What one run measured.
struct Outcome {
    records: usize,
    secs: f64,
    latencies: Vec<Duration>,
    failed_pushes: usize,
    participants: usize,
    missing: usize,
    repeated: usize,
    pages: usize,
}

#[tokio::main]
async fn main() {
    let s = Settings {
        phones: env("SIJIL_BENCH_PHONES", 200),
        per_site: env("SIJIL_BENCH_PHONES_PER_SITE", 2).max(1),
        records_per_push: env("SIJIL_BENCH_RECORDS_PER_PUSH", 5),
        secs: env("SIJIL_BENCH_SECS", 60) as u64,
    };
    println!(
        "{} phones ({} per site) pushing for {} s; each push: 1 new participant + {} sessions × 10 attendances",
        s.phones, s.per_site, s.secs, s.records_per_push
    );
    println!(
        "{:<26} {:>10} {:>10} {:>10} {:>8} {:>8}  pulled pages: every participant once?",
        "", "records/s", "p50 push", "p99 push", "pushes", "failed"
    );
    let mut runs: Vec<(&str, usize, Arc<TestDatabase>)> =
        vec![("SQLite, 1 instance", 1, Arc::new(TestDatabase::sqlite()))];
    if let Some(pg) = TestDatabase::postgres().await {
        runs.push(("PostgreSQL, 1 instance", 1, Arc::new(pg)));
    }
    if let Some(pg) = TestDatabase::postgres().await {
        runs.push(("PostgreSQL, 2 instances", 2, Arc::new(pg)));
    }
    for (label, instances, database) in runs {
        let mut apps = vec![];
        for _ in 0..instances {
            apps.push(TestApp::spawn(database.clone(), Config::for_tests()).await);
        }
        let before = load();
        let cpu = Cpu::now();
        let o = run(&apps, &s).await;
        let cpu = cpu.since();
        let mut l = o.latencies.clone();
        l.sort();
        let at = |q: f64| {
            l.get(((l.len() as f64 * q) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{label:<26} {:>10.0} {:>8.0}ms {:>8.0}ms {:>8} {:>8}  {} participants in {} pages: {} missing, {} repeated{}",
            o.records as f64 / o.secs,
            at(0.50).as_secs_f64() * 1000.0,
            at(0.99).as_secs_f64() * 1000.0,
            o.latencies.len(),
            o.failed_pushes,
            o.participants,
            o.pages,
            o.missing,
            o.repeated,
            if o.missing == 0 && o.repeated == 0 { " — complete" } else { " — INCOMPLETE" }
        );
        println!(
            "{:<26} load {before} → {}; cores busy {:.2} of {}, of which this process (phones and servers) {:.2}, the rest (PostgreSQL, other work) {:.2}",
            "",
            load(),
            cpu.machine,
            cpu.cores,
            cpu.process,
            cpu.machine - cpu.process
        );
        for app in apps {
            app.stop().await;
        }
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

/// CPU time spent, read from /proc: the machine's (every core, busy) and
/// this process's (the simulated phones and the servers in it).
struct Cpu {
    at: Instant,
    machine: f64,
    process: f64,
}

/// Cores kept busy over a stretch of time.
struct CoresBusy {
    cores: usize,
    machine: f64,
    process: f64,
}

impl Cpu {
    fn now() -> Cpu {
        // Both files count in clock ticks (USER_HZ, 100 a second on Linux).
        let tick = 100.0;
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<f64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            // The first word is the label "cpu", not a count.
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
        let busy: f64 = fields
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 3 && *i != 4 && *i < 8)
            .map(|(_, v)| v)
            .sum();
        let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after_name = own.rsplit(')').next().unwrap_or_default();
        // After the name come field 3 (the state) onwards: utime and
        // stime, fields 14 and 15, are the 12th and 13th.
        let own: Vec<&str> = after_name.split_whitespace().collect();
        let field = |i: usize| {
            own.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let process = field(11) + field(12);
        Cpu {
            at: Instant::now(),
            machine: busy / tick,
            process: process / tick,
        }
    }

    fn since(&self) -> CoresBusy {
        let now = Cpu::now();
        let secs = now.at.duration_since(self.at).as_secs_f64();
        CoresBusy {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            machine: (now.machine - self.machine) / secs,
            process: (now.process - self.process) / secs,
        }
    }
}

/// A phone ready to push: its roster and group at its site.
struct Ready {
    phone: Phone,
    site: i64,
    roster: Vec<String>,
    group_id: String,
}

async fn run(apps: &[TestApp], s: &Settings) -> Outcome {
    let first = &apps[0];
    let admin = first.admin().await;
    let pss = activity_type(&admin, "PSS").await;
    let sites_needed = s.phones.div_ceil(s.per_site);
    let mut ready: Vec<Ready> = vec![];
    let mut registered: Vec<String> = vec![];
    for n in 0..sites_needed {
        let site = first.site(&admin, &format!("CFS-{n:03}")).await;
        let login = format!("trainer{n:03}");
        let api = first.user(&admin, &login, "trainer", &[site]).await;
        for k in 0..s.per_site.min(s.phones - n * s.per_site) {
            let api = if k == 0 {
                api.clone()
            } else {
                first.login(&login, "correct horse battery").await
            };
            // Phones alternate between the instances.
            let api = api.to(&apps[ready.len() % apps.len()]);
            let mut phone = Phone::new(api).await;
            let mut items = vec![];
            let mut roster = vec![];
            for i in 0..10 {
                let (id, it) =
                    phone.participant(site, if i % 2 == 0 { "female" } else { "male" }, 2010);
                roster.push(id);
                items.push(it);
            }
            let group_id = new_id();
            items.push(item("group", &group_id, 0, group(site, pss, &roster)));
            assert!(phone
                .push(&items)
                .await
                .iter()
                .all(|r| r["status"] == "stored"));
            registered.extend(roster.iter().cloned());
            ready.push(Ready {
                phone,
                site,
                roster,
                group_id,
            });
        }
    }

    let deadline = Instant::now() + Duration::from_secs(s.secs);
    let started = Instant::now();
    let records_per_push = s.records_per_push;
    let pushers: Vec<_> = ready
        .into_iter()
        .map(|mut r| {
            tokio::spawn(async move {
                let mut latencies = vec![];
                let mut people = vec![];
                let mut records = 0;
                let mut failed = 0;
                while Instant::now() < deadline {
                    let (id, newcomer) = r.phone.participant(r.site, "female", 2012);
                    let mut items = vec![newcomer];
                    for _ in 0..records_per_push {
                        items.push(item(
                            "record",
                            &new_id(),
                            0,
                            session(r.site, pss, &r.group_id, &r.roster),
                        ));
                    }
                    let sent = Instant::now();
                    let res = r
                        .phone
                        .api
                        .post("/api/sync/push", serde_json::json!({ "items": items }))
                        .await;
                    let ok = res.status().is_success();
                    let answer: Value = res.json().await.unwrap_or(Value::Null);
                    latencies.push(sent.elapsed());
                    let results = answer["results"].as_array().cloned().unwrap_or_default();
                    if !ok || results.iter().any(|x| x["status"] != "stored") {
                        failed += 1;
                        continue;
                    }
                    people.push(id);
                    records += records_per_push;
                }
                (latencies, people, records, failed)
            })
        })
        .collect();

    // The puller: an admin paging through the feed while the pushes land.
    let puller = admin.to(&apps[apps.len() - 1]);
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    while pushers.iter().any(|p| !p.is_finished()) {
        cursor = pull_through(&puller, cursor, &mut seen, &mut pages).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut latencies = vec![];
    let mut pushed = registered;
    let mut records = 0;
    let mut failed_pushes = 0;
    for p in pushers {
        let (l, people, r, f) = p.await.expect("phone task");
        latencies.extend(l);
        pushed.extend(people);
        records += r;
        failed_pushes += f;
    }
    let secs = started.elapsed().as_secs_f64();
    pull_through(&puller, cursor, &mut seen, &mut pages).await;
    let missing = pushed.iter().filter(|id| !seen.contains_key(*id)).count();
    let repeated = seen.values().filter(|n| **n > 1).count();
    Outcome {
        records,
        secs,
        latencies,
        failed_pushes,
        participants: pushed.len(),
        missing,
        repeated,
        pages,
    }
}

/// Pulls every page after `cursor`, counting each participant that came.
async fn pull_through(
    api: &Api,
    cursor: Option<String>,
    seen: &mut HashMap<String, u32>,
    pages: &mut usize,
) -> Option<String> {
    let mut cursor = cursor;
    loop {
        let page = pull_page(api, cursor.as_deref(), 500).await;
        *pages += 1;
        for c in page["changes"].as_array().unwrap() {
            if c["entity"] == "participant" {
                *seen
                    .entry(c["id"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
        if !page["more"].as_bool().unwrap() {
            return cursor;
        }
    }
}
