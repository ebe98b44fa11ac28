//! Chain partners: municipalities, social teams and housing corporations that refer.
//!
//! **The rule of this area:** a partner sees the referrals it made and their status; a
//! person's name only under that person's active consent for this partner and purpose
//! `referral`; where and since when someone was placed also under that consent; ready to
//! move on and the exit only under consent for `housing`. Without consent: nothing that
//! identifies anyone.

use crate::{App, AppError, Caller, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{Purpose, Role};
use nabij_domain::home::HomeKind;
use nabij_domain::ids::*;
use nabij_domain::page::{Page, PageRequest};
use nabij_domain::referral::ReferralState;
use nabij_domain::stay::Destination;
use nabij_store::referrals::ReferralList;
use nabij_store::stays::StayFilter;

/// A referral the partner made, with the person's name only under consent.
#[derive(Debug, Clone)]
pub struct PartnerReferral {
    pub id: ReferralId,
    pub received_at: Timestamp,
    pub state: ReferralState,
    /// With consent for referral.
    pub name: Option<String>,
    /// Only for the access log: set when the partner is shown this person's data.
    pub shown: Option<PersonId>,
}

/// Where the person was placed, under consent for referral.
#[derive(Debug, Clone)]
pub struct Placement {
    pub home_kind: HomeKind,
    pub municipality_name: String,
    pub start: Date,
}

/// One referral as the partner sees it.
#[derive(Debug, Clone)]
pub struct PartnerReferralDetail {
    pub referral: PartnerReferral,
    pub referral_consent: bool,
    pub housing_consent: bool,
    pub placed: Option<Placement>,
    /// Under consent for housing.
    pub ready_on: Option<Date>,
    /// Under consent for housing.
    pub exit: Option<(Date, Destination)>,
}

fn require_partner(caller: &Caller) -> Result<()> {
    if caller.role == Role::Partner {
        Ok(())
    } else {
        Err(AppError::Forbidden("dit is voor ketenpartners".into()))
    }
}

/// One page of the referrals the caller's organisation made, newest first, with their
/// exact number.
#[tracing::instrument(skip_all)]
pub async fn our_referrals(
    app: &App,
    caller: &Caller,
    page: &PageRequest,
) -> Result<Page<PartnerReferral>> {
    require_partner(caller)?;
    let today = app.clock.today();
    let org = caller.organisation.0;
    let found = app
        .db
        .referrals_page(&ReferralList::made_by(org), page)
        .await?;
    let mut rows = Vec::with_capacity(found.items.len());
    for r in found.items {
        let consent = app
            .db
            .has_consent(r.person_id, org, Purpose::Referral, today)
            .await?;
        rows.push(PartnerReferral {
            id: r.id,
            received_at: r.received_at,
            state: r.state,
            name: consent.then(|| r.person_name.clone()),
            shown: consent.then_some(r.person_id),
        });
    }
    Ok(Page {
        items: rows,
        total: found.total,
        next: found.next,
    })
}

/// One referral the caller's organisation made; another's is "not found".
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn our_referral(
    app: &App,
    caller: &Caller,
    id: ReferralId,
) -> Result<PartnerReferralDetail> {
    require_partner(caller)?;
    let today = app.clock.today();
    let org = caller.organisation.0;
    let r = app.db.referral(id).await?;
    if r.referred_by != Some(org) {
        return Err(AppError::NotFound("aanmelding"));
    }
    let referral_consent = app
        .db
        .has_consent(r.person_id, org, Purpose::Referral, today)
        .await?;
    let housing_consent = app
        .db
        .has_consent(r.person_id, org, Purpose::Housing, today)
        .await?;
    let stay = if referral_consent || housing_consent {
        app.db
            .stays(StayFilter {
                person: Some(r.person_id),
                ..Default::default()
            })
            .await?
            .into_iter()
            .find(|s| s.referral_id == Some(r.id))
    } else {
        None
    };
    Ok(PartnerReferralDetail {
        referral: PartnerReferral {
            id: r.id,
            received_at: r.received_at,
            state: r.state,
            name: referral_consent.then(|| r.person_name.clone()),
            shown: (referral_consent || housing_consent).then_some(r.person_id),
        },
        referral_consent,
        housing_consent,
        placed: stay
            .as_ref()
            .filter(|_| referral_consent)
            .map(|s| Placement {
                home_kind: s.home_kind,
                municipality_name: s.municipality_name.clone(),
                start: s.start,
            }),
        ready_on: stay
            .as_ref()
            .filter(|_| housing_consent)
            .and_then(|s| s.ready_on),
        exit: stay
            .as_ref()
            .filter(|_| housing_consent)
            .and_then(|s| s.exit_date.zip(s.destination)),
    })
}
