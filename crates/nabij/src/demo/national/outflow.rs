//! Chain and outflow on the national scale: Dunavie as a corporation with a quota in every
//! municipality for this year and last, open offers across the country, offers accepted by
//! people ready to move on, and omklapwoningen requested; the Gemeente Leiden partner
//! covers the first municipality. Written through the use cases after the bulk load.

use crate::demo::DemoAccounts;
use anyhow::{Context, Result};
use jiff::ToSpan;
use jiff::civil::Date;
use nabij_app::outflow::{AnswerInput, FlipRequestInput, MatchInput, OfferInput, QuotaInput};
use nabij_app::{App, Caller};
use nabij_domain::outflow::PartnerKind;

/// Municipalities that get open offers (the first ones, the largest).
const OFFER_MUNICIPALITIES: usize = 60;
/// Offers accepted today by the best candidate, one per municipality, in the first ones.
const ACCEPTED: usize = 30;
const FLIP_HOMES: usize = 20;
/// Offers of the past two years (registered, withdrawn three weeks later).
const PAST_OFFERS: usize = 240;
/// Omklapwoningen whose lease flipped in the past two years (one in three after a review
/// that did not pass first).
const COMPLETED_FLIPS: usize = 8;

pub(crate) async fn seed(
    app: &App,
    sys: &Caller,
    accounts: &DemoAccounts,
    today: Date,
) -> Result<usize> {
    let orgs = nabij_app::accounts::organisations(app, sys).await?;
    let dunavie = orgs
        .iter()
        .find(|o| o.name == "Dunavie")
        .map(|o| nabij_domain::ids::OrganisationId(o.id))
        .context("Dunavie")?;
    let now = app.clock().now();
    let municipalities = nabij_app::geography::municipalities(app).await?;
    let Some(first) = municipalities.first() else {
        return Ok(0);
    };
    nabij_app::partners::set_kind(app, sys, dunavie, PartnerKind::HousingCorporation, &[]).await?;
    nabij_app::partners::set_kind(
        app,
        sys,
        accounts.gemeente_leiden,
        PartnerKind::Municipality,
        &[first.id],
    )
    .await?;
    nabij_app::partners::set_kind(
        app,
        sys,
        accounts.sociaal_team,
        PartnerKind::SocialTeam,
        &[first.id],
    )
    .await?;
    let mut this_year = Vec::new();
    for (i, m) in municipalities.iter().enumerate() {
        for (year, total) in [
            (today.year() - 2, 3 + (i % 4) as i64),
            (today.year() - 1, 4 + (i % 5) as i64),
            (today.year(), 6 + (i % 7) as i64),
        ] {
            let q = nabij_app::outflow::set_quota(
                app,
                sys,
                &QuotaInput {
                    corporation_id: dunavie.0,
                    municipality_id: m.id.0,
                    year: year as i64,
                    total,
                },
            )
            .await?;
            if year == today.year() {
                this_year.push(q);
            }
        }
    }
    // Offers spread over the past two years, in the municipalities that get offers now.
    let offered: Vec<_> = this_year
        .iter()
        .take(OFFER_MUNICIPALITIES)
        .map(|q| q.municipality_id)
        .collect();
    crate::demo::outflow::past_offers(app, sys, dunavie, &offered, today, PAST_OFFERS).await?;
    app.clock().set(now);
    for (i, q) in this_year.iter().take(OFFER_MUNICIPALITIES).enumerate() {
        let offer = nabij_app::outflow::register_offer(
            app,
            sys,
            &OfferInput {
                corporation_id: Some(dunavie.0),
                quota_id: q.id.0,
                address: format!("Uitstroomlaan {}", i + 1),
                municipality_id: q.municipality_id.0,
                neighbourhood_id: None,
                rooms: 1 + (i % 3) as i64,
                rent_euros: 600 + 10 * (i % 20) as i64,
                accessible: i % 4 == 0,
                no_pets: false,
                available_from: today.saturating_sub(((i % 20) as i64).days()).to_string(),
            },
        )
        .await?;
        if i < ACCEPTED {
            let candidates = nabij_app::outflow::candidates(app, sys, offer.id).await?;
            // Only where many wait: the waiting and the overdue stay visible.
            if let Some(c) = candidates.first().filter(|_| candidates.len() > 20) {
                nabij_app::outflow::propose(
                    app,
                    sys,
                    offer.id,
                    &MatchInput {
                        person_id: c.candidate.person_id.0,
                    },
                )
                .await?;
                let answer = if i % 3 == 0 {
                    AnswerInput {
                        answer: "declined".into(),
                        reason: "Te ver van het netwerk".into(),
                        key_date: None,
                    }
                } else {
                    AnswerInput {
                        answer: "accepted".into(),
                        reason: String::new(),
                        key_date: Some(today.to_string()),
                    }
                };
                nabij_app::outflow::answer(app, sys, offer.id, &answer).await?;
            }
        }
    }
    let neighbourhoods = nabij_app::geography::neighbourhoods(app).await?;
    for (i, n) in neighbourhoods
        .iter()
        .step_by((neighbourhoods.len() / FLIP_HOMES).max(1))
        .take(FLIP_HOMES)
        .enumerate()
    {
        nabij_app::outflow::request_flip(
            app,
            sys,
            &FlipRequestInput {
                corporation_id: Some(dunavie.0),
                name: format!("Omklapwoning {}", n.name),
                address: format!("Omklapstraat {}", i + 1),
                neighbourhood_id: n.id.0,
                from: today.to_string(),
                accessible: false,
            },
        )
        .await?;
    }
    let residents = completed_flips(app, sys, dunavie, &neighbourhoods, today).await?;
    app.clock().set(now);
    Ok(residents)
}

/// Lease flips of the past two years, each through every step on its own day: requested,
/// a resident on a usage agreement, the review (one in three first not passed), flipped:
/// the stays end with own lease via omklap and the homes close.
async fn completed_flips(
    app: &App,
    sys: &Caller,
    dunavie: nabij_domain::ids::OrganisationId,
    neighbourhoods: &[nabij_app::geography::Neighbourhood],
    today: Date,
) -> Result<usize> {
    use crate::demo::outflow::{Katwijk, resident, step};
    let mut residents = 0;
    let tz = nabij_app::clock::dutch_time_zone();
    let names = [
        ("Fatima", "El Idrissi"),
        ("Kees", "Vermeulen"),
        ("Anouk", "Smit"),
        ("Dennis", "Hoekstra"),
        ("Samira", "Bouzid"),
        ("Peter", "de Wit"),
        ("Lotte", "Kramer"),
        ("Hamza", "Yilmaz"),
    ];
    for (i, n) in neighbourhoods
        .iter()
        .skip(1)
        .step_by((neighbourhoods.len() / (COMPLETED_FLIPS + 1)).max(1))
        .take(COMPLETED_FLIPS)
        .enumerate()
    {
        let requested = today.saturating_sub((720 - 40 * i as i64).days());
        app.clock().set(crate::demo::at(requested, 10, 0, &tz));
        let f = nabij_app::outflow::request_flip(
            app,
            sys,
            &FlipRequestInput {
                corporation_id: Some(dunavie.0),
                name: format!("Omklapwoning {} (omgeklapt)", n.name),
                address: format!("Huurderslaan {}", i + 1),
                neighbourhood_id: n.id.0,
                from: requested.to_string(),
                accessible: false,
            },
        )
        .await?;
        let place = Katwijk {
            municipality: n.municipality_id,
            neighbourhood: n.id,
        };
        let moved_in = requested.saturating_add(5.days());
        resident(
            app,
            sys,
            &place,
            f.id,
            f.home_id,
            names[i % names.len()],
            moved_in,
        )
        .await?;
        let mut review = moved_in.saturating_add(200.days());
        step(app, sys, f.id, "flip_review", None, review, None).await?;
        if i % 3 == 0 {
            step(
                app,
                sys,
                f.id,
                "criterion",
                None,
                review.saturating_add(3.days()),
                Some(("no_nuisance", false, "Meldingen van overlast")),
            )
            .await?;
            step(
                app,
                sys,
                f.id,
                "review_failed",
                None,
                review.saturating_add(7.days()),
                Some((
                    "",
                    false,
                    "Eerst de overlast oplossen; over drie maanden opnieuw",
                )),
            )
            .await?;
            review = review.saturating_add(90.days());
            step(app, sys, f.id, "flip_review", None, review, None).await?;
        }
        for (c, note) in [
            ("rent_paid", "Huur op tijd betaald"),
            ("no_nuisance", "Geen meldingen"),
            ("goals_met", "Wonen en financiën op orde"),
            ("corporation_agrees", "Akkoord van Dunavie"),
        ] {
            step(
                app,
                sys,
                f.id,
                "criterion",
                None,
                review.saturating_add(5.days()),
                Some((c, true, note)),
            )
            .await?;
        }
        step(
            app,
            sys,
            f.id,
            "flipped",
            None,
            review.saturating_add(10.days()),
            None,
        )
        .await?;
        residents += 1;
    }
    Ok(residents)
}
