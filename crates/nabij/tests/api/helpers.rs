pub use crate::common::*;
use jiff::Timestamp;
use nabij_app::{App, Clock};
use nabij_domain::access::Role;
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::*;
use nabij_store::accounts::NewUser;
use nabij_store::{Db, DbOptions};
use nabij_web::{Application, WebState};
use serde_json::{Value, json};

pub struct TestApp {
    pub address: String,
    /// Signed in as the coordinator.
    pub client: reqwest::Client,
    /// The coordinator's CSRF token, added to every form.
    pub csrf: String,
    pub clock: Clock,
    /// The clock of sessions and one-time codes (real time in production).
    pub auth_clock: Clock,
    pub db: Db,
    pub woerden: MunicipalityId,
    pub centrum: NeighbourhoodId,
    pub pitstop: HomeId,
    pub zeist_home: HomeId,
    /// The partner organisation (Gemeente Woerden) of the test provider.
    pub partner_org: i64,
    /// Users by role: (role, user id).
    pub users: Vec<(Role, i64)>,
    _dir: Option<tempfile::TempDir>,
}

/// Every test user's password.
pub const PASSWORD: &str = "test-wachtwoord-1";

/// One argon2id hash of [`PASSWORD`] for all test users: hashing is deliberately slow.
static PASSWORD_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| nabij_app::secrets::hash_password(PASSWORD));

/// The username of the test user with a role.
pub fn username(role: Role) -> &'static str {
    match role {
        Role::Coordinator => "coordinator",
        Role::Professional => "begeleider",
        Role::MainResident => "hoofdbewoner",
        Role::Buddy => "maatje",
        Role::Partner => "ketenpartner",
        Role::Admin => "beheerder",
        Role::Client => "client",
    }
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
    spawn_app_with(|_| {}).await
}

/// The same app with its web settings changed by `configure` (proxies, limits, timeouts).
pub async fn spawn_app_with(configure: impl FnOnce(&mut WebState)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    spawn_on(db, Some(dir), configure).await
}

/// The same app on a fresh PostgreSQL database, when one is configured.
pub async fn spawn_app_postgres() -> Option<TestApp> {
    let db = nabij_store::testing::postgres_from_env().await?;
    Some(spawn_on(db, None, |_| {}).await)
}

/// The same app on a fresh PostgreSQL database with its web settings changed by `configure`.
pub async fn spawn_app_postgres_with(configure: impl FnOnce(&mut WebState)) -> Option<TestApp> {
    let db = nabij_store::testing::postgres_from_env().await?;
    Some(spawn_on(db, None, configure).await)
}

async fn spawn_on(
    db: Db,
    dir: Option<tempfile::TempDir>,
    configure: impl FnOnce(&mut WebState),
) -> TestApp {
    let now = start_time();
    let (woerden, centrum) = town(
        &db,
        ("GM0632", "Woerden"),
        ("BU06320001", "Woerden-Centrum"),
        GeoPoint {
            lat: 52.085,
            lon: 4.883,
        },
    )
    .await;
    let (_, zeist_c) = town(
        &db,
        ("GM0355", "Zeist"),
        ("BU03550001", "Zeist-Centrum"),
        GeoPoint {
            lat: 52.09,
            lon: 5.233,
        },
    )
    .await;
    let home = pitstop;
    let pitstop = db
        .create_home(&home("Pitstop Woerden", centrum, 2), now)
        .await
        .unwrap();
    let zeist_home = db
        .create_home(&home("Pitstop Zeist", zeist_c, 1), now)
        .await
        .unwrap();
    let partner_org = db
        .create_organisation("Gemeente Woerden", Some(1), now)
        .await
        .unwrap();
    let mut users = Vec::new();
    for role in Role::ALL {
        let id = db
            .create_user(
                &NewUser {
                    organisation_id: if *role == Role::Partner {
                        partner_org
                    } else {
                        1
                    },
                    username: username(*role).into(),
                    display_name: format!("Test {}", role.code()),
                    phone: Some("06-11112222".into()),
                    role: *role,
                    password_hash: PASSWORD_HASH.clone(),
                },
                now,
            )
            .await
            .unwrap();
        users.push((*role, id));
    }
    let main_resident = users
        .iter()
        .find(|(r, _)| *r == Role::MainResident)
        .unwrap()
        .1;
    db.link_user_home(main_resident, pitstop).await.unwrap();
    let clock = Clock::fixed(now);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let auth_clock = Clock::fixed(Timestamp::now());
    let mut state =
        WebState::new(App::new(db.clone(), clock.clone()).with_session_clock(auth_clock.clone()));
    configure(&mut state);
    let app = Application::new(listener, state);
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let coordinator = sign_in(&address, "coordinator", PASSWORD, None).await;
    TestApp {
        address,
        client: coordinator.client,
        csrf: coordinator.csrf,
        clock,
        auth_clock,
        db,
        woerden,
        centrum,
        pitstop,
        zeist_home,
        partner_org,
        users,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The coordinator's browser as a [`Session`].
    pub fn session(&self) -> Session {
        Session {
            client: self.client.clone(),
            csrf: self.csrf.clone(),
            address: self.address.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.session().get(path).await
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.session().post_json(path, body).await
    }

    /// Posts a form as the coordinator, with the session's CSRF token.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.session().post_form(path, form).await
    }

    pub fn user(&self, role: Role) -> i64 {
        self.users.iter().find(|(r, _)| *r == role).unwrap().1
    }

    /// Signs in as the test user with `role`; an administrator with a second factor.
    pub async fn session_as(&self, role: Role) -> Session {
        if role == Role::Admin {
            let id = self.user(Role::Admin);
            let secret = nabij_app::totp::new_secret();
            self.db.set_totp_secret(id, &secret).await.unwrap();
            self.db.enable_totp(id, &[]).await.unwrap();
            // Each code is accepted once: every sign-in takes the next time step.
            self.auth_clock
                .set(self.auth_clock.now() + jiff::SignedDuration::from_secs(30));
            let at = self.auth_clock.now();
            return sign_in(&self.address, username(role), PASSWORD, Some((&secret, at))).await;
        }
        sign_in(&self.address, username(role), PASSWORD, None).await
    }

    /// Adds a user who can sign in (with [`PASSWORD`]), and signs them in.
    pub async fn another_user(
        &self,
        organisation_id: i64,
        role: Role,
        username: &str,
    ) -> (i64, Session) {
        let id = self
            .db
            .create_user(
                &NewUser {
                    organisation_id,
                    username: username.into(),
                    display_name: format!("Collega {username}"),
                    phone: None,
                    role,
                    password_hash: PASSWORD_HASH.clone(),
                },
                self.clock.now(),
            )
            .await
            .unwrap();
        (id, sign_in(&self.address, username, PASSWORD, None).await)
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
