//! The harness for end-to-end API tests: the real app on a random port, over
//! real HTTP, with a fresh database per test — SQLite always, and PostgreSQL
//! too when `SIJIL_TEST_POSTGRES_URL` is set.

pub mod field;
pub mod push_service;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sijil::config::Config;
use sijil::store::testing::TestDatabase;
use sijil::store::Db;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server and the database behind it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub database: Arc<TestDatabase>,
    pub admin_password: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Runs `scenario` once per configured database, each on a fresh app.
pub async fn each_database<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for database in TestDatabase::all().await {
        eprintln!("-- on {}", database.kind());
        let app = TestApp::spawn(Arc::new(database), Config::for_tests()).await;
        scenario(app).await;
    }
}

impl TestApp {
    /// Starts the app on `database` (migrating it, creating the first admin
    /// if there is none).
    pub async fn spawn(database: Arc<TestDatabase>, config: Config) -> TestApp {
        let db = Db::connect(&database.url)
            .await
            .expect("connect test database");
        db.migrate().await.expect("migrate");
        let admin_password = sijil::users::bootstrap::first_admin(&db)
            .await
            .expect("first admin")
            .unwrap_or_default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let state = sijil::state::AppState::new(db.clone(), config);
        let task = tokio::spawn(sijil::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            db,
            database,
            admin_password,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server gracefully and closes its pools; the database stays.
    pub async fn stop(mut self) -> Arc<TestDatabase> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
        self.db.close().await;
        self.database.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client with no session.
    pub fn anonymous(&self) -> Api {
        Api {
            app_url: format!("http://{}", self.addr),
            http: Client::builder().build().expect("client"),
            cookie: None,
        }
    }

    /// Signs in and returns a client that carries the session cookie.
    pub async fn login(&self, login: &str, password: &str) -> Api {
        let mut api = self.anonymous();
        let res = api
            .post(
                "/api/auth/login",
                json!({ "login": login, "password": password }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "login as {login} should succeed"
        );
        api.cookie = Some(session_cookie(&res).expect("login sets the session cookie"));
        api
    }

    pub async fn admin(&self) -> Api {
        self.login("admin", &self.admin_password).await
    }

    /// Creates a partner, a site and returns the site id (as admin).
    pub async fn site(&self, admin: &Api, code: &str) -> i64 {
        let partner = admin
            .post(
                "/api/partners",
                json!({ "name": format!("Partner of {code}") }),
            )
            .await;
        assert_eq!(partner.status(), StatusCode::CREATED);
        let partner_id = body(partner).await["id"].as_i64().unwrap();
        let site = admin
            .post("/api/sites", json!({ "code": code, "name": format!("Site {code}"), "kind": "community_centre", "partner_id": partner_id, "area_id": 15 }))
            .await;
        assert_eq!(site.status(), StatusCode::CREATED);
        body(site).await["id"].as_i64().unwrap()
    }

    /// Creates a user (as admin) and returns a signed-in client for them.
    pub async fn user(&self, admin: &Api, login: &str, role: &str, site_ids: &[i64]) -> Api {
        let password = "correct horse battery";
        let res = admin.post("/api/users", json!({ "login": login, "display_name": login, "role": role, "password": password, "site_ids": site_ids })).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "create {login}: {}",
            res.text().await.unwrap_or_default()
        );
        self.login(login, password).await
    }

    /// Counts rows of `table` straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }
}

/// A thin HTTP client for the API, carrying a session cookie explicitly (so
/// a test can move a session from one server to another).
#[derive(Clone)]
pub struct Api {
    pub app_url: String,
    pub http: Client,
    pub cookie: Option<String>,
}

impl Api {
    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = &self.cookie {
            h.insert(COOKIE, HeaderValue::from_str(c).expect("cookie header"));
        }
        h
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.app_url, path))
            .headers(self.headers())
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.request(reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.request(reqwest::Method::PATCH, path)
            .json(&body)
            .send()
            .await
            .expect("PATCH")
    }

    /// Points this client (and its session) at another server.
    pub fn to(&self, app: &TestApp) -> Api {
        Api {
            app_url: format!("http://{}", app.addr),
            ..self.clone()
        }
    }
}

/// `name=value` of the session cookie set by `res`, if any.
pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(sijil::access::session::COOKIE_NAME))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

pub async fn body(res: Response) -> Value {
    let text = res.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("expected JSON, got {text:?}"))
}

/// Every presence set (month and day), decoded, in key order: the tests
/// compare the sets kept in step record by record with a rebuild.
pub async fn presence_sets(
    conn: &mut sqlx::AnyConnection,
) -> Vec<(String, i64, i64, Vec<sijil::rollups::sets::Member>)> {
    let mut out = vec![];
    for sql in [
        "SELECT month, site_id, activity_type_id, members FROM presence_month_sets ORDER BY 1, 2, 3",
        "SELECT day, site_id, activity_type_id, members FROM presence_day_sets ORDER BY 1, 2, 3",
    ] {
        let rows: Vec<(String, i64, i64, Vec<u8>)> =
            sqlx::query_as(sql).fetch_all(&mut *conn).await.unwrap();
        for (key, site, activity_type, bytes) in rows {
            let members = sijil::rollups::sets::decode(&bytes).expect("a set");
            assert!(!members.is_empty(), "an empty set is deleted: {key} {site}");
            out.push((key, site, activity_type, members));
        }
    }
    out
}
