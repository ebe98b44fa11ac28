//! The omklap lease flip as a property, end to end on SQLite: any sequence of steps a
//! coordinator posts to the API leaves the flip, the resident's stay and the home in a
//! legal state. A step the rules refuse changes nothing; the flip moves only along the
//! lifecycle of domain.md §6; `flipped` always ends the stay with the own lease on the day
//! of the flip and takes the home out of the stock from then on; nothing leaves `flipped`.

use crate::helpers::*;
use nabij_domain::ids::HomeId;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

/// One thing a coordinator does; `back` is how many days before today the step is dated
/// (-1: tomorrow, which is refused).
#[derive(Debug, Clone)]
enum Step {
    /// In use by the person living in the house, or by someone living elsewhere.
    InUse {
        the_resident: bool,
        back: i64,
    },
    Review {
        back: i64,
    },
    Criterion {
        which: &'static str,
        met: bool,
        back: i64,
    },
    ReviewFailed {
        with_reasons: bool,
        back: i64,
    },
    Flip {
        back: i64,
    },
    /// Time passes.
    Wait {
        days: i64,
    },
    /// The resident moves out some other way, before any flip.
    Leave,
}

fn step() -> impl Strategy<Value = Step> {
    let back = prop_oneof![4 => Just(0i64), 1 => Just(1), 1 => Just(20), 1 => Just(-1)];
    prop_oneof![
        2 => (prop_oneof![4 => Just(true), 1 => Just(false)], back.clone())
            .prop_map(|(the_resident, back)| Step::InUse { the_resident, back }),
        2 => back.clone().prop_map(|back| Step::Review { back }),
        5 => (
            prop_oneof![
                Just("rent_paid"),
                Just("no_nuisance"),
                Just("goals_met"),
                Just("corporation_agrees")
            ],
            prop_oneof![4 => Just(true), 1 => Just(false)],
            back.clone()
        )
            .prop_map(|(which, met, back)| Step::Criterion { which, met, back }),
        1 => (any::<bool>(), back.clone())
            .prop_map(|(with_reasons, back)| Step::ReviewFailed { with_reasons, back }),
        2 => back.prop_map(|back| Step::Flip { back }),
        2 => prop_oneof![Just(1i64), Just(40), Just(190)].prop_map(|days| Step::Wait { days }),
        1 => Just(Step::Leave),
    ]
}

/// The way to a flip: in use, half a year, a review with every criterion met, the flip.
fn the_way_to_a_flip() -> Vec<Step> {
    let mut way = vec![
        Step::InUse {
            the_resident: true,
            back: 0,
        },
        Step::Wait { days: 190 },
        Step::Review { back: 0 },
    ];
    for which in [
        "rent_paid",
        "no_nuisance",
        "goals_met",
        "corporation_agrees",
    ] {
        way.push(Step::Criterion {
            which,
            met: true,
            back: 0,
        });
    }
    way.push(Step::Flip { back: 0 });
    way
}

/// Random steps; in three sequences out of four the way to a flip runs through them, in order, so
/// the flip and what comes after it are reached too.
fn sequence() -> impl Strategy<Value = Vec<Step>> {
    (
        proptest::collection::vec(step(), 1..12),
        proptest::bool::weighted(0.75),
        proptest::collection::vec(any::<proptest::sample::Index>(), 8),
    )
        .prop_map(|(mut steps, towards_a_flip, at)| {
            if towards_a_flip {
                let mut from = 0;
                for (s, at) in the_way_to_a_flip().into_iter().zip(at) {
                    let i = from + at.index(steps.len() - from + 1);
                    steps.insert(i, s);
                    from = i + 1;
                }
            }
            steps
        })
}

/// What a step can change: the flip as the coordinator sees it, the resident's stay and
/// the home.
#[derive(Debug, PartialEq)]
struct Seen {
    flip: Value,
    stay: Value,
    home: Value,
    in_service_today: bool,
}

async fn seen(app: &TestApp, flip: i64, stay: i64, home: i64) -> Seen {
    let in_service_today = !app
        .db
        .availability(app.clock.today(), 1, Some(HomeId(home)))
        .await
        .unwrap()
        .is_empty();
    Seen {
        flip: app.get_json(&format!("/api/v1/flips/{flip}")).await["flip"].clone(),
        stay: app.get_json(&format!("/api/v1/stays/{stay}")).await,
        home: app.get_json(&format!("/api/v1/homes/{home}")).await["home"].clone(),
        in_service_today,
    }
}

/// The rules that hold in every state, whatever came before; `left`: the resident moved
/// out some other way.
fn legal(s: &Seen, resident: &str, left: bool) -> Result<(), TestCaseError> {
    let state = s.flip["state"].as_str().unwrap_or_default();
    prop_assert!(
        ["requested", "in_use", "flip_review", "flipped"].contains(&state),
        "state {state}"
    );
    if state == "requested" {
        prop_assert!(s.flip["resident"].is_null(), "{}", s.flip);
    } else {
        // Only the person living in the house can be its resident.
        prop_assert_eq!(s.flip["resident"].as_str(), Some(resident), "{}", s.flip);
    }
    if left {
        // No lease to flip: the flip never happens, and the home stays in the stock.
        prop_assert_ne!(state, "flipped");
        prop_assert_eq!(s.stay["destination"].as_str(), Some("own_rented_home"));
        prop_assert!(s.home["closed_on"].is_null() && s.in_service_today);
    } else if state == "flipped" {
        let on = &s.flip["flipped_on"];
        prop_assert!(on.is_string(), "{}", s.flip);
        prop_assert_eq!(&s.stay["exit_date"], on, "the stay ends on the flip");
        prop_assert_eq!(s.stay["destination"].as_str(), Some("own_lease_via_flip"));
        prop_assert_eq!(&s.home["closed_on"], on, "the home closes on the flip");
        prop_assert!(!s.in_service_today, "a flipped home offers no place");
    } else {
        prop_assert!(s.flip["flipped_on"].is_null(), "{}", s.flip);
        prop_assert!(
            s.stay["exit_date"].is_null(),
            "the stay runs until the flip"
        );
        prop_assert!(s.home["closed_on"].is_null(), "the home stays in the stock");
        prop_assert!(s.in_service_today);
    }
    Ok(())
}

/// The moves of domain.md §6, and staying put (a criterion recorded during the review).
fn moves(from: &str, to: &str) -> bool {
    from == to
        || matches!(
            (from, to),
            ("requested", "in_use")
                | ("in_use", "flip_review")
                | ("flip_review", "in_use")
                | ("flip_review", "flipped")
        )
}

async fn run(steps: &[Step]) -> Result<bool, TestCaseError> {
    let app = spawn_app().await;
    crate::outflow::as_corporation(&app).await;
    let r = app
        .post_json(
            "/api/v1/flips",
            &json!({"corporation_id": app.partner_org, "name": "Omklap Eigenweg",
                    "address": "Eigenweg 1", "neighbourhood_id": app.centrum.0,
                    "from": app.clock.today().to_string()}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let flip: Value = r.json().await.unwrap();
    let (id, home) = (
        flip["id"].as_i64().unwrap(),
        flip["home_id"].as_i64().unwrap(),
    );
    // Ilse lives in the omklapwoning; Omar in the pitstop.
    let ilse: Value = app
        .place(app.refer("Ilse").await, HomeId(home))
        .await
        .json()
        .await
        .unwrap();
    let omar: Value = app
        .place(app.refer("Omar").await, app.pitstop)
        .await
        .json()
        .await
        .unwrap();
    let stay = ilse["id"].as_i64().unwrap();
    let resident = ilse["person_name"].as_str().unwrap().to_string();
    let mut before = seen(&app, id, stay, home).await;
    let mut left = false;
    legal(&before, &resident, left)?;
    for step in steps {
        let day = |back: i64| {
            app.clock
                .today()
                .saturating_sub(jiff::ToSpan::days(back))
                .to_string()
        };
        let body = match step {
            Step::Wait { days: n } => {
                app.clock.set(app.clock.now() + days(*n));
                before = seen(&app, id, stay, home).await;
                legal(&before, &resident, left)?;
                continue;
            }
            Step::Leave => {
                let r = app
                    .post_json(
                        &format!("/api/v1/stays/{stay}/exit"),
                        &json!({"exit_date": day(0), "destination": "own_rented_home", "reason": ""}),
                    )
                    .await;
                let gone = r.status() == 200;
                // Only a stay that still runs can end.
                prop_assert_eq!(gone, !left && before.flip["state"] != "flipped");
                if gone {
                    // …and is placed again elsewhere: a flip must not end that stay.
                    let today = app.clock.today();
                    let free = app
                        .db
                        .availability(today, 1, Some(app.pitstop))
                        .await
                        .unwrap()[0]
                        .free_places[0];
                    app.db
                        .place(
                            &nabij_store::stays::NewStay {
                                referral: None,
                                person: nabij_domain::ids::PersonId(
                                    ilse["person_id"].as_i64().unwrap(),
                                ),
                                home: app.pitstop,
                                places: vec![free],
                                start: today,
                                planned_end: nabij_domain::stay::planned_end(today, 6),
                                placed_at: app.clock.now(),
                                proximity: nabij_domain::placement::Proximity::OwnNeighbourhood,
                                distance_km: 0.1,
                            },
                            &nabij_store::audit::Actor::system("test", app.clock.now()),
                        )
                        .await
                        .unwrap();
                }
                left |= gone;
                before = seen(&app, id, stay, home).await;
                legal(&before, &resident, left)?;
                continue;
            }
            Step::InUse { the_resident, back } => {
                let who = if *the_resident { &ilse } else { &omar };
                json!({"step": "in_use", "person_id": who["person_id"], "on": day(*back)})
            }
            Step::Review { back } => json!({"step": "flip_review", "on": day(*back)}),
            Step::Criterion { which, met, back } => {
                json!({"step": "criterion", "criterion": which, "met": met, "on": day(*back)})
            }
            Step::ReviewFailed { with_reasons, back } => json!({
                "step": "review_failed", "on": day(*back),
                "reasons": if *with_reasons { "Huurachterstand" } else { "" },
            }),
            Step::Flip { back } => json!({"step": "flipped", "on": day(*back)}),
        };
        let r = app
            .post_json(&format!("/api/v1/flips/{id}/steps"), &body)
            .await;
        let status = r.status().as_u16();
        let answer = r.text().await.unwrap();
        let after = seen(&app, id, stay, home).await;
        legal(&after, &resident, left)?;
        let (from, to) = (
            before.flip["state"].as_str().unwrap_or_default(),
            after.flip["state"].as_str().unwrap_or_default(),
        );
        match status {
            200 => {
                prop_assert!(from != "flipped", "a step after the flip: {body}");
                prop_assert!(moves(from, to), "{from} -> {to} by {body}");
            }
            // Refused with a reason, and nothing written.
            409 | 422 => {
                prop_assert!(answer.contains("detail") || answer.contains("errors"));
                prop_assert_eq!(&after, &before, "refused {} changed something", body);
            }
            _ => prop_assert!(false, "{body}: {status} {answer}"),
        }
        before = after;
    }
    Ok(before.flip["state"] == "flipped")
}

#[test]
fn any_sequence_of_omklap_steps_keeps_the_rules_and_a_flip_ends_the_stay() {
    let flipped = std::sync::atomic::AtomicUsize::new(0);
    let config = ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(steps in sequence())| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        if runtime.block_on(run(&steps))? {
            flipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    });
    // The sequences reach the flip itself, not only the states before it.
    let flipped = flipped.into_inner();
    assert!(flipped > 0, "no sequence flipped the lease");
}
