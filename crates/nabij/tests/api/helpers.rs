use jiff::Timestamp;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_store::homes::NewHome;
use nabij_store::{Db, DbOptions};
use nabij_web::{AppState, Application, Clock};
use serde_json::{Value, json};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub db: Db,
    pub woerden: MunicipalityId,
    pub centrum: NeighbourhoodId,
    pub pitstop: HomeId,
    pub zeist_home: HomeId,
    _dir: Option<tempfile::TempDir>,
}

/// `n` whole days, for moving the clock.
pub fn days(n: i64) -> jiff::SignedDuration {
    jiff::SignedDuration::from_hours(24 * n)
}

/// 2 March 2026, 10:00 in Amsterdam.
pub fn start_time() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// A fresh app on SQLite with a small network: Woerden (pitstop, 2 places) and Zeist (1 place).
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    spawn_on(db, Some(dir)).await
}

/// The same app on a fresh PostgreSQL database, when one is configured.
pub async fn spawn_app_postgres() -> Option<TestApp> {
    let db = nabij_store::testing::postgres_from_env().await?;
    Some(spawn_on(db, None).await)
}

async fn spawn_on(db: Db, dir: Option<tempfile::TempDir>) -> TestApp {
    let now = start_time();
    let woerden = db
        .create_municipality(
            None,
            Some("GM0632"),
            "Woerden",
            GeoPoint {
                lat: 52.085,
                lon: 4.883,
            },
        )
        .await
        .unwrap();
    let zeist = db
        .create_municipality(
            None,
            Some("GM0355"),
            "Zeist",
            GeoPoint {
                lat: 52.09,
                lon: 5.233,
            },
        )
        .await
        .unwrap();
    let centrum = db
        .create_neighbourhood(
            woerden,
            Some("BU06320001"),
            "Woerden-Centrum",
            GeoPoint {
                lat: 52.085,
                lon: 4.883,
            },
        )
        .await
        .unwrap();
    let zeist_c = db
        .create_neighbourhood(
            zeist,
            Some("BU03550001"),
            "Zeist-Centrum",
            GeoPoint {
                lat: 52.09,
                lon: 5.233,
            },
        )
        .await
        .unwrap();
    let home = |name: &str, n, places| NewHome {
        name: name.into(),
        kind: HomeKind::Pitstop,
        address: "Straat 1".into(),
        neighbourhood: n,
        point: None,
        rules: HouseRules::default(),
        max_stay_months: 6,
        landlord: None,
        places,
    };
    let pitstop = db
        .create_home(&home("Pitstop Woerden", centrum, 2), now)
        .await
        .unwrap();
    let zeist_home = db
        .create_home(&home("Pitstop Zeist", zeist_c, 1), now)
        .await
        .unwrap();
    let clock = Clock::fixed(now);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::new(
        listener,
        AppState {
            db: db.clone(),
            clock: clock.clone(),
        },
    );
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        db,
        woerden,
        centrum,
        pitstop,
        zeist_home,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub fn intake(&self, first: &str) -> Value {
        json!({
            "first_name": first,
            "last_name": "de Vries",
            "gender": "man",
            "household_size": 1,
            "own_municipality_id": self.woerden.0,
            "own_neighbourhood_id": self.centrum.0,
            "source": "sociaal_team",
            "urgency": "hoog",
            "situation": "Dreigende huisuitzetting"
        })
    }

    /// Intake through the API; returns the referral id.
    pub async fn refer(&self, first: &str) -> i64 {
        let r = self
            .post_json("/api/v1/referrals", &self.intake(first))
            .await;
        assert_eq!(r.status(), 201);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    pub async fn place(&self, referral: i64, home: HomeId) -> reqwest::Response {
        self.post_json(
            &format!("/api/v1/referrals/{referral}/placement"),
            &json!({"home_id": home.0}),
        )
        .await
    }
}
