//! Signing in as a browser does, for tests that go through the pages and the API.
#![allow(dead_code)]

use jiff::Timestamp;
use serde_json::Value;

/// A signed-in browser: its cookies and its CSRF token.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
    pub address: String,
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The value of the first `name` form field in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} field in page"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Signs in through the sign-in form; answers the second-factor step when `secret` is given.
pub async fn sign_in(
    address: &str,
    username: &str,
    password: &str,
    second_factor: Option<(&str, Timestamp)>,
) -> Session {
    let client = browser();
    let r = attempt_sign_in(&client, address, username, password, None).await;
    assert_eq!(r.status(), 303, "sign-in of {username} failed");
    let csrf = session_csrf(&client, address).await;
    if let Some((secret, at)) = second_factor {
        let code = totp_code(secret, at);
        let r = client
            .post(format!("{address}/inloggen/code"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("code", code.as_str()),
                ("terug", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "second factor of {username}");
    }
    Session {
        client,
        csrf,
        address: address.to_string(),
    }
}

/// The code an authenticator app shows at `at`.
pub fn totp_code(secret: &str, at: Timestamp) -> String {
    let raw = nabij_app::totp::base32_decode(secret).unwrap();
    format!("{:06}", nabij_app::totp::code_at(&raw, at.as_second()))
}

/// The CSRF token of a signed-in client, read from a page with a form.
pub async fn session_csrf(client: &reqwest::Client, address: &str) -> String {
    for page in [
        "/account/api-sleutels",
        "/inloggen/code",
        "/account/tweede-factor",
    ] {
        let r = client.get(format!("{address}{page}")).send().await.unwrap();
        if r.status() == 200 {
            let html = r.text().await.unwrap();
            if html.contains("name=\"_csrf\"") {
                return hidden(&html, "_csrf");
            }
        }
    }
    panic!("no page with a form for this session");
}

impl Session {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("_csrf", &self.csrf));
        self.client
            .post(format!("{}{path}", self.address))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// A municipality with one neighbourhood around `at`: (municipality, neighbourhood).
pub async fn town(
    db: &nabij_store::Db,
    (code, name): (&str, &str),
    (buurt_code, buurt): (&str, &str),
    at: nabij_domain::geo::GeoPoint,
) -> (
    nabij_domain::ids::MunicipalityId,
    nabij_domain::ids::NeighbourhoodId,
) {
    let m = db
        .create_municipality(None, Some(code), name, at)
        .await
        .unwrap();
    let n = db
        .create_neighbourhood(m, Some(buurt_code), buurt, at)
        .await
        .unwrap();
    (m, n)
}

/// A pitstop of the test provider with `places` places, at the neighbourhood's centroid.
pub fn pitstop(
    name: &str,
    neighbourhood: nabij_domain::ids::NeighbourhoodId,
    places: usize,
) -> nabij_store::homes::NewHome {
    nabij_store::homes::NewHome {
        organisation_id: 1,
        name: name.into(),
        kind: nabij_domain::home::HomeKind::Pitstop,
        address: "Straat 1".into(),
        neighbourhood,
        point: None,
        rules: Default::default(),
        max_stay_months: 6,
        landlord: None,
        places,
        opened_on: None,
    }
}

/// Whether signing in with this password is refused.
pub async fn sign_in_fails(address: &str, username: &str, password: &str) -> bool {
    let r = attempt_sign_in(&browser(), address, username, password, None).await;
    r.status() == 401
}

/// One sign-in through the form as a browser sends it (the form's token first), optionally
/// as relayed by a proxy for `forwarded_for`.
pub async fn attempt_sign_in(
    client: &reqwest::Client,
    address: &str,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let page = client
        .get(format!("{address}/inloggen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden(&page, "_csrf");
    let mut post = client.post(format!("{address}/inloggen"));
    if let Some(from) = forwarded_for {
        post = post.header("x-forwarded-for", from);
    }
    post.form(&[
        ("_csrf", token.as_str()),
        ("username", username),
        ("password", password),
        ("terug", ""),
    ])
    .send()
    .await
    .unwrap()
}
