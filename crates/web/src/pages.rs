//! What every page shares: rendering, the form pattern (show, post, redirect; or show again
//! with the errors), flash messages, error pages, and Dutch formatting.

use crate::forms::Form;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use nabij_domain::home::HouseRules;
use nabij_domain::labels::Label;
use nabij_domain::person::Needs;

/// Renders a template; a template error is logged and shown as a plain failure.
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template failed");
        "<!doctype html><title>Fout</title><p>Deze pagina kon niet worden getoond.</p>".into()
    })
}

pub fn page<T: Template>(t: &T) -> Response {
    Html(render(t)).into_response()
}

/// A form shown again with its errors.
pub fn invalid<T: Template>(t: &T) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(render(t))).into_response()
}

/// A page with a form: shown normally, or again with the form's errors (422); the persons
/// it names are logged as viewed.
pub fn with_form<T: Template>(
    t: &T,
    form: &Form,
    persons: impl IntoIterator<Item = nabij_domain::ids::PersonId>,
) -> Response {
    let r = if form.has_errors() {
        invalid(t)
    } else {
        page(t)
    };
    crate::auth::shown(r, persons)
}

/// The end of a form action: on success, to `done` with a flash message; when the input
/// broke a rule, the same page `again`, with every error next to its field and the user's
/// input kept.
pub async fn after_post<T, Fut>(
    result: Result<T, nabij_app::AppError>,
    mut form: Form,
    done: impl FnOnce(T) -> String,
    flash: &str,
    again: impl FnOnce(Form) -> Fut,
) -> Result<Response, crate::error::HtmlError>
where
    Fut: std::future::Future<Output = Result<Response, crate::error::HtmlError>>,
{
    match result {
        Ok(v) => Ok(see_other(&done(v), flash)),
        Err(nabij_app::AppError::Invalid(v)) => {
            form.add_violations(&v);
            again(form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The flash message named in a page's query (`?melding=…`).
pub fn flash(q: &std::collections::HashMap<String, String>) -> Option<&'static str> {
    flash_text(q.get("melding").map(String::as_str))
}

/// After a successful form action: go to the page, with a short message in the query.
pub fn see_other(path: &str, flash: &str) -> Response {
    let mut url = path.to_string();
    if !flash.is_empty() {
        url.push_str(if path.contains('?') { "&" } else { "?" });
        url.push_str("melding=");
        url.push_str(flash);
    }
    Redirect::to(&url).into_response()
}

/// Fixed messages shown after a redirect; the query carries only their key.
pub fn flash_text(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "geplaatst" => "Geplaatst. Het verblijf is begonnen; de klok loopt.",
        "gesloten" => "De aanmelding is gesloten.",
        "vertrek" => "Het vertrek is vastgelegd en de plek is weer vrij.",
        "verlengd" => "De verlenging is vastgelegd.",
        "klaar" => "Uitstroomklaar is vastgelegd.",
        "mijlpaal" => "De mijlpaal is afgerond.",
        "geblokkeerd" => "De plek is geblokkeerd.",
        "opgeheven" => "De blokkade is opgeheven.",
        "begeleider" => "De begeleider is vastgelegd.",
        "toestemming" => "De toestemming is vastgelegd.",
        "ingetrokken" => "De toestemming is ingetrokken.",
        "begeleiding" => "De begeleiding is gestart.",
        "hervat" => "De begeleiding is hervat.",
        "intensiteit" => "De intensiteit is gewijzigd.",
        "begeleider-toegevoegd" => "De begeleider is toegevoegd en kan het dossier nu openen.",
        "begeleider-eraf" => "De begeleider is van de begeleiding gehaald.",
        "vaste-begeleider" => "De vaste begeleider is gewijzigd.",
        "afgesloten" => "De begeleiding is afgesloten of loopt door als nazorg.",
        "contact" => "Het contact is vastgelegd.",
        "doel" => "Het plan van aanpak is bijgewerkt.",
        "zrm" => "De ZRM is vastgelegd.",
        "signaal" => "Je signaal is doorgegeven. Je ziet hieronder wanneer het is opgepakt.",
        "opgepakt" => "Het signaal is opgepakt.",
        "signaal-doorgegeven" => "Het signaal is doorgegeven.",
        "signaal-afgesloten" => "Het signaal is afgesloten.",
        "huisregels" => "De huisregels en noodnummers zijn opgeslagen.",
        "maatje" => "Het maatje is opgeslagen.",
        "gekoppeld" => "De koppeling is gemaakt.",
        "beeindigd" => "De koppeling is beëindigd.",
        "nummer" => "De afspraak over het eigen nummer is vastgelegd.",
        "wens" => "De wens is vastgelegd.",
        "contactmoment" => "Het contactmoment is vastgelegd. Dank je wel!",
        "aanbod" => "Het aanbod is geregistreerd; een eenheid van het contingent is gereserveerd.",
        "contingent" => "Het contingent is opgeslagen.",
        "voorgesteld" => "Het aanbod is voorgesteld.",
        "antwoord" => "Het antwoord is vastgelegd.",
        "verhuisd" => "De verhuizing is vastgelegd; het verblijf is beëindigd.",
        "aanbod-ingetrokken" => "Het aanbod is ingetrokken; de eenheid is vrijgegeven.",
        "acceptatie-ingetrokken" => {
            "De acceptatie is ingetrokken; het aanbod staat weer open voor een kandidaat."
        }
        "sleuteldatum" => "De sleuteldatum is verzet; het verblijf loopt door tot de verhuizing.",
        "omklap" => "De omklapwoning is aangevraagd.",
        "omklapstap" => "De stap is vastgelegd.",
        "aangemeld" => "De aanmelding is verstuurd naar de coördinatoren.",
        "dossier-gekoppeld" => "De koppeling aan het bekende dossier is bevestigd.",
        "dossier-losgekoppeld" => {
            "Dit is iemand anders: er is een nieuw dossier geopend met wat de ketenpartner aanmeldde."
        }
        "ketenpartner" => "De soort en de gemeenten van de ketenpartner zijn opgeslagen.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub detail: String,
    pub nav: &'static str,
}

impl ErrorPage {
    pub fn new(title: &'static str, detail: String) -> Self {
        Self {
            title,
            detail,
            nav: "",
        }
    }
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(crate::error::WebError::App(nabij_app::AppError::NotFound(
            "API-route",
        )))
        .into_response();
    }
    (
        StatusCode::NOT_FOUND,
        Html(render(&ErrorPage::new(
            "Niet gevonden",
            "Deze pagina bestaat niet. Kies iets in het menu.".into(),
        ))),
    )
        .into_response()
}

/// The process is alive; asks nothing of the database.
pub async fn health() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// The service can take requests: the database answers and its migrations are current.
pub async fn ready(
    axum::extract::State(state): axum::extract::State<crate::routes::Web>,
) -> Response {
    match state.app.ready().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why).into_response(),
    }
}

pub fn needs_text(n: &Needs) -> String {
    let v: Vec<&str> = [
        (n.accessible, "toegankelijk huis"),
        (n.pets, "huisdieren"),
        (n.women_only, "vrouwenhuis"),
    ]
    .into_iter()
    .filter_map(|(b, s)| b.then_some(s))
    .collect();
    if v.is_empty() {
        "niets bijzonders".into()
    } else {
        v.join(", ")
    }
}

pub fn rules_text(r: &HouseRules) -> String {
    let v: Vec<&str> = [
        (r.women_only, "alleen vrouwen"),
        (r.accessible, "toegankelijk"),
        (r.pets_allowed, "huisdieren welkom"),
    ]
    .into_iter()
    .filter_map(|(b, s)| b.then_some(s))
    .collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

/// Percent-encodes a value for a URL query.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn percent(share: Option<f64>) -> String {
    share
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// Options for a select: (code, Dutch label).
pub fn options<T: Label + Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|x| (code(*x), x.label())).collect()
}
