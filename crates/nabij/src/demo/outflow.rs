//! The chain and outflow in the small demo: partner kinds, a social team and a
//! municipality submitting referrals, Dunavie's quotas with offers declined and accepted,
//! and Dunavie's omklapwoningen in Katwijk in each state of the lease flip over two years.

use super::{DemoSummary, PROVIDER, at};
use anyhow::{Context, Result};
use jiff::ToSpan;
use jiff::civil::Date;
use nabij_app::outflow::{
    AnswerInput, FlipRequestInput, FlipStepInput, MatchInput, OfferInput, QuotaInput,
};
use nabij_app::partners::PartnerReferralInput;
use nabij_app::{App, Caller};
use nabij_domain::access::Role;
use nabij_domain::ids::*;
use nabij_domain::outflow::{FlipId, PartnerKind};

/// The partner user of an organisation, made for the demo (its password printed once).
async fn partner_user(
    app: &App,
    sys: &Caller,
    summary: &mut DemoSummary,
    org: OrganisationId,
    username: &str,
    name: &str,
) -> Result<Caller> {
    let input = nabij_app::accounts::NewUserInput {
        username: username.into(),
        display_name: name.into(),
        phone: String::new(),
        email: String::new(),
        role: Role::Partner.code().into(),
        organisation_id: Some(org.0),
        password_is_final: true,
    };
    let (id, username, password) = nabij_app::accounts::create_user(app, sys, &input).await?;
    summary
        .users
        .push((Role::Partner, username.clone(), password));
    Ok(Caller::user(
        id,
        username,
        name,
        Role::Partner,
        org,
        OrganisationId(PROVIDER),
        "lokaal",
        "nabij demo",
    ))
}

fn intake(
    first: &str,
    last: &str,
    municipality: MunicipalityId,
    situation: &str,
) -> nabij_app::intake::IntakeInput {
    nabij_app::intake::IntakeInput {
        first_name: first.into(),
        last_name: last.into(),
        gender: "vrouw".into(),
        household_size: 1,
        own_municipality_id: municipality.0,
        source: "woningcorporatie".into(),
        urgency: "hoog".into(),
        situation: situation.into(),
        ..Default::default()
    }
}

pub(crate) struct Katwijk {
    pub(crate) municipality: MunicipalityId,
    pub(crate) neighbourhood: NeighbourhoodId,
}

/// Places a new resident in a flip home on `day` and puts them on the usage agreement.
pub(crate) async fn resident(
    app: &App,
    sys: &Caller,
    k: &Katwijk,
    flip: FlipId,
    home: HomeId,
    name: (&str, &str),
    day: Date,
) -> Result<()> {
    let tz = nabij_app::clock::dutch_time_zone();
    app.clock().set(at(day, 9, 30, &tz));
    let (_, referral) = nabij_app::intake::intake(
        app,
        sys,
        &intake(
            name.0,
            name.1,
            k.municipality,
            "Huurschuld opgelost, eigen woning in zicht",
        ),
    )
    .await?;
    let stay = nabij_app::intake::place(app, sys, referral, home).await?;
    step(
        app,
        sys,
        flip,
        "in_use",
        Some(stay.stay.person_id.0),
        day,
        None,
    )
    .await
}

pub(crate) async fn step(
    app: &App,
    caller: &Caller,
    flip: FlipId,
    what: &str,
    person: Option<i64>,
    day: Date,
    criterion: Option<(&str, bool, &str)>,
) -> Result<()> {
    let tz = nabij_app::clock::dutch_time_zone();
    app.clock().set(at(day, 11, 0, &tz));
    let input = FlipStepInput {
        step: what.into(),
        person_id: person,
        on: day.to_string(),
        criterion: criterion.map(|c| c.0.to_string()),
        met: criterion.map(|c| c.1),
        note: criterion.map(|c| c.2.to_string()),
        reasons: criterion
            .filter(|_| what == "review_failed")
            .map(|c| c.2.to_string()),
    };
    nabij_app::outflow::flip_step(app, caller, flip, &input)
        .await
        .with_context(|| format!("omklapstap {what} op {day}"))?;
    Ok(())
}

async fn request(
    app: &App,
    dunavie: &Caller,
    k: &Katwijk,
    name: &str,
    address: &str,
    from: Date,
) -> Result<(FlipId, HomeId)> {
    let tz = nabij_app::clock::dutch_time_zone();
    app.clock().set(at(from, 10, 0, &tz));
    let f = nabij_app::outflow::request_flip(
        app,
        dunavie,
        &FlipRequestInput {
            corporation_id: None,
            name: name.into(),
            address: address.into(),
            neighbourhood_id: k.neighbourhood.0,
            from: from.to_string(),
            accessible: false,
        },
    )
    .await?;
    Ok((f.id, f.home_id))
}

/// Why an offer of the past was withdrawn.
const WITHDRAWN: [&str; 3] = [
    "Verhuurd via de reguliere toewijzing",
    "Niemand uit de opvang paste bij de woning",
    "Woning toch nodig voor een stadsvernieuwingsurgente",
];

/// Offers of the past two years, each registered on its own day and withdrawn three weeks
/// later, so that the offers made spread over the history instead of one day. Each goes
/// against its corporation's quota of the municipality in the year it was made (quotas
/// missing for that year are skipped). The clock is left on the last day written.
pub(crate) async fn past_offers(
    app: &App,
    caller: &Caller,
    corporation: OrganisationId,
    municipalities: &[MunicipalityId],
    today: Date,
    count: usize,
) -> Result<usize> {
    let tz = nabij_app::clock::dutch_time_zone();
    let quotas = nabij_app::outflow::quotas(app, caller, None).await?;
    let mut made = 0;
    if municipalities.is_empty() {
        return Ok(0);
    }
    for i in 0..count {
        // From about two years ago up to a month ago, evenly.
        let back = 30 + (i as i64 * 700) / count.max(1) as i64;
        let day = today.saturating_sub(back.days());
        let m = municipalities[i % municipalities.len()];
        let Some(q) = quotas.iter().find(|q| {
            q.municipality_id == m && q.corporation_id == corporation && q.year == day.year()
        }) else {
            continue;
        };
        app.clock().set(at(day, 10, 0, &tz));
        let offer = nabij_app::outflow::register_offer(
            app,
            caller,
            &OfferInput {
                corporation_id: Some(corporation.0),
                quota_id: q.id.0,
                address: format!(
                    "{} {}",
                    ["Stationsweg", "Kerkpad", "Dorpsstraat", "Molenlaan"][i % 4],
                    2 + i
                ),
                municipality_id: m.0,
                neighbourhood_id: None,
                rooms: 1 + (i as i64 % 3),
                rent_euros: 560 + 15 * (i as i64 % 12),
                accessible: i % 4 == 0,
                no_pets: i % 5 == 0,
                available_from: day.saturating_add(14.days()).to_string(),
            },
        )
        .await?;
        app.clock()
            .set(at(day.saturating_add(21.days()), 15, 0, &tz));
        nabij_app::outflow::withdraw(
            app,
            caller,
            offer.id,
            &nabij_app::outflow::WithdrawInput {
                reason: WITHDRAWN[i % WITHDRAWN.len()].into(),
            },
        )
        .await?;
        made += 1;
    }
    Ok(made)
}

/// Writes the chain and outflow part of the demo; the clock ends at `now`.
pub(crate) async fn seed(
    app: &App,
    sys: &Caller,
    summary: &mut DemoSummary,
    gemeente_leiden: OrganisationId,
    sociaal_team: OrganisationId,
    today: Date,
) -> Result<()> {
    let now = app.clock().now();
    let tz = nabij_app::clock::dutch_time_zone();
    let orgs = nabij_app::accounts::organisations(app, sys).await?;
    let dunavie_org = orgs
        .iter()
        .find(|o| o.name == "Dunavie")
        .map(|o| OrganisationId(o.id))
        .context("Dunavie")?;
    let munis = nabij_app::geography::municipalities(app).await?;
    let muni = |name: &str| munis.iter().find(|m| m.name == name).map(|m| m.id);
    let leiden = muni("Leiden").context("Leiden")?;
    let woerden = muni("Woerden").context("Woerden")?;
    let katwijk = muni("Katwijk").context("Katwijk")?;
    let kn = nabij_app::geography::neighbourhoods(app)
        .await?
        .into_iter()
        .find(|n| n.name == "Katwijk aan den Rijn")
        .context("Katwijk aan den Rijn")?
        .id;
    let k = Katwijk {
        municipality: katwijk,
        neighbourhood: kn,
    };
    app.clock()
        .set(at(today.saturating_sub(760.days()), 9, 0, &tz));
    nabij_app::partners::set_kind(
        app,
        sys,
        gemeente_leiden,
        PartnerKind::Municipality,
        &[leiden],
    )
    .await?;
    nabij_app::partners::set_kind(app, sys, sociaal_team, PartnerKind::SocialTeam, &[woerden])
        .await?;
    nabij_app::partners::set_kind(app, sys, dunavie_org, PartnerKind::HousingCorporation, &[])
        .await?;
    let dunavie = partner_user(
        app,
        sys,
        summary,
        dunavie_org,
        "dunavie",
        "Joyce Meijer (Dunavie)",
    )
    .await?;
    let team = partner_user(
        app,
        sys,
        summary,
        sociaal_team,
        "sociaalteam",
        "Bas Jansen (Sociaal team Woerden)",
    )
    .await?;

    // The lease flips in Katwijk: flipped (with a replacement now in use), one under review
    // after a review that did not pass, and one just requested.
    let (first, first_home) = request(
        app,
        &dunavie,
        &k,
        "Omklap Katwijk Noordzeestraat",
        "Noordzeestraat 7",
        today.saturating_sub(700.days()),
    )
    .await?;
    resident(
        app,
        sys,
        &k,
        first,
        first_home,
        ("Naima", "Bakker"),
        today.saturating_sub(700.days()),
    )
    .await?;
    let review = today.saturating_sub(480.days());
    step(app, sys, first, "flip_review", None, review, None).await?;
    for (c, note) in [
        ("rent_paid", "Zes maanden op tijd betaald"),
        ("no_nuisance", "Geen meldingen bij de corporatie"),
        ("goals_met", "Budgetplan loopt, werk gevonden"),
    ] {
        step(
            app,
            sys,
            first,
            "criterion",
            None,
            review.saturating_add(5.days()),
            Some((c, true, note)),
        )
        .await?;
    }
    step(
        app,
        &dunavie,
        first,
        "criterion",
        None,
        review.saturating_add(9.days()),
        Some(("corporation_agrees", true, "Akkoord huurcommissie")),
    )
    .await?;
    step(
        app,
        sys,
        first,
        "flipped",
        None,
        review.saturating_add(30.days()),
        None,
    )
    .await?;
    let replacement_from = review.saturating_add(60.days());
    app.clock()
        .set(at(review.saturating_add(30.days()), 14, 0, &tz));
    let replacement = nabij_app::outflow::request_replacement(
        app,
        sys,
        first,
        &FlipRequestInput {
            corporation_id: None,
            name: "Omklap Katwijk Zeeweg".into(),
            address: "Zeeweg 40".into(),
            neighbourhood_id: 0,
            from: replacement_from.to_string(),
            accessible: false,
        },
    )
    .await?;
    resident(
        app,
        sys,
        &k,
        replacement.id,
        replacement.home_id,
        ("Ruud", "Smit"),
        replacement_from,
    )
    .await?;

    let (second, second_home) = request(
        app,
        &dunavie,
        &k,
        "Omklap Katwijk Duinstraat",
        "Duinstraat 3",
        today.saturating_sub(420.days()),
    )
    .await?;
    resident(
        app,
        sys,
        &k,
        second,
        second_home,
        ("Linda", "Mulder"),
        today.saturating_sub(400.days()),
    )
    .await?;
    let first_review = today.saturating_sub(200.days());
    step(app, sys, second, "flip_review", None, first_review, None).await?;
    step(
        app,
        sys,
        second,
        "criterion",
        None,
        first_review.saturating_add(3.days()),
        Some(("no_nuisance", false, "Twee meldingen van geluidsoverlast")),
    )
    .await?;
    step(
        app,
        sys,
        second,
        "review_failed",
        None,
        first_review.saturating_add(7.days()),
        Some((
            "",
            false,
            "Overlast eerst oplossen; over een half jaar opnieuw",
        )),
    )
    .await?;
    let again = today.saturating_sub(12.days());
    step(app, sys, second, "flip_review", None, again, None).await?;
    step(
        app,
        sys,
        second,
        "criterion",
        None,
        again.saturating_add(2.days()),
        Some(("rent_paid", true, "Huur twaalf maanden op tijd")),
    )
    .await?;
    step(
        app,
        sys,
        second,
        "criterion",
        None,
        again.saturating_add(2.days()),
        Some(("no_nuisance", true, "Sinds de afspraken geen meldingen")),
    )
    .await?;

    request(
        app,
        &dunavie,
        &k,
        "Omklap Katwijk Visserslaan",
        "Visserslaan 21",
        today.saturating_sub(5.days()),
    )
    .await?;

    // Quotas of Dunavie in every seed municipality, last year and this year.
    app.clock().set(now);
    for m in &munis {
        for (year, total) in [
            (today.year() - 2, 4),
            (today.year() - 1, 6),
            (today.year(), 8),
        ] {
            nabij_app::outflow::set_quota(
                app,
                sys,
                &QuotaInput {
                    corporation_id: dunavie_org.0,
                    municipality_id: m.id.0,
                    year: year as i64,
                    total,
                },
            )
            .await?;
        }
    }
    // Offers of the past two years, then the ones for people ready to move on now.
    let all: Vec<MunicipalityId> = munis.iter().map(|m| m.id).collect();
    past_offers(app, sys, dunavie_org, &all, today, 24).await?;
    app.clock().set(now);
    // Offers for people ready to move on now: some declined first, then accepted.
    let quotas = nabij_app::outflow::quotas(app, sys, Some(today.year())).await?;
    let streets = [
        "Lindenlaan 4",
        "Kastanjehof 12",
        "Beukenstraat 9",
        "Eikenpad 2",
        "Wilgenweg 31",
        "Populierenlaan 6",
    ];
    for (i, q) in quotas.iter().take(streets.len()).enumerate() {
        let offer = nabij_app::outflow::register_offer(
            app,
            &dunavie,
            &OfferInput {
                corporation_id: None,
                quota_id: q.id.0,
                address: streets[i].into(),
                municipality_id: q.municipality_id.0,
                neighbourhood_id: None,
                rooms: 1 + (i as i64 % 3),
                rent_euros: 580 + 40 * i as i64,
                accessible: i % 2 == 0,
                no_pets: false,
                available_from: today.saturating_sub(3.days()).to_string(),
            },
        )
        .await?;
        let candidates = nabij_app::outflow::candidates(app, sys, offer.id).await?;
        // Someone keeps waiting for housing: the dashboard and the reports show it.
        if candidates.len() <= 2 {
            continue;
        }
        for (tried, c) in candidates.iter().take(2).enumerate() {
            nabij_app::outflow::propose(
                app,
                sys,
                offer.id,
                &MatchInput {
                    person_id: c.candidate.person_id.0,
                },
            )
            .await?;
            // Every other offer is declined once, then goes to the next candidate.
            let answer = if i % 2 == 0 && tried == 0 {
                AnswerInput {
                    answer: "declined".into(),
                    reason: [
                        "Te ver van de kinderen",
                        "Geen lift, trap te steil",
                        "Huur te hoog voor het budget",
                    ][i % 3]
                        .into(),
                    key_date: None,
                }
            } else if i == streets.len() - 1 {
                // The last one waits for an answer.
                break;
            } else {
                AnswerInput {
                    answer: "accepted".into(),
                    reason: String::new(),
                    key_date: Some(today.to_string()),
                }
            };
            nabij_app::outflow::answer(app, sys, offer.id, &answer).await?;
            if answer.answer == "accepted" {
                break;
            }
        }
    }

    // A social team and a municipality submit referrals themselves.
    let leiden_user = nabij_app::accounts::users(app, sys)
        .await?
        .into_iter()
        .find(|u| u.role == Role::Partner && u.organisation_id == gemeente_leiden);
    let mut submitters = vec![(team, woerden, "Dewi", "Pranoto")];
    if let Some(u) = leiden_user {
        submitters.push((
            Caller::user(
                u.id,
                u.username.clone(),
                u.display_name.clone(),
                Role::Partner,
                gemeente_leiden,
                OrganisationId(PROVIDER),
                "lokaal",
                "nabij demo",
            ),
            leiden,
            "Youssef",
            "Amrani",
        ));
    }
    for (i, (caller, m, first, last)) in submitters.into_iter().enumerate() {
        app.clock().set(now - (2 + i as i64).hours());
        // The day of sending (near midnight the day before the demo's today).
        let sent = app.clock().today();
        nabij_app::partners::submit_referral(
            app,
            &caller,
            &PartnerReferralInput {
                first_name: first.into(),
                last_name: last.into(),
                gender: "man".into(),
                household_size: 1,
                own_municipality_id: m.0,
                urgency: "hoog".into(),
                situation: "Dreigende huisuitzetting; huurschuld, regeling loopt".into(),
                consent_given_on: sent.to_string(),
                consent_until: Some(sent.saturating_add(6.months()).to_string()),
                ..Default::default()
            },
        )
        .await?;
        summary.referrals += 1;
    }
    app.clock().set(now);
    Ok(())
}
