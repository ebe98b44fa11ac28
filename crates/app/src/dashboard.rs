//! The coordinator's overview: free places now, stays that need attention, open referrals
//! and breaches of the 24-hour promise, no-place events this month.

use crate::intake::Referral;
use crate::stays::StayView;
use crate::{App, AppError, Caller, Result};
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::ids::*;
use nabij_domain::referral::is_breach;
use nabij_store::referrals::ReferralFilter;
use nabij_store::stays::StayFilter;
use serde::Serialize;

pub use nabij_store::reports::NoPlaceCount;

/// Free places per municipality and home, right now.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MunicipalityFree {
    pub municipality: String,
    pub places: usize,
    pub free: usize,
    pub homes: Vec<HomeFree>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HomeFree {
    pub home_id: HomeId,
    pub name: String,
    pub kind: nabij_domain::home::HomeKind,
    pub places: usize,
    pub free: usize,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Dashboard {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub today: Date,
    pub free_places: usize,
    pub total_places: usize,
    pub municipalities: Vec<MunicipalityFree>,
    pub active_stays: usize,
    /// Active stays past their planned end.
    pub overdue_stays: Vec<StayView>,
    /// Active stays with a milestone due soon or overdue.
    pub milestone_stays: Vec<StayView>,
    pub open_referrals: Vec<Referral>,
    pub breaches: Vec<Referral>,
    pub no_place_this_month: Vec<NoPlaceCount>,
}

impl Dashboard {
    /// The persons named on the dashboard.
    pub fn persons(&self) -> Vec<PersonId> {
        self.overdue_stays
            .iter()
            .chain(&self.milestone_stays)
            .map(|s| s.stay.person_id)
            .chain(self.open_referrals.iter().map(|r| r.person_id))
            .collect()
    }
}

#[tracing::instrument(skip_all)]
pub async fn show(app: &App, caller: &Caller) -> Result<Dashboard> {
    if !caller.acts_as(Role::Coordinator) {
        return Err(AppError::Forbidden(
            "het overzicht is voor coördinatoren".into(),
        ));
    }
    let today = app.clock.today();
    let now = app.clock.now();
    let org = caller.provider.0;
    let avail = app.db.availability(today, org, None).await?;
    let mut municipalities: Vec<MunicipalityFree> = Vec::new();
    let mut sorted: Vec<_> = avail.iter().collect();
    sorted.sort_by(|a, b| {
        a.municipality_name
            .cmp(&b.municipality_name)
            .then(a.home_name.cmp(&b.home_name))
    });
    for h in sorted {
        if municipalities.last().map(|m| m.municipality.as_str()) != Some(&*h.municipality_name) {
            municipalities.push(MunicipalityFree {
                municipality: h.municipality_name.to_string(),
                places: 0,
                free: 0,
                homes: Vec::new(),
            });
        }
        let m = municipalities.last_mut().expect("pushed above");
        m.places += h.total_places;
        m.free += h.free_places.len();
        m.homes.push(HomeFree {
            home_id: h.home,
            name: h.home_name.to_string(),
            kind: h.kind,
            places: h.total_places,
            free: h.free_places.len(),
        });
    }
    let stays: Vec<StayView> = app
        .db
        .stays(StayFilter {
            active: Some(true),
            organisation: Some(org),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|s| StayView::of(s.into(), today))
        .collect();
    let open: Vec<Referral> = app
        .db
        .referrals(org, ReferralFilter::Open, 500)
        .await?
        .into_iter()
        .map(Referral::from)
        .collect();
    let breaches = open
        .iter()
        .filter(|r| is_breach(r.state, r.received_at, now))
        .cloned()
        .collect();
    let month_start = today.first_of_month();
    let since = app
        .clock
        .tz()
        .to_timestamp(month_start.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(now);
    Ok(Dashboard {
        today,
        free_places: avail.iter().map(|h| h.free_places.len()).sum(),
        total_places: avail.iter().map(|h| h.total_places).sum(),
        municipalities,
        active_stays: stays.len(),
        overdue_stays: stays.iter().filter(|s| s.clock.overdue).cloned().collect(),
        milestone_stays: stays
            .iter()
            .filter(|s| s.pressing().next().is_some())
            .cloned()
            .collect(),
        open_referrals: open,
        breaches,
        no_place_this_month: app.db.no_place_counts(org, since).await?,
    })
}
