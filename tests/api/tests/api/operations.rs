//! Running it for real: PostgreSQL over TLS with `sslmode` honoured, and
//! two server processes starting at the same moment on one empty database.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sijil::store::testing::TestDatabase;
use sijil::store::Db;
use sijil_e2e::field::{activity_type, awareness_event, item, new_id};
use sijil_e2e::{body, session_cookie, Api};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The PostgreSQL server programs (initdb, pg_ctl) of this machine.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// A certificate authority in `dir` (`name.crt`, `name.key`), as an
/// organisation with its own CA (or a managed database's) has.
fn authority(dir: &Path, name: &str) -> PathBuf {
    let path = |ext: &str| dir.join(format!("{name}.{ext}")).display().to_string();
    run(Command::new("openssl").args([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        &format!("/CN={name}"),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
        "-keyout",
        &path("key"),
        "-out",
        &path("crt"),
    ]));
    dir.join(format!("{name}.crt"))
}

/// The server's certificate for localhost (`server.crt`, `server.key`),
/// signed by the authority `ca`.
fn server_certificate(dir: &Path, ca: &str) {
    let path = |file: &str| dir.join(file).display().to_string();
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl").args([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &path("server.key"),
        "-out",
        &path("server.csr"),
    ]));
    run(Command::new("openssl").args([
        "x509",
        "-req",
        "-in",
        &path("server.csr"),
        "-days",
        "1",
        "-CA",
        &path(&format!("{ca}.crt")),
        "-CAkey",
        &path(&format!("{ca}.key")),
        "-CAcreateserial",
        "-extfile",
        &path("server.ext"),
        "-out",
        &path("server.crt"),
    ]));
}

/// A private PostgreSQL that accepts TCP connections over TLS only.
struct TlsPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl TlsPostgres {
    fn start(bin: PathBuf) -> TlsPostgres {
        let dir = std::env::temp_dir().join(format!("sijil-pg-tls-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        authority(&dir, "ca");
        server_certificate(&dir, "ca");
        let data = dir.join("data");
        run(Command::new("chown").args(["-R", "postgres:postgres", &dir.display().to_string()]));
        run(Command::new("chmod").args(["600", &dir.join("server.key").display().to_string()]));
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("initdb"))
            .args([
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ])
            .stdout(Stdio::null()));
        // TCP only over TLS: a plain connection has no line to match.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let port = free_port();
        let options = format!(
            "-p {port} -k {d} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key -c fsync=off",
            d = dir.display()
        );
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("pg_ctl"))
            .args([
                "-D",
                &data.display().to_string(),
                "-o",
                &options,
                "-w",
                "-l",
                &dir.join("log").display().to_string(),
                "start",
            ])
            .stdout(Stdio::null()));
        TlsPostgres { dir, bin, port }
    }

    fn url(&self, params: &str) -> String {
        format!(
            "postgres://postgres@localhost:{}/postgres?{params}",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args([
                "-D",
                &self.dir.join("data").display().to_string(),
                "-m",
                "immediate",
                "stop",
            ])
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn postgres_over_tls_verifies_the_server_and_sslmode_is_honoured() {
    // Written reason to skip: a private PostgreSQL needs the server programs
    // and root (to run them as `postgres`); CI machines have both.
    let Some(bin) = postgres_bin() else {
        eprintln!("skipped: no PostgreSQL server programs under /usr/lib/postgresql");
        return;
    };
    if !Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
    {
        eprintln!("skipped: starting a private PostgreSQL needs root");
        return;
    }
    let pg = TlsPostgres::start(bin);
    let ca = pg.dir.join("ca.crt").display().to_string();

    // verify-full with the server's CA: connects, migrates, and the session is encrypted.
    let db = Db::connect(&pg.url(&format!("sslmode=verify-full&sslrootcert={ca}")))
        .await
        .expect("connect over TLS");
    db.migrate().await.expect("migrate over TLS");
    let encrypted: i32 = sqlx::query_scalar(
        "SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(encrypted, 1);
    db.close().await;

    // sslmode=disable: the server takes no plain connections.
    assert!(Db::connect(&pg.url("sslmode=disable")).await.is_err());
    // verify-full against another CA: refused, whatever the server says.
    let other = authority(&pg.dir, "other").display().to_string();
    assert!(
        Db::connect(&pg.url(&format!("sslmode=verify-full&sslrootcert={other}")))
            .await
            .is_err()
    );
    // require: encrypted without checking the certificate (as libpq does).
    let db = Db::connect(&pg.url("sslmode=require"))
        .await
        .expect("require");
    db.close().await;
}

/// The server binary next to this test's own (cargo builds both into one
/// target folder; `tests/run` builds it first).
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("sijil");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p sijil` first",
        bin.display()
    );
    bin
}

struct Instance {
    child: Child,
    port: u16,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_instance(url: &str) -> Instance {
    let port = free_port();
    let child = Command::new(server_binary())
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sijil");
    Instance { child, port }
}

async fn wait_healthy(client: &reqwest::Client, port: u16) {
    let started = Instant::now();
    loop {
        let res = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await;
        if res.is_ok_and(|r| r.status() == StatusCode::OK) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "instance on {port} never came up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_instances_starting_together_on_one_empty_postgres_migrate_once() {
    let Some(database) = TestDatabase::all()
        .await
        .into_iter()
        .find(|d| d.kind() == "postgres")
    else {
        eprintln!("skipped: SIJIL_TEST_POSTGRES_URL is not set");
        return;
    };
    let (a, b) = (start_instance(&database.url), start_instance(&database.url));
    let client = reqwest::Client::new();
    wait_healthy(&client, a.port).await;
    wait_healthy(&client, b.port).await;

    let db = Db::connect(&database.url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT version) FROM _sqlx_migrations")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(applied, distinct, "each migration applied once");
    let files = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/postgres"
    ))
    .unwrap()
    .count() as i64;
    assert_eq!(applied, files);
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = 'admin'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(admins, 1, "one first account");

    // A session made on one instance works on the other.
    let password = sijil_password(&db).await;
    let login = client
        .post(format!("http://127.0.0.1:{}/api/auth/login", a.port))
        .header("origin", format!("http://127.0.0.1:{}", a.port))
        .json(&json!({ "login": "ops", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    // Cookies are per host and port; carry the session cookie over by hand.
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me = client
        .get(format!("http://127.0.0.1:{}/api/me", b.port))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    db.close().await;
}

/// Makes an admin `ops` with a known password (the first admin's password
/// went to the other process's log).
async fn sijil_password(db: &Db) -> String {
    let password = "correct horse battery staple 42".to_string();
    let args = sijil::cli::CreateUserArgs {
        login: "ops".into(),
        name: "Operations".into(),
        role: "admin".into(),
        sites: vec![],
        language: "en".into(),
    };
    sijil::users::bootstrap::create_from_cli(db, &args, &password)
        .await
        .expect("create ops");
    password
}

/// A signed-in client of the instance on `port`.
async fn sign_in(port: u16, login: &str, password: &str) -> Api {
    let mut api = Api {
        app_url: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        cookie: None,
    };
    let res = api
        .post(
            "/api/auth/login",
            json!({ "login": login, "password": password }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    api.cookie = session_cookie(&res);
    api
}

#[tokio::test]
async fn on_sigterm_a_push_in_flight_finishes_and_the_instance_leaves() {
    let dir = std::env::temp_dir().join(format!("sijil-term-{}", new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/sijil.db?mode=rwc", dir.display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let password = sijil_password(&db).await;
    db.close().await;

    let mut instance = start_instance(&url);
    let client = reqwest::Client::new();
    wait_healthy(&client, instance.port).await;
    let admin = sign_in(instance.port, "ops", &password).await;
    let partner = body(
        admin
            .post("/api/partners", json!({ "name": "Partner" }))
            .await,
    )
    .await;
    let site = body(
        admin
            .post(
                "/api/sites",
                json!({ "code": "DUH-90", "name": "Camp CFS",
        "kind": "community_centre", "partner_id": partner["id"], "area_id": 15 }),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let aw = activity_type(&admin, "AW-GBV").await;
    let items: Vec<_> = (0..200)
        .map(|_| item("record", &new_id(), 0, awareness_event(site, aw, 10, 5)))
        .collect();
    let push = tokio::spawn({
        let admin = admin.clone();
        async move {
            admin
                .post("/api/sync/push", json!({ "items": items }))
                .await
        }
    });
    // The push is on its way; then the orchestrator's SIGTERM.
    tokio::time::sleep(Duration::from_millis(150)).await;
    run(Command::new("kill").args(["-TERM", &instance.child.id().to_string()]));
    let answer = push.await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let results = body(answer).await;
    assert!(results["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "stored"));
    let status = instance.child.wait().unwrap();
    assert!(status.success(), "a clean exit: {status:?}");
    let gone = client
        .get(format!("{}/healthz", admin.app_url))
        .send()
        .await;
    assert!(gone.is_err(), "gone from the health check");
    let db = Db::connect(&url).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activity_records")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 200);
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
