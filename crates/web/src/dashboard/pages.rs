use crate::auth::{Viewer, shown, start_page};
use crate::error::HtmlError;
use crate::routes::Web;
use askama::Template;
use axum::extract::State as S;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use nabij_app::dashboard::{self, Dashboard};
use nabij_domain::access::Role;
use nabij_domain::labels::{self, Label};
use nabij_domain::stay::MilestoneStatus;

pub struct MilestoneLine {
    pub stay_id: i64,
    pub person: String,
    pub milestone: &'static str,
    pub status: &'static str,
    pub css: &'static str,
    pub due: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub nav: &'static str,
    pub today: String,
    pub d: Dashboard,
    pub received: Vec<String>,
    pub milestones: Vec<MilestoneLine>,
    pub no_place_total: i64,
    /// Acute signals nobody acknowledged yet: (signal, about whom, filed when).
    pub acute: Vec<(i64, String, String)>,
}

pub fn status_text(s: MilestoneStatus) -> (&'static str, &'static str, String) {
    match s {
        MilestoneStatus::Done { on } => ("afgerond", "done", labels::date(on)),
        MilestoneStatus::Upcoming { due } => ("gepland", "upcoming", labels::date(due)),
        MilestoneStatus::DueSoon { due } => ("binnenkort", "due", labels::date(due)),
        MilestoneStatus::Overdue { due } => ("te laat", "overdue", labels::date(due)),
        MilestoneStatus::NotReached { due } => ("niet bereikt", "upcoming", labels::date(due)),
    }
}

pub async fn show(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    if viewer.role() != Role::Coordinator {
        return Ok(Redirect::to(start_page(viewer.role())).into_response());
    }
    let d = dashboard::show(&state.app, &viewer.caller).await?;
    let mut persons = d.persons();
    let acute_signals = nabij_app::signals::acute_open(&state.app, &viewer.caller).await?;
    persons.extend(nabij_app::signals::persons_of(&acute_signals));
    let acute = acute_signals
        .into_iter()
        .map(|s| (s.id, s.about, state.app.clock().local(s.filed_at)))
        .collect();
    let mut milestones = Vec::new();
    for s in &d.milestone_stays.first {
        for m in s.pressing() {
            let (status, css, due) = status_text(m.status);
            milestones.push(MilestoneLine {
                stay_id: s.stay.id.0,
                person: s.stay.person_name.clone(),
                milestone: m.milestone.label(),
                status,
                css,
                due,
            });
        }
    }
    milestones.sort_by_key(|m| m.css != "overdue");
    let page = crate::pages::page(&DashboardPage {
        nav: "overzicht",
        today: labels::date(d.today),
        received: d
            .breaches
            .first
            .iter()
            .map(|r| state.app.clock().local(r.received_at))
            .collect(),
        no_place_total: d.no_place_this_month.iter().map(|n| n.count).sum(),
        milestones,
        d,
        acute,
    });
    Ok(shown(page, persons))
}
