//! Volunteers: a main resident's signal reaches the professional, escalates when nobody
//! acts, is acknowledged and closed; bad input writes nothing; a main resident of another
//! house and an unmatched buddy see nobody; no volunteer page shows what the role must not
//! see; buddies are refused with reasons; the escalation job catches up after a restart.

use crate::helpers::*;
use jiff::{SignedDuration, ToSpan};
use nabij_app::{App, Clock};
use nabij_domain::access::Role;
use nabij_domain::buddy::{BuddyStatus, Interest, Interests};
use nabij_domain::guidance::ZrmDomain;
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::referral::{ReferralSource, Urgency};
use nabij_domain::stay::planned_end;
use nabij_store::accounts::NewUser;
use nabij_store::audit::{AccessFilter, Actor};
use nabij_store::buddies::BuddyInput;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::stays::NewStay;
use serde_json::{Value, json};

fn system(app: &TestApp) -> Actor {
    Actor::system("test", app.clock.now())
}

/// A resident placed in `home` with a surname, BSN, phone and situation no volunteer may see.
async fn resident(app: &TestApp, first: &str, home: HomeId) -> PersonId {
    let db = &app.db;
    let today = app.clock.today();
    let (person, referral) = db
        .create_referral(
            &NewPerson {
                organisation_id: 1,
                first_name: first.into(),
                last_name: "Geheimnaam".into(),
                gender: Gender::Woman,
                date_of_birth: None,
                bsn: Some(nabij_domain::person::Bsn::parse("111222333").unwrap()),
                phone: Some("06-99998888".into()),
                household: HouseholdSize::new(1).unwrap(),
                needs: Needs::default(),
                own_municipality: app.woerden,
                own_neighbourhood: Some(app.centrum),
                avoid: vec![],
            },
            &NewReferral {
                organisation_id: 1,
                referred_by: None,
                source: ReferralSource::Municipality,
                urgency: Urgency::High,
                situation: "Geheime situatie met schulden".into(),
            },
            app.clock.now(),
            &system(app),
        )
        .await
        .unwrap();
    let free = db.availability(today, 1, Some(home)).await.unwrap()[0].free_places[0];
    db.place(
        &NewStay {
            referral: Some(referral),
            person,
            home,
            places: vec![free],
            start: today,
            planned_end: planned_end(today, 6),
            placed_at: app.clock.now(),
            proximity: nabij_domain::placement::Proximity::OwnNeighbourhood,
            distance_km: 0.1,
        },
        &system(app),
    )
    .await
    .unwrap();
    person
}

async fn user(app: &TestApp, name: &str, role: Role) -> i64 {
    app.db
        .create_user(
            &NewUser {
                organisation_id: 1,
                username: name.into(),
                display_name: format!("Gebruiker {name}"),
                phone: Some("06-55554444".into()),
                role,
                password_hash: nabij_app::secrets::hash_password(PASSWORD),
            },
            app.clock.now(),
        )
        .await
        .unwrap()
}

fn app_of(app: &TestApp) -> App {
    App::new(app.db.clone(), app.clock.clone())
}

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

/// JSON of a GET that must succeed.
trait GetJson {
    async fn get_json_page(&self, path: &str) -> Value;
}

impl GetJson for Session {
    async fn get_json_page(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }
}

/// The whole story on both databases: a main resident files an acute signal, the
/// professional does not act, it escalates to the coordinators once, the professional
/// acknowledges it and closes it with a note the main resident never sees.
async fn signal_story(app: TestApp) {
    let person = resident(&app, "Fatima", app.pitstop).await;
    let professional = app.user(Role::Professional);
    app.db
        .assign_professional(person, professional, app.clock.today(), &system(&app))
        .await
        .unwrap();
    let main = app.session_as(Role::MainResident).await;
    let page = text(main.get("/mijn-huis").await).await;
    assert!(page.contains("Signaal doorgeven"));
    assert!(page.contains(&format!("value=\"person:{person}\"")));

    // Bad input: a Dutch error next to the field, nothing written.
    let r = main
        .post_form(
            "/mijn-huis/signaal",
            &[
                ("about", &format!("person:{person}")),
                ("category", "gezellig"),
                ("urgency", "acute"),
                ("text", "   "),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = text(r).await;
    assert!(body.contains("vul in wat er aan de hand is"), "{body}");
    assert!(body.contains("kies een soort signaal uit de lijst"));
    assert_eq!(main.get_json_page("/api/v1/signals/mine").await["total"], 0);

    let r = main
        .post_form(
            "/mijn-huis/signaal",
            &[
                ("about", &format!("person:{person}")),
                ("category", "safety"),
                ("urgency", "acute"),
                ("text", "Ze is erg verward en wil niet praten"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = text(main.get("/mijn-huis").await).await;
    assert!(page.contains("ontvangen"), "{page}");

    // The professional sees it in the inbox, unread, with the count in the menu.
    let prof = app.session_as(Role::Professional).await;
    let inbox = text(prof.get("/signalen").await).await;
    assert!(inbox.contains("Fatima"));
    assert!(inbox.contains("1 ongelezen signaal"), "{inbox}");
    assert!(inbox.contains("class=\"badge\">1"), "{inbox}");
    let list = prof.get_json_page("/api/v1/signals").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(list["items"][0]["urgency"], "acute");
    assert_eq!(list["items"][0]["for_coordinators"], false);
    // Not the coordinators' business yet, but on their dashboard while acute.
    let coord = app.session();
    assert_eq!(coord.get_json_page("/api/v1/signals").await["total"], 0);
    let dash = text(coord.get("/").await).await;
    assert!(dash.contains("Acute signalen, nog niet opgepakt"));

    // No acknowledgement within the hour: it escalates, once.
    let a = app_of(&app);
    app.clock
        .set(app.clock.now() + SignedDuration::from_mins(59));
    assert!(nabij_app::signals::escalate(&a).await.unwrap().is_empty());
    app.clock
        .set(app.clock.now() + SignedDuration::from_mins(2));
    let escalated_at = app.clock.now();
    // (The server's own job may have run this pass first: the moment is the same.)
    nabij_app::signals::escalate(&a).await.unwrap();
    assert_eq!(
        app.db.signal(id).await.unwrap().escalated_at,
        Some(escalated_at)
    );
    app.clock
        .set(app.clock.now() + SignedDuration::from_mins(10));
    assert!(nabij_app::signals::escalate(&a).await.unwrap().is_empty());
    let seen = coord.get_json_page("/api/v1/signals").await;
    assert_eq!(seen["total"], 1);
    assert_eq!(
        seen["items"][0]["escalated_at"],
        escalated_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    );

    // Acknowledged by the professional: off the dashboard, "opgepakt" for the filer.
    let r = prof
        .post_form(&format!("/signalen/{id}/oppakken"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let again = prof
        .post_form(&format!("/signalen/{id}/oppakken"), &[])
        .await;
    assert_eq!(again.status(), 409);
    assert!(!text(coord.get("/").await).await.contains("Acute signalen"));
    let page = text(main.get("/mijn-huis").await).await;
    assert!(page.contains("opgepakt"), "{page}");

    // Closing needs a note; the filer sees "afgesloten", never the note.
    let r = prof
        .post_form(&format!("/signalen/{id}/afsluiten"), &[("note", "")])
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        text(r)
            .await
            .contains("schrijf op wat er met het signaal is gedaan")
    );
    let r = prof
        .post_form(
            &format!("/signalen/{id}/afsluiten"),
            &[("note", "Crisisdienst ingeschakeld, vertrouwelijk")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = text(main.get("/mijn-huis").await).await;
    assert!(page.contains("afgesloten"));
    assert!(!page.contains("Crisisdienst"));
    let mine = main.get_json_page("/api/v1/signals/mine").await;
    assert_eq!(mine["items"][0]["status"], "closed");
    assert!(!mine.to_string().contains("Crisisdienst"));
    assert!(mine["items"][0].get("text").is_none());
    let shown = prof.get_json_page(&format!("/api/v1/signals/{id}")).await;
    assert_eq!(
        shown["follow_up"],
        "Crisisdienst ingeschakeld, vertrouwelijk"
    );
    assert_eq!(shown["status"], "closed");
}
on_both!(signal_story);

/// A resident guided by two professionals: a signal about them reaches both inboxes, and
/// either may acknowledge it. A professional who files about their own client reaches the
/// other one, not themselves; a professional not on the episode sees nothing.
async fn a_signal_reaches_every_professional_of_the_episode(app: TestApp) {
    let person = resident(&app, "Yara", app.pitstop).await;
    let lead = app.user(Role::Professional);
    app.db
        .assign_professional(person, lead, app.clock.today(), &system(&app))
        .await
        .unwrap();
    let (second, second_session) = app
        .another_user(1, Role::Professional, "tweede-begeleider")
        .await;
    let (_, outsider) = app
        .another_user(1, Role::Professional, "andere-begeleider")
        .await;
    let r = app
        .session()
        .post_json(
            &format!("/api/v1/persons/{person}/episode-professionals"),
            &json!({"professional_id": second}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", text(r).await);

    let main = app.session_as(Role::MainResident).await;
    let r = main
        .post_json(
            "/api/v1/signals",
            &json!({"about": format!("person:{person}"), "category": "wellbeing", "urgency": "high", "text": "Eet slecht"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let lead_session = app.session_as(Role::Professional).await;
    for s in [&lead_session, &second_session] {
        let inbox = s.get_json_page("/api/v1/signals").await;
        assert_eq!(inbox["total"], 1);
        assert_eq!(inbox["items"][0]["id"], id);
        assert!(
            text(s.get("/signalen").await)
                .await
                .contains("1 ongelezen signaal")
        );
    }
    assert_eq!(outsider.get_json_page("/api/v1/signals").await["total"], 0);
    assert_eq!(
        outsider
            .post_form(&format!("/signalen/{id}/oppakken"), &[])
            .await
            .status(),
        404
    );
    // The second professional acknowledges it; the lead sees it taken up.
    let r = second_session
        .post_form(&format!("/signalen/{id}/oppakken"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let shown = lead_session
        .get_json_page(&format!("/api/v1/signals/{id}"))
        .await;
    assert_eq!(shown["status"], "acknowledged");

    // The lead files about their own client: it reaches the second professional only.
    let r = lead_session
        .post_json(
            "/api/v1/signals",
            &json!({"about": format!("person:{person}"), "category": "conflict", "urgency": "low", "text": "Onrust"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let own = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let seen = second_session.get_json_page("/api/v1/signals").await;
    assert_eq!(seen["items"][0]["id"], own);
    assert_eq!(seen["items"][0]["for_coordinators"], false);
    let lead_inbox = lead_session.get_json_page("/api/v1/signals").await;
    assert!(
        lead_inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != own)
    );
}
on_both!(a_signal_reaches_every_professional_of_the_episode);

/// A signal about a resident without a professional, or about the house, goes to the
/// coordinators straight away; it never waits for an escalation.
async fn without_professional_to_coordinators(app: TestApp) {
    let person = resident(&app, "Bram", app.pitstop).await;
    let main = app.session_as(Role::MainResident).await;
    for about in [format!("person:{person}"), format!("house:{}", app.pitstop)] {
        let r = main
            .post_json(
                "/api/v1/signals",
                &json!({"about": about, "category": "conflict", "urgency": "low", "text": "Lawaai"}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let seen = app.session().get_json_page("/api/v1/signals").await;
    assert_eq!(seen["total"], 2);
    assert!(
        seen["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["for_coordinators"] == true && s["escalated_at"].is_null())
    );
    // The coordinators' inbox counts them as unread, in the menu too.
    let inbox = text(app.session().get("/signalen").await).await;
    assert!(inbox.contains("2 ongelezen signalen"), "{inbox}");
    assert!(inbox.contains("class=\"badge\">2"), "{inbox}");
    let prof = app.session_as(Role::Professional).await;
    assert_eq!(prof.get_json_page("/api/v1/signals").await["total"], 0);
}
on_both!(without_professional_to_coordinators);

/// A main resident of another house, and a buddy not matched, name someone: "not found",
/// logged as denied, nothing written.
async fn strangers_are_refused(app: TestApp) {
    let person = resident(&app, "Chris", app.pitstop).await;
    let other_main = user(&app, "hoofdbewoner-zeist", Role::MainResident).await;
    app.db
        .link_user_home(other_main, app.zeist_home)
        .await
        .unwrap();
    let s = sign_in(&app.address, "hoofdbewoner-zeist", PASSWORD, None).await;
    let page = text(s.get("/mijn-huis").await).await;
    assert!(!page.contains("Chris"));
    let body = json!({"about": format!("person:{person}"), "category": "conflict", "urgency": "high", "text": "Ruzie"});
    let r = s.post_json("/api/v1/signals", &body).await;
    assert_eq!(r.status(), 404);
    let r = s
        .post_json(
            "/api/v1/signals",
            &json!({"about": format!("house:{}", app.pitstop), "category": "conflict", "urgency": "high", "text": "Ruzie"}),
        )
        .await;
    assert_eq!(r.status(), 404);

    // Chris has a buddy; another buddy of the organisation is a stranger to him.
    let kim = buddy(&app, "Kim", Some(app.user(Role::Buddy)), 1, 1).await;
    let chris_match = app
        .db
        .create_match(
            &nabij_store::buddies::NewMatch {
                organisation_id: 1,
                person_id: person,
                buddy_id: kim,
                purpose: nabij_domain::buddy::MatchPurpose::Company,
                started_on: app.clock.today(),
                check_in_weeks: 4,
                coordinator_id: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    let _ = user(&app, "los-maatje", Role::Buddy).await;
    let b = sign_in(&app.address, "los-maatje", PASSWORD, None).await;
    let r = b.post_json("/api/v1/signals", &body).await;
    assert_eq!(r.status(), 404);
    let page = text(b.get("/mijn-maatje").await).await;
    assert!(page.contains("nog niet gekoppeld"));
    assert!(!page.contains("Chris"));
    assert_eq!(b.get_json_page("/api/v1/matches/mine").await, json!([]));
    let r = b
        .post_form(
            &format!("/mijn-maatje/{chris_match}/contactmoment"),
            &[("went", "good"), ("hours", "1")],
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = b
        .get(&format!("/api/v1/matches/{chris_match}/check-ins"))
        .await;
    assert_eq!(r.status(), 404);

    let log = app
        .db
        .access_log(
            &AccessFilter {
                person: Some(person),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    let denied: Vec<_> = log.iter().filter(|e| e.outcome == "denied").collect();
    assert!(
        denied
            .iter()
            .any(|e| e.role == "main_resident" && e.category == "signal")
    );
    assert!(
        denied
            .iter()
            .any(|e| e.role == "buddy" && e.category == "signal")
    );
    for action in ["create", "view"] {
        assert!(
            denied
                .iter()
                .any(|e| e.role == "buddy" && e.category == "buddy_match" && e.action == action),
            "{action}: {denied:?}"
        );
    }
    assert!(
        log.iter()
            .all(|e| e.outcome == "denied" || e.role == "system"),
        "{log:?}"
    );
    // The attempt on another house names no one, yet the auditor finds who tried.
    let tried = app
        .db
        .access_log(
            &AccessFilter {
                user: Some(other_main),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        tried.iter().any(|e| e.outcome == "denied"
            && e.person_id.is_none()
            && e.category == "signal"
            && e.detail == format!("signaal doorgeven over house:{}", app.pitstop)),
        "{tried:?}"
    );
    assert_eq!(
        app.session().get_json_page("/api/v1/signals").await["total"],
        0
    );
}
on_both!(strangers_are_refused);

async fn buddy(
    app: &TestApp,
    name: &str,
    account: Option<i64>,
    vog_years_ago: i64,
    capacity: i64,
) -> i64 {
    app.db
        .create_buddy(
            &BuddyInput {
                organisation_id: 1,
                user_id: account,
                name: name.into(),
                phone: Some("06-12121212".into()),
                interests: Interests::of(&[Interest::Cooking, Interest::Paperwork]),
                neighbourhood_id: app.centrum.0,
                hours_per_week: 3,
                availability: "woensdag".into(),
                capacity,
                status: BuddyStatus::Active,
                vog_screened_on: Some(
                    app.clock
                        .today()
                        .saturating_sub(vog_years_ago.years())
                        .saturating_sub(10.days()),
                ),
            },
            &system(app),
        )
        .await
        .unwrap()
}

/// Matching: refused with the reason for an expired VOG and beyond capacity; the buddy's
/// page shows a first name, the purpose and the coordinator's number, the resident's own
/// number only while they agree; check-ins in one form; overdue check-ins for the
/// coordinator; and nothing a volunteer must not see on any volunteer route.
async fn buddies_and_what_volunteers_see(app: TestApp) {
    let dana = resident(&app, "Dana", app.pitstop).await;
    let eva = resident(&app, "Eva", app.pitstop).await;
    let coord = app.session();
    let expired = buddy(&app, "Oud Maatje", None, 3, 1).await;
    let r = coord
        .post_json(
            "/api/v1/matches",
            &json!({"person_id": dana.0, "buddy_id": expired, "purpose": "hobby"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(
        text(r)
            .await
            .contains("de VOG van dit maatje is verlopen op")
    );

    let account = app.user(Role::Buddy);
    let kim = buddy(&app, "Kim", Some(account), 1, 1).await;
    // The wish, then suggestions with a Dutch sentence.
    let r = coord
        .post_form(
            &format!("/personen/{dana}/maatje"),
            &[("purpose", "paperwork"), ("interests", "cooking")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = text(coord.get(&format!("/personen/{dana}/maatje")).await).await;
    assert!(page.contains("Kim"), "{page}");
    assert!(page.contains("Past bij het doel administratie"), "{page}");
    assert!(
        !page.contains("Oud Maatje"),
        "expired VOG is never suggested"
    );
    let proposal = coord.get_json_page("/api/v1/matches/proposal").await;
    assert_eq!(proposal[0]["buddy_id"], kim);
    assert_eq!(proposal[0]["person_id"], dana.0);

    let r = coord
        .post_json(
            "/api/v1/matches",
            &json!({"person_id": dana.0, "buddy_id": kim}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", text(r).await);
    let m: Value = coord.get_json_page("/api/v1/matches").await["items"][0].clone();
    let match_id = m["id"].as_i64().unwrap();
    // The buddy share counts both residents, one of them with a buddy.
    let today = app.clock.today();
    let year_ago = today.saturating_sub(jiff::Span::new().years(1));
    let facts = app
        .db
        .volunteer_facts(
            1,
            year_ago,
            today,
            app.clock.now() - jiff::SignedDuration::from_hours(24 * 366),
            app.clock.now(),
        )
        .await
        .unwrap();
    assert_eq!((facts.with_buddy, facts.residents), (1, 2));
    let r = coord
        .post_json(
            "/api/v1/matches",
            &json!({"person_id": eva.0, "buddy_id": kim, "purpose": "company"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(text(r).await.contains("maximum"));

    // The buddy's page: first name, purpose, the coordinator's number.
    let b = app.session_as(Role::Buddy).await;
    let page = text(b.get("/mijn-maatje").await).await;
    assert!(page.contains("Dana"));
    assert!(page.contains("administratie"));
    assert!(
        page.contains("06-11112222"),
        "the coordinator's number: {page}"
    );
    assert!(!page.contains("06-99998888"));
    // With the resident's agreement, their own number; revoked, gone again.
    let r = coord
        .post_form(
            &format!("/koppelingen/{match_id}/nummer"),
            &[("agreed", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        text(b.get("/mijn-maatje").await)
            .await
            .contains("06-99998888")
    );
    let r = coord
        .post_form(
            &format!("/koppelingen/{match_id}/nummer"),
            &[("agreed", "0")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        !text(b.get("/mijn-maatje").await)
            .await
            .contains("06-99998888")
    );

    // Check-ins: an error in Dutch, then logged; overdue after the weeks pass.
    let r = b
        .post_form(
            &format!("/mijn-maatje/{match_id}/contactmoment"),
            &[("went", "good"), ("hours", "x")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("vul het aantal uren in"));
    let r = b
        .post_form(
            &format!("/mijn-maatje/{match_id}/contactmoment"),
            &[("went", "good"), ("hours", "2")],
        )
        .await;
    assert_eq!(r.status(), 303);
    // The check-in is listed for the buddy and the coordinator, not for another buddy.
    let listed = b
        .get_json_page(&format!("/api/v1/matches/{match_id}/check-ins"))
        .await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["hours"], 2);
    assert_eq!(listed["items"][0]["went"], "good");
    assert_eq!(
        coord
            .get_json_page(&format!("/api/v1/matches/{match_id}/check-ins"))
            .await["total"],
        1
    );
    app.clock
        .set(app.clock.now() + SignedDuration::from_hours(24 * 7 * 4 + 48));
    let page = text(coord.get("/koppelingen").await).await;
    assert!(page.contains("achterstallig"), "{page}");
    assert!(text(b.get("/mijn-maatje").await).await.contains("te laat"));

    // A buddy's signal reaches the coordinators (no professional).
    let r = b
        .post_form(
            "/mijn-maatje/signaal",
            &[
                ("about", &format!("person:{dana}")),
                ("category", "rent_debt"),
                ("urgency", "normal"),
                ("text", "Post stapelt zich op"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // The buddy sees their own signal on their page, with its status only.
    let page = text(b.get("/mijn-maatje").await).await;
    let mine = &page[page.find("Mijn signalen").expect("own signals on the page")..];
    assert!(mine.contains("Dana"), "{mine}");
    assert!(mine.contains("ontvangen"), "{mine}");
    let eva_signal = json!({"about": format!("person:{eva}"), "category": "conflict", "urgency": "high", "text": "x"});
    assert_eq!(
        b.post_json("/api/v1/signals", &eva_signal).await.status(),
        404
    );

    // Through the API: the resident agrees to share their number, then the match ends; the
    // buddy's page then has no match left.
    let r = coord
        .post_json(
            &format!("/api/v1/matches/{match_id}/contact-agreement"),
            &json!({"agreed": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        text(b.get("/mijn-maatje").await)
            .await
            .contains("06-99998888")
    );
    let wish = coord
        .get_json_page(&format!("/api/v1/persons/{dana}/buddy-wish"))
        .await;
    assert_eq!(wish["purpose"], "paperwork");
    let r = coord
        .post_json(&format!("/api/v1/matches/{match_id}/end"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["ended_on"].is_string());
    assert_eq!(b.get_json_page("/api/v1/matches/mine").await, json!([]));
}
on_both!(buddies_and_what_volunteers_see);

/// Every route a main resident or a buddy can reach, read and posted to (a bad form
/// re-renders its page), shows nothing of the file: no surname, BSN, phone, situation,
/// plan, contact log, another filer's signal text (here about substance use) or a
/// follow-up note. The ids in
/// paths are the volunteer's own match, the resident and the house.
async fn no_volunteer_route_shows_file_data(app: TestApp) {
    let dana = resident(&app, "Dana", app.pitstop).await;
    let prof = app.session_as(Role::Professional).await;
    app.db
        .assign_professional(
            dana,
            app.user(Role::Professional),
            app.clock.today(),
            &system(&app),
        )
        .await
        .unwrap();
    for (path, body) in [
        (
            "goals",
            json!({"title": "Geheim doel schuldhulp", "domain": "finances", "owner": "buddy", "actions": "Geheime afspraak met de bank"}),
        ),
        (
            "contacts",
            json!({"kind": "home_visit", "text": "Geheim verslag van het huisbezoek"}),
        ),
        (
            "contacts",
            json!({"kind": "phone", "text": "Geheime werkaantekening", "working_note": true}),
        ),
        (
            "assessments",
            json!({"moment": "intake", "scores": ZrmDomain::ALL.iter().map(|d| (d.code().to_string(), json!(2))).collect::<serde_json::Map<_, _>>()}),
        ),
    ] {
        let r = prof
            .post_json(&format!("/api/v1/persons/{dana}/{path}"), &body)
            .await;
        assert_eq!(r.status(), 201, "{path}: {}", text(r).await);
    }
    let account = app.user(Role::Buddy);
    let kim = buddy(&app, "Kim", Some(account), 1, 1).await;
    let coord = app.session();
    let r = coord
        .post_json(
            "/api/v1/matches",
            &json!({"person_id": dana.0, "buddy_id": kim, "purpose": "paperwork"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let match_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Signals from each side: the main resident's (acknowledged and closed with a note),
    // the buddy's, and the professional's own.
    let main = app.session_as(Role::MainResident).await;
    let b = app.session_as(Role::Buddy).await;
    let signal = |text: &str| json!({"about": format!("person:{dana}"), "category": "substance_use", "urgency": "normal", "text": text});
    for (session, secret) in [
        (&main, "Geheim gezien door de hoofdbewoner"),
        (&b, "Geheim gezien door het maatje"),
        (&prof, "Geheim gezien door de begeleider"),
    ] {
        let r = session.post_json("/api/v1/signals", &signal(secret)).await;
        assert_eq!(r.status(), 201, "{}", text(r).await);
    }
    let inbox = prof.get_json_page("/api/v1/signals").await;
    for item in inbox["items"].as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        prof.post_form(&format!("/signalen/{id}/oppakken"), &[])
            .await;
        let r = prof
            .post_form(
                &format!("/signalen/{id}/afsluiten"),
                &[("note", "Geheime opvolging door de begeleider")],
            )
            .await;
        assert_eq!(r.status(), 303);
    }
    let b_checkin = b
        .post_json(
            &format!("/api/v1/matches/{match_id}/check-ins"),
            &json!({"went": "good", "hours": "2"}),
        )
        .await;
    assert_eq!(b_checkin.status(), 201);

    // The pages are not empty: what a volunteer needs is there.
    assert!(text(main.get("/mijn-huis").await).await.contains("Dana"));
    assert!(text(b.get("/mijn-maatje").await).await.contains("Dana"));

    let ids = [
        match_id.to_string(),
        dana.to_string(),
        app.pitstop.to_string(),
    ];
    let mut seen = 0;
    for route in nabij_web::routes::table().routes {
        // Signing out would end the session the sweep reads with.
        if route.path == "/uitloggen" {
            continue;
        }
        let paths: Vec<String> = if route.path.contains('{') {
            ids.iter()
                .map(|id| {
                    let open = route.path.find('{').unwrap();
                    let close = route.path.find('}').unwrap();
                    format!("{}{id}{}", &route.path[..open], &route.path[close + 1..])
                })
                .collect()
        } else {
            vec![route.path.to_string()]
        };
        for (role, session, own) in [
            (
                Role::MainResident,
                &main,
                "Geheim gezien door de hoofdbewoner",
            ),
            (Role::Buddy, &b, "Geheim gezien door het maatje"),
        ] {
            if !route.access.allows(role) {
                continue;
            }
            for path in &paths {
                let api = path.starts_with("/api/");
                let r = match route.method.as_str() {
                    "GET" => session.get(path).await,
                    "POST" if api => session.post_json(path, &json!({})).await,
                    "POST" => session.post_form(path, &[]).await,
                    "PUT" => session.put_json(path, &json!({})).await,
                    other => panic!("{other} {path}: add the method to the sweep"),
                };
                let body = text(r).await;
                seen += 1;
                for secret in [
                    "Geheimnaam",
                    "111222333",
                    "06-99998888",
                    "Geheime situatie",
                    "Geheim doel",
                    "Geheime afspraak",
                    "Geheim verslag",
                    "Geheime werkaantekening",
                    "Geheime opvolging",
                    "Geheim gezien door de begeleider",
                ]
                .into_iter()
                .chain(
                    [
                        "Geheim gezien door de hoofdbewoner",
                        "Geheim gezien door het maatje",
                    ]
                    .into_iter()
                    .filter(|s| *s != own),
                ) {
                    assert!(
                        !body.contains(secret),
                        "{role:?} {} {path} shows {secret}",
                        route.method
                    );
                }
            }
        }
    }
    assert!(seen >= 20, "only {seen} volunteer requests were swept");
}
on_both!(no_volunteer_route_shows_file_data);

/// A match made without a coordinator (as the demo's are), or by a coordinator without a
/// number: the buddy still sees a coordinator to call.
async fn a_buddy_always_has_a_coordinator_to_call(app: TestApp) {
    let person = resident(&app, "Lotte", app.pitstop).await;
    let account = app.user(Role::Buddy);
    let b = buddy(&app, "Sanne", Some(account), 1, 1).await;
    app.db
        .create_match(
            &nabij_store::buddies::NewMatch {
                organisation_id: 1,
                person_id: person,
                buddy_id: b,
                purpose: nabij_domain::buddy::MatchPurpose::Company,
                started_on: app.clock.today(),
                check_in_weeks: 4,
                coordinator_id: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    let page = text(app.session_as(Role::Buddy).await.get("/mijn-maatje").await).await;
    assert!(page.contains("Lotte"), "{page}");
    assert!(
        page.contains("06-11112222"),
        "a coordinator's number: {page}"
    );
    assert!(!page.contains("06-99998888"), "never the resident's own");
}
on_both!(a_buddy_always_has_a_coordinator_to_call);

/// The coordinator keeps the buddy registry on its page: bad input gets Dutch errors and
/// writes nothing; a VOG expiring within 30 days is listed; a buddy is paused. The house
/// rules and emergency numbers the coordinator sets reach the main resident's page.
async fn the_buddy_registry_and_the_house_notes(app: TestApp) {
    let coord = app.session();
    let r = coord
        .post_form(
            "/maatjes",
            &[
                ("name", " "),
                ("neighbourhood_id", &app.centrum.0.to_string()),
                ("hours_per_week", "60"),
                ("capacity", "1"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = text(r).await;
    assert!(body.contains("vul de naam in"), "{body}");
    assert!(body.contains("het aantal uren per week ligt tussen 1 en 40"));
    assert_eq!(coord.get_json_page("/api/v1/buddies").await["total"], 0);

    let today = app.clock.today();
    let screened = |years: i64, days: i64| {
        today
            .saturating_sub(years.years())
            .saturating_add(days.days())
            .to_string()
    };
    for (name, vog) in [("Noor", screened(3, 10)), ("Wim", screened(1, 0))] {
        let r = coord
            .post_form(
                "/maatjes",
                &[
                    ("name", name),
                    ("phone", "06-31313131"),
                    ("interests", "cooking"),
                    ("neighbourhood_id", &app.centrum.0.to_string()),
                    ("hours_per_week", "2"),
                    ("availability", "zaterdag"),
                    ("capacity", "1"),
                    ("status", "active"),
                    ("vog_screened_on", &vog),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", text(r).await);
    }
    let page = text(coord.get("/maatjes").await).await;
    let soon = &page
        [page.find("VOG verloopt binnen 30 dagen").unwrap()..page.find("Alle maatjes").unwrap()];
    assert!(soon.contains("Noor"), "{soon}");
    assert!(!soon.contains("Wim"), "{soon}");
    // Wim pauses: the registry says so.
    let list = coord.get_json_page("/api/v1/buddies").await;
    let wim = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Wim")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = coord
        .post_form(
            &format!("/maatjes/{wim}"),
            &[
                ("name", "Wim"),
                ("phone", "06-31313131"),
                ("interests", "cooking"),
                ("neighbourhood_id", &app.centrum.0.to_string()),
                ("hours_per_week", "2"),
                ("availability", "zaterdag"),
                ("capacity", "1"),
                ("status", "paused"),
                ("vog_screened_on", &screened(1, 0)),
            ],
        )
        .await;
    assert!(r.status() == 303 || r.status() == 200, "{}", r.status());
    assert_eq!(
        coord.get_json_page(&format!("/api/v1/buddies/{wim}")).await["status"],
        "paused"
    );
    // Through the API: active again with room for two; bad input is a 422 that changes
    // nothing.
    let mut body = json!({
        "name": "Wim", "phone": "06-31313131", "interests": ["cooking"],
        "neighbourhood_id": app.centrum.0, "hours_per_week": 2, "availability": "zaterdag",
        "capacity": 9, "status": "active", "vog_screened_on": screened(1, 0),
    });
    let r = coord
        .put_json(&format!("/api/v1/buddies/{wim}"), &body)
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        text(r)
            .await
            .contains("een maatje heeft 1 tot 5 koppelingen tegelijk")
    );
    body["capacity"] = json!(2);
    let r = coord
        .put_json(&format!("/api/v1/buddies/{wim}"), &body)
        .await;
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        (b["status"].as_str(), b["capacity"].as_i64()),
        (Some("active"), Some(2))
    );

    // House rules and emergency numbers, set by the coordinator, read by the main resident.
    let r = coord
        .post_form(
            &format!("/huizen/{}/huisregels", app.pitstop),
            &[
                ("house_rules", "Geen bezoek na 22.00 uur"),
                ("emergency_numbers", "Bereikbaarheidsdienst 030-1234567"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", text(r).await);
    let page = text(
        app.session_as(Role::MainResident)
            .await
            .get("/mijn-huis")
            .await,
    )
    .await;
    assert!(page.contains("Geen bezoek na 22.00 uur"), "{page}");
    assert!(page.contains("Bereikbaarheidsdienst 030-1234567"), "{page}");
}
on_both!(the_buddy_registry_and_the_house_notes);

/// A signal that fell due while the server was down escalates right after it starts again,
/// at the moment of the restart, and only once.
async fn escalation_catches_up_after_restart(app: TestApp) {
    let person = resident(&app, "Gijs", app.pitstop).await;
    let main = app.session_as(Role::MainResident).await;
    let r = main
        .post_json(
            "/api/v1/signals",
            &json!({"about": format!("person:{person}"), "category": "absence", "urgency": "high", "text": "Al twee dagen weg"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The server is "down" for a day: a new one starts on the same database.
    let restart = app.clock.now() + SignedDuration::from_hours(24);
    let clock = Clock::fixed(restart);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut state = nabij_web::WebState::new(App::new(app.db.clone(), clock.clone()));
    state.escalation_every = std::time::Duration::from_secs(3600);
    tokio::spawn(nabij_web::Application::new(listener, state).run_until_stopped());
    let mut escalated = None;
    for _ in 0..100 {
        escalated = app.db.signal(id).await.unwrap().escalated_at;
        if escalated.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(escalated, Some(restart));
    // Another pass later changes nothing.
    clock.set(restart + SignedDuration::from_hours(5));
    assert!(
        nabij_app::signals::escalate(&App::new(app.db.clone(), clock))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.db.signal(id).await.unwrap().escalated_at, Some(restart));
}
on_both!(escalation_catches_up_after_restart);

/// A mail as the test's SMTP listener received it.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) to: Vec<String>,
    pub(crate) data: String,
}

/// A small SMTP server on a free port of 127.0.0.1, speaking just enough SMTP for one mail
/// per connection; what it receives lands in the returned list.
pub(crate) async fn smtp_listener() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<Mail>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let received = inbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.ok()?;
                let mut to = Vec::new();
                while let Some(line) = lines.next_line().await.ok()? {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 test\r\n",
                        "MAIL" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "RCPT" => {
                            let addr = line.split(':').nth(1).unwrap_or("").trim();
                            to.push(addr.trim_matches(['<', '>']).to_owned());
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.ok()?;
                            let mut data = String::new();
                            while let Some(l) = lines.next_line().await.ok()? {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            received.lock().unwrap().push(Mail {
                                to: std::mem::take(&mut to),
                                data,
                            });
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok()?;
                            return Some(());
                        }
                        _ => b"502 not here\r\n",
                    };
                    write.write_all(answer).await.ok()?;
                }
                Some(())
            });
        }
    });
    (port, inbox)
}

pub(crate) fn mail_to(port: u16) -> nabij_app::mail::MailSettings {
    nabij_app::mail::MailSettings {
        host: "127.0.0.1".into(),
        port,
        from: "Nabij <nabij@example.org>".into(),
        base_url: "https://nabij.example.org".into(),
        username: None,
        password: None,
        timeout: std::time::Duration::from_secs(5),
    }
}

/// Waits (at most ten seconds) until the listener holds `n` mails.
pub(crate) async fn mails(inbox: &std::sync::Mutex<Vec<Mail>>, n: usize) -> Vec<Mail> {
    for _ in 0..200 {
        if inbox.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    inbox.lock().unwrap().clone()
}

/// A main resident files a signal: the professional, and only they, gets one mail with the
/// link and no care data; when it escalates, each coordinator with an address gets one.
async fn mail_says_only_that_there_is_a_signal(
    app: TestApp,
    inbox: std::sync::Arc<std::sync::Mutex<Vec<Mail>>>,
) {
    let person = resident(&app, "Fatima", app.pitstop).await;
    let professional = app.user(Role::Professional);
    app.db
        .assign_professional(person, professional, app.clock.today(), &system(&app))
        .await
        .unwrap();
    app.db
        .set_user_email(professional, Some("begeleider@pitstop.nl"))
        .await
        .unwrap();
    app.db
        .set_user_email(app.user(Role::Coordinator), Some("coordinator@pitstop.nl"))
        .await
        .unwrap();
    let main = app.session_as(Role::MainResident).await;
    let r = main
        .post_form(
            "/mijn-huis/signaal",
            &[
                ("about", &format!("person:{person}")),
                ("category", "substance_use"),
                ("urgency", "acute"),
                ("text", "Ze gebruikt weer en slaapt niet"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let id = app
        .session_as(Role::Professional)
        .await
        .get_json_page("/api/v1/signals")
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let got = mails(&inbox, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, vec!["begeleider@pitstop.nl".to_owned()]);
    let link = format!("https://nabij.example.org/signalen/{id}");
    let body = got[0].data.to_lowercase();
    assert!(got[0].data.contains(&link), "{}", got[0].data);
    assert!(body.contains("acuut"));
    for secret in [
        "fatima",
        "geheimnaam",
        "gebruikt weer",
        "middelengebruik",
        "substance_use",
        "pitstop woerden",
    ] {
        assert!(!body.contains(secret), "the mail shows {secret}: {body}");
    }

    // Nobody acknowledges it within the hour: the server's job escalates it, and the
    // coordinator gets one mail; the professional no second one.
    app.clock
        .set(app.clock.now() + SignedDuration::from_mins(61));
    let got = mails(&inbox, 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].to, vec!["coordinator@pitstop.nl".to_owned()]);
    assert!(got[1].data.contains(&link));
    assert!(!got[1].data.to_lowercase().contains("fatima"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        inbox.lock().unwrap().len(),
        2,
        "one mail per recipient per event"
    );
}

mod mail_says_only_that_there_is_a_signal {
    use super::*;

    fn configure(port: u16) -> impl FnOnce(&mut nabij_web::WebState) {
        move |state| {
            state.app = state.app.clone().with_mail(mail_to(port));
            state.escalation_every = std::time::Duration::from_millis(100);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        let (port, inbox) = smtp_listener().await;
        let app = spawn_app_with(configure(port)).await;
        super::mail_says_only_that_there_is_a_signal(app, inbox).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        let (port, inbox) = smtp_listener().await;
        if let Some(app) = spawn_app_postgres_with(configure(port)).await {
            super::mail_says_only_that_there_is_a_signal(app, inbox).await;
        }
    }
}

/// With the mail relay down, or one that accepts and never answers, filing a signal still
/// answers at once and the signal is stored and routed.
async fn a_signal_outlives_a_broken_mail_relay(app: TestApp) {
    let person = resident(&app, "Henk", app.pitstop).await;
    let professional = app.user(Role::Professional);
    app.db
        .assign_professional(person, professional, app.clock.today(), &system(&app))
        .await
        .unwrap();
    app.db
        .set_user_email(professional, Some("begeleider@pitstop.nl"))
        .await
        .unwrap();
    let main = app.session_as(Role::MainResident).await;
    for text in ["Hij is gevallen", "Hij is weer gevallen"] {
        let r = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            main.post_json(
                "/api/v1/signals",
                &json!({"about": format!("person:{person}"), "category": "wellbeing", "urgency": "high", "text": text}),
            ),
        )
        .await
        .expect("filing waits for no mail relay");
        assert_eq!(r.status(), 201);
    }
    let prof = app.session_as(Role::Professional).await;
    let inbox = prof.get_json_page("/api/v1/signals").await;
    assert_eq!(inbox["total"], 2);
    assert_eq!(inbox["items"][0]["for_coordinators"], false);
    assert_eq!(main.get_json_page("/api/v1/signals/mine").await["total"], 2);
}

mod a_signal_outlives_a_broken_mail_relay {
    use super::*;

    /// A port nobody listens on: the connection is refused.
    async fn closed_port() -> u16 {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    }

    /// A relay that accepts connections and never says a word.
    async fn silent_relay() -> u16 {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        });
        port
    }

    fn configure(port: u16) -> impl FnOnce(&mut nabij_web::WebState) {
        move |state| {
            let mut settings = mail_to(port);
            settings.timeout = std::time::Duration::from_secs(60);
            state.app = state.app.clone().with_mail(settings);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        let app = spawn_app_with(configure(closed_port().await)).await;
        super::a_signal_outlives_a_broken_mail_relay(app).await;
        let app = spawn_app_with(configure(silent_relay().await)).await;
        super::a_signal_outlives_a_broken_mail_relay(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        if let Some(app) = spawn_app_postgres_with(configure(closed_port().await)).await {
            super::a_signal_outlives_a_broken_mail_relay(app).await;
        }
    }
}

/// A professional files a signal from a client's file: one screen, Dutch errors next to the
/// fields and nothing written on bad input; their own signal goes to the coordinators, and
/// a person outside their caseload is "not found".
async fn a_professional_files_from_the_file(app: TestApp) {
    let person = resident(&app, "Ilse", app.pitstop).await;
    let stranger = resident(&app, "Jan", app.pitstop).await;
    let professional = app.user(Role::Professional);
    app.db
        .assign_professional(person, professional, app.clock.today(), &system(&app))
        .await
        .unwrap();
    let prof = app.session_as(Role::Professional).await;
    let file = text(prof.get(&format!("/personen/{person}")).await).await;
    assert!(file.contains(&format!("href=\"/personen/{person}/signaal\"")));
    let page = text(prof.get(&format!("/personen/{person}/signaal")).await).await;
    assert!(
        page.contains("Signaal doorgeven over Ilse Geheimnaam"),
        "{page}"
    );

    let r = prof
        .post_form(
            &format!("/personen/{person}/signaal"),
            &[
                ("category", "kwaad"),
                ("urgency", "heel hoog"),
                ("text", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = text(r).await;
    assert!(body.contains("vul in wat er aan de hand is"), "{body}");
    assert!(
        body.contains("kies een soort signaal uit de lijst"),
        "{body}"
    );
    assert!(body.contains("id=\"urgency-error\""), "{body}");
    assert_eq!(
        app.session().get_json_page("/api/v1/signals").await["total"],
        0
    );

    let r = prof
        .post_form(
            &format!("/personen/{person}/signaal"),
            &[
                ("category", "rent_debt"),
                ("urgency", "high"),
                ("text", "Huurachterstand van drie maanden"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/personen/{person}?melding=signaal-doorgegeven")
    );
    let coord = app.session().get_json_page("/api/v1/signals").await;
    assert_eq!(coord["total"], 1);
    assert_eq!(coord["items"][0]["for_coordinators"], true);
    assert_eq!(coord["items"][0]["category"], "rent_debt");

    // Someone outside the caseload: not found, logged as denied, nothing written.
    assert_eq!(
        prof.get(&format!("/personen/{stranger}/signaal"))
            .await
            .status(),
        404
    );
    let r = prof
        .post_form(
            &format!("/personen/{stranger}/signaal"),
            &[
                ("category", "conflict"),
                ("urgency", "low"),
                ("text", "Ruzie"),
            ],
        )
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.session().get_json_page("/api/v1/signals").await["total"],
        1
    );
    let log = app
        .db
        .access_log(
            &AccessFilter {
                person: Some(stranger),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        log.iter().any(|e| e.outcome == "denied"
            && e.user_id == Some(professional)
            && e.category == "signal"),
        "{log:?}"
    );
}
on_both!(a_professional_files_from_the_file);

/// An administrator gives a user an e-mail address: a Dutch error for a bad one, nothing
/// changed; a good one is kept and shown on the user's page.
async fn an_administrator_sets_an_email_address(app: TestApp) {
    let admin = app.session_as(Role::Admin).await;
    let id = app.user(Role::Professional);
    let r = admin
        .post_form(
            &format!("/beheer/gebruikers/{id}"),
            &[
                ("role", "professional"),
                ("organisation_id", "1"),
                ("active", "1"),
                ("email", "begeleider@"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = text(r).await;
    assert!(body.contains("vul een geldig e-mailadres in"), "{body}");
    assert_eq!(app.db.user(id).await.unwrap().email, None);
    let r = admin
        .post_form(
            &format!("/beheer/gebruikers/{id}"),
            &[
                ("role", "professional"),
                ("organisation_id", "1"),
                ("active", "1"),
                ("email", "Begeleider@Pitstop.nl"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.db.user(id).await.unwrap().email.as_deref(),
        Some("begeleider@pitstop.nl")
    );
    let page = text(admin.get(&format!("/beheer/gebruikers/{id}")).await).await;
    assert!(page.contains("value=\"begeleider@pitstop.nl\""), "{page}");

    // A new account with a bad address is not made.
    let r = admin
        .post_form(
            "/beheer/gebruikers",
            &[
                ("username", "nieuw.maatje"),
                ("display_name", "Nieuw Maatje"),
                ("role", "buddy"),
                ("organisation_id", "1"),
                ("email", "geen adres"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("vul een geldig e-mailadres in"));
    let r = admin
        .post_form(
            "/beheer/gebruikers",
            &[
                ("username", "nieuw.maatje"),
                ("display_name", "Nieuw Maatje"),
                ("role", "buddy"),
                ("organisation_id", "1"),
                ("email", "maatje@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
}
on_both!(an_administrator_sets_an_email_address);
