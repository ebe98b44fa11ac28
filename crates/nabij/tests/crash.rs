//! Crash safety: the real `nabij` binary serves a SQLite database while coordinators place
//! and discharge people over the API, and is killed (SIGKILL) in the middle of it. After a
//! restart every acknowledged placement and exit is there, no place holds two active stays,
//! and the access log's chain is unbroken. Three rounds on one database.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WORKERS: usize = 6;

fn nabij(dir: &Path, db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nabij"));
    c.current_dir(dir)
        .env_remove("NABIJ_CONFIG")
        .env("NABIJ_DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("NABIJ_LOG", "warn");
    c
}

fn run(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = nabij(dir, db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "nabij {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(dir: &Path, db: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = nabij(dir, db)
            .arg("serve")
            .env("NABIJ_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if reqwest::get(format!("{base}/api/v1/openapi.json"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            assert!(Instant::now() < deadline, "nabij serve did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, base }
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// What the server acknowledged: a placement (201) and, for some, the exit after it (200).
#[derive(Default)]
struct Acknowledged {
    placed: Vec<(i64, i64)>,
    exited: Vec<i64>,
}

struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    async fn post(&self, path: &str, body: &Value) -> reqwest::Result<(StatusCode, Value)> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await?;
        let status = r.status();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    async fn get(&self, path: &str) -> reqwest::Result<(StatusCode, Value)> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await?;
        let status = r.status();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }
}

/// One coordinator: intake, the best proposal, placement, and the exit on the same day, so
/// places keep coming free; with `keep_first`, the first person placed stays. Stops at the
/// first refused connection.
async fn coordinator(
    c: Arc<Client>,
    worker: usize,
    keep_first: bool,
    municipalities: Arc<Vec<i64>>,
    acks: Arc<Mutex<Acknowledged>>,
) {
    for n in 0.. {
        let municipality = municipalities[(worker + n) % municipalities.len()];
        let intake = json!({
            "first_name": format!("Crash{worker}"), "last_name": format!("Test{n}"),
            "gender": "vrouw", "household_size": 1, "own_municipality_id": municipality,
            "source": "gemeente", "urgency": "hoog", "situation": "Plotseling dakloos"
        });
        let Ok((status, referral)) = c.post("/api/v1/referrals", &intake).await else {
            return;
        };
        assert_eq!(status, StatusCode::CREATED, "{referral}");
        let referral = referral["id"].as_i64().unwrap();
        let Ok((_, ranking)) = c
            .get(&format!("/api/v1/referrals/{referral}/proposals"))
            .await
        else {
            return;
        };
        let Some(home) = ranking["proposals"][0]["home"].as_i64() else {
            continue;
        };
        let Ok((status, stay)) = c
            .post(
                &format!("/api/v1/referrals/{referral}/placement"),
                &json!({"home_id": home}),
            )
            .await
        else {
            return;
        };
        if status != StatusCode::CREATED {
            // Another coordinator took the place first.
            assert_eq!(status, StatusCode::CONFLICT, "{stay}");
            continue;
        }
        let id = stay["id"].as_i64().unwrap();
        acks.lock().unwrap().placed.push((id, referral));
        if !(keep_first && n == 0) {
            let exit = json!({"exit_date": stay["start"], "destination": "family_or_friends"});
            let Ok((status, body)) = c.post(&format!("/api/v1/stays/{id}/exit"), &exit).await
            else {
                return;
            };
            assert_eq!(status, StatusCode::OK, "{body}");
            acks.lock().unwrap().exited.push(id);
        }
    }
}

/// Everything acknowledged so far is there, as acknowledged.
async fn check(c: &Client, acks: &Acknowledged) {
    for &(stay, referral) in &acks.placed {
        let (status, s) = c.get(&format!("/api/v1/stays/{stay}")).await.unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "acknowledged stay {stay} is gone: {s}"
        );
        assert_eq!(s["referral_id"], referral, "{s}");
        let exited = acks.exited.contains(&stay);
        assert!(
            !exited || !s["exit_date"].is_null(),
            "acknowledged exit of stay {stay} is gone: {s}"
        );
    }
}

fn no_place_holds_two_active_stays(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let doubles: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT place_id FROM stay_places WHERE released_on IS NULL \
             GROUP BY place_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(doubles, 0, "a place holds two active stays");
    let persons: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT person_id FROM stays WHERE exit_date IS NULL \
             GROUP BY person_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(persons, 0, "a person has two active stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_placements_survive_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db: PathBuf = dir.join("crash.db");
    run(
        dir,
        &db,
        &["demo", "--database", db.to_str().unwrap(), "--no-serve"],
    );
    run(
        dir,
        &db,
        &[
            "user",
            "add",
            "crash",
            "--name",
            "Crash Test",
            "--role",
            "coordinator",
        ],
    );
    let key = run(dir, &db, &["user", "token", "crash", "--name", "load"])
        .trim()
        .to_string();
    assert!(key.starts_with("nbj_"), "{key}");

    let acks = Arc::new(Mutex::new(Acknowledged::default()));
    let mut server = Server::start(dir, &db).await;
    for round in 0..3 {
        let client = Arc::new(Client {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            key: key.clone(),
        });
        let (_, list) = client
            .get("/api/v1/municipalities?limit=500")
            .await
            .unwrap();
        let municipalities: Arc<Vec<i64>> = Arc::new(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap())
                .collect(),
        );
        let before = acks.lock().unwrap().placed.len();
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                tokio::spawn(coordinator(
                    client.clone(),
                    w,
                    round == 0,
                    municipalities.clone(),
                    acks.clone(),
                ))
            })
            .collect();
        // Mid-load: some placements are acknowledged, others are in flight.
        tokio::time::sleep(Duration::from_millis(700 + 300 * round)).await;
        server.kill();
        for w in workers {
            w.await.unwrap();
        }
        let placed = acks.lock().unwrap().placed.len() - before;
        assert!(placed > 0, "round {round}: no placement before the kill");

        server = Server::start(dir, &db).await;
        let client = Client {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            key: key.clone(),
        };
        let so_far = std::mem::take(&mut *acks.lock().unwrap());
        check(&client, &so_far).await;
        *acks.lock().unwrap() = so_far;
        let verify = run(dir, &db, &["audit", "verify"]);
        assert!(verify.contains("keten ongebroken"), "{verify}");
    }
    server.kill();
    no_place_holds_two_active_stays(&db);
    let verify = run(dir, &db, &["audit", "verify"]);
    assert!(verify.contains("keten ongebroken"), "{verify}");
}
