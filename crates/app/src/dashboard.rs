//! The coordinator's overview: free places now, stays that need attention, open referrals
//! and breaches of the 24-hour promise, no-place events this month.

use crate::intake::Referral;
use crate::stays::StayView;
use crate::{App, AppError, Caller, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::ids::*;
use nabij_domain::page::PageRequest;
use nabij_domain::referral::PLACEMENT_DEADLINE;
use nabij_store::referrals::ReferralList;
use nabij_store::stays::{Attention, StayFilter};
use serde::Serialize;

pub use nabij_store::reports::NoPlaceCount;

/// How many of each list the dashboard names; the rest is on the list's own pages.
pub const SHOWN: u32 = 10;

/// An organisation's capacity in one municipality right now.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MunicipalityFree {
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    /// Homes in service.
    pub homes: i64,
    /// Places in service.
    pub places: i64,
    /// Places in service, not blocked and not occupied.
    pub free: i64,
}

/// A count and the most urgent of what it counts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Urgent<T> {
    /// How many there are in all.
    pub total: i64,
    /// The most urgent, at most [`SHOWN`].
    pub first: Vec<T>,
}

impl<T> Urgent<T> {
    fn of(page: nabij_domain::page::Page<T>) -> Self {
        Urgent {
            total: page.total,
            first: page.items,
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Dashboard {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub today: Date,
    pub free_places: i64,
    pub total_places: i64,
    pub municipalities: Vec<MunicipalityFree>,
    pub active_stays: i64,
    /// Active stays past their planned end, the longest past first.
    pub overdue_stays: Urgent<StayView>,
    /// Active stays with a milestone due soon or overdue.
    pub milestone_stays: Urgent<StayView>,
    /// Open referrals, the longest waiting first.
    pub open_referrals: Urgent<Referral>,
    /// Referrals open longer than 24 hours, the longest waiting first.
    pub breaches: Urgent<Referral>,
    pub no_place_this_month: Vec<NoPlaceCount>,
}

impl Dashboard {
    /// The persons named on the dashboard.
    pub fn persons(&self) -> Vec<PersonId> {
        self.overdue_stays
            .first
            .iter()
            .chain(&self.milestone_stays.first)
            .map(|s| s.stay.person_id)
            .chain(
                self.open_referrals
                    .first
                    .iter()
                    .chain(&self.breaches.first)
                    .map(|r| r.person_id),
            )
            .collect()
    }
}

/// Free places per municipality today. Counting them visits every place of the network
/// (23,000 at national scale), so the count is kept per organisation and reused while the
/// day and the data fingerprint of the planner are unchanged: every placement, exit, block
/// set or ended, and change of a home or place changes that fingerprint
/// ([`nabij_store::capacity::CapacityFingerprint`]). The fingerprint is read before the
/// count, so a change in between makes the next view count again.
async fn free_places(
    app: &App,
    org: i64,
    today: Date,
) -> Result<std::sync::Arc<Vec<nabij_store::geography::MunicipalityFree>>> {
    let fingerprint = app.db.capacity_fingerprint().await?;
    let cache = &app.planner_cache.free_places;
    if let Some(hit) = cache
        .lock()
        .expect("the dashboard cache is never poisoned")
        .get(&org)
        .filter(|c| c.day == today && c.fingerprint == fingerprint)
    {
        return Ok(hit.rows.clone());
    }
    let rows = std::sync::Arc::new(app.db.free_places_by_municipality(org, today).await?);
    cache
        .lock()
        .expect("the dashboard cache is never poisoned")
        .insert(
            org,
            crate::capacity::FreePlaces {
                day: today,
                fingerprint,
                rows: rows.clone(),
            },
        );
    Ok(rows)
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
    let first = PageRequest::first(SHOWN);
    let municipalities: Vec<MunicipalityFree> = free_places(app, org, today)
        .await?
        .iter()
        .map(|m| MunicipalityFree {
            municipality_id: m.municipality_id,
            municipality: m.municipality.clone(),
            homes: m.homes,
            places: m.places,
            free: m.free,
        })
        .collect();
    let active = StayFilter {
        active: Some(true),
        organisation: Some(org),
        ..Default::default()
    };
    let stays = |attention: Attention| {
        let filter = StayFilter {
            attention: Some(attention),
            ..active
        };
        let first = &first;
        async move {
            Ok::<_, AppError>(Urgent::of(
                app.db
                    .stays_page(&filter, first)
                    .await?
                    .map(|s| StayView::of(s.into(), today)),
            ))
        }
    };
    let referrals = |received_before: Option<Timestamp>| {
        let list = ReferralList {
            received_before,
            oldest_first: true,
            ..ReferralList::open(org)
        };
        let first = &first;
        async move {
            Ok::<_, AppError>(Urgent::of(
                app.db
                    .referrals_page(&list, first)
                    .await?
                    .map(Referral::from),
            ))
        }
    };
    let breach_before = now - PLACEMENT_DEADLINE;
    let month_start = today.first_of_month();
    let since = app
        .clock
        .tz()
        .to_timestamp(month_start.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(now);
    Ok(Dashboard {
        today,
        free_places: municipalities.iter().map(|m| m.free).sum(),
        total_places: municipalities.iter().map(|m| m.places).sum(),
        municipalities,
        active_stays: app.db.count_stays(&active).await?,
        overdue_stays: stays(Attention::Overdue { today }).await?,
        milestone_stays: stays(Attention::Milestone { today }).await?,
        open_referrals: referrals(None).await?,
        breaches: referrals(Some(breach_before)).await?,
        no_place_this_month: app.db.recent_no_place_counts(org, since).await?,
    })
}
