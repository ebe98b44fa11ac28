use crate::helpers::*;

fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} not in page"));
    let rest = &html[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

#[tokio::test]
async fn every_page_renders_in_dutch_with_landmarks() {
    let app = spawn_app().await;
    let r = app.refer("Jan").await;
    app.place(r, app.pitstop).await;
    for path in [
        "/",
        "/aanmeldingen",
        "/aanmeldingen/nieuw",
        "/personen",
        "/personen/1",
        "/huizen",
        &format!("/huizen/{}", app.pitstop),
        "/verblijven",
        "/verblijven/1",
        "/rapportage",
        "/capaciteitsplanner",
        &format!("/aanmeldingen/{r}"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("<html lang=\"nl\">"), "{path}");
        assert!(html.contains("<main id=\"inhoud\""), "{path}");
        assert!(html.contains("aria-label=\"Hoofdmenu\""), "{path}");
        assert!(
            !html.contains("http://") || html.contains("https://www.geonames.org"),
            "{path}"
        );
    }
    let res = app.get("/bestaat-niet").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Deze pagina bestaat niet")
    );
}

#[tokio::test]
async fn the_referral_form_keeps_input_and_names_errors_next_to_fields() {
    let app = spawn_app().await;
    let woerden = app.woerden.to_string();
    let res = app
        .post_form(
            "/aanmeldingen",
            &[
                ("first_name", "Fatima"),
                ("last_name", ""),
                ("gender", "vrouw"),
                ("household_size", "twee"),
                ("own_municipality_id", &woerden),
                ("source", "ggz"),
                ("urgency", "hoog"),
                ("situation", "Uit kliniek ontslagen"),
                ("bsn", "111222334"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"Fatima\""), "typed input is kept");
    assert!(html.contains("Uit kliniek ontslagen</textarea>"));
    let last = between(
        &html,
        "<div class=\"field invalid\">\n  <label for=\"last_name\"",
        "</div>",
    );
    assert!(last.contains("vul een naam in"), "{last}");
    assert!(last.contains("aria-invalid=\"true\""));
    assert!(
        between(&html, "<label for=\"household_size\"", "</div>")
            .contains("Aantal personen moet een heel getal zijn")
    );
    assert!(between(&html, "<label for=\"bsn\"", "</div>").contains("elfproef"));
    assert!(html.contains("Controleer de invoer"));
    assert!(
        app.db
            .referrals(1, nabij_store::referrals::ReferralFilter::All, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing saved"
    );
}

#[tokio::test]
async fn referral_form_to_placement_without_javascript() {
    let app = spawn_app().await;
    let woerden = app.woerden.to_string();
    let centrum = app.centrum.to_string();
    let res = app
        .post_form(
            "/aanmeldingen",
            &[
                ("first_name", "Noor"),
                ("last_name", "Bakker"),
                ("gender", "vrouw"),
                ("household_size", "1"),
                ("own_municipality_id", &woerden),
                ("own_neighbourhood_id", &centrum),
                ("source", "sociaal_team"),
                ("urgency", "hoog"),
                ("situation", "Relatie beëindigd"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let referral_page = res.headers()["location"].to_str().unwrap().to_string();
    let html = app.get(&referral_page).await.text().await.unwrap();
    assert!(html.contains("Vrije plekken, de beste eerst"));
    let first = between(&html, "<ol class=\"proposals\">", "</li>");
    assert!(first.contains("Pitstop Woerden"), "{first}");
    assert!(first.contains("In de eigen buurt"));
    let res = app
        .post_form(
            &format!("{referral_page}/plaatsen"),
            &[("home_id", &app.pitstop.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let person_page = res.headers()["location"].to_str().unwrap().to_string();
    assert!(person_page.contains("melding=geplaatst"));
    let html = app.get(&person_page).await.text().await.unwrap();
    assert!(html.contains("Geplaatst. Het verblijf is begonnen"));
    assert!(html.contains("Verblijf nu: <a href=\"/verblijven/1\">Pitstop Woerden</a>"));
    assert!(html.contains("Dag <strong>1</strong>"));
    let dash = app.get("/").await.text().await.unwrap();
    assert!(
        dash.contains("<p class=\"num\">2</p><p>vrije plekken van 3</p>"),
        "{}",
        between(&dash, "cards", "</section>")
    );
}

#[tokio::test]
async fn stay_forms_show_errors_in_dutch_and_succeed_with_a_message() {
    let app = spawn_app().await;
    let r = app.refer("Jan").await;
    app.place(r, app.pitstop).await;
    let res = app
        .post_form(
            "/verblijven/1/verlenging",
            &[
                ("new_end", "morgen"),
                ("decided_by", "Ria"),
                ("reason", "Wacht op woning"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(between(&html, "<label for=\"new_end\"", "</div>").contains("is geen datum"));
    let res = app
        .post_form(
            "/verblijven/1/vertrek",
            &[
                ("exit_date", "2026-03-02"),
                ("destination", "family_or_friends"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = app
        .get(res.headers()["location"].to_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Het vertrek is vastgelegd"));
    assert!(html.contains("naar Bij familie of vrienden"));
}

#[tokio::test]
async fn blocking_a_place_from_the_home_page() {
    let app = spawn_app().await;
    let home = app.pitstop.to_string();
    let places = app
        .db
        .places_of_home(app.pitstop, jiff::civil::date(2026, 3, 2))
        .await
        .unwrap();
    let place = places[0].id.to_string();
    let res = app
        .post_form(
            &format!("/huizen/{home}/blokkades"),
            &[
                ("place_id", &place),
                ("from", "2026-03-02"),
                ("until", "2026-03-01"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("vul een reden in"));
    assert!(html.contains("de einddatum ligt vóór de begindatum"));
    let res = app
        .post_form(
            &format!("/huizen/{home}/blokkades"),
            &[
                ("place_id", &place),
                ("from", "2026-03-02"),
                ("until", ""),
                ("reason", "Lekkage"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = app
        .get(res.headers()["location"].to_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Lekkage (2 mrt 2026)"));
    assert_eq!(app.get_json("/api/v1/dashboard").await["free_places"], 2);
}

#[tokio::test]
async fn a_missing_record_is_a_dutch_404_page() {
    let app = spawn_app().await;
    let res = app.get("/verblijven/999").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Dit verblijf bestaat niet (meer).")
    );
    let res = app.get("/aanmeldingen/999").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Deze aanmelding bestaat niet (meer).")
    );
}

/// The links of the main menu on a page.
fn menu_links(html: &str) -> Vec<String> {
    between(html, "aria-label=\"Hoofdmenu\"", "</nav>")
        .split("<a href=\"")
        .skip(1)
        .map(|a| {
            let (href, rest) = a.split_once('"').unwrap();
            let label = rest.split_once('>').unwrap().1.split_once('<').unwrap().0;
            format!("{href} {label}")
        })
        .collect()
}

#[tokio::test]
async fn each_role_sees_the_menu_of_what_it_may_open() {
    use nabij_domain::access::Role;
    let app = spawn_app().await;
    let expected: [(Role, &str, &[&str]); 6] = [
        (
            Role::Coordinator,
            "/",
            &[
                "/ Overzicht",
                "/aanmeldingen Aanmeldingen",
                "/personen Personen",
                "/verblijven Verblijven",
                "/huizen Huizen",
                "/rapportage Rapportage",
                "/capaciteitsplanner Capaciteitsplanner",
                "/signalen Signalen",
                "/maatjes Maatjes",
                "/woningaanbod Woningaanbod",
                "/omklapwoningen Omklapwoningen",
                "/account/api-sleutels Account",
            ],
        ),
        (
            Role::Professional,
            "/personen",
            &[
                "/personen Mijn cliënten",
                "/caseload Caseload",
                "/signalen Signalen",
                "/account/api-sleutels Account",
            ],
        ),
        (
            Role::MainResident,
            "/mijn-huis",
            &["/mijn-huis Mijn huis", "/account/api-sleutels Account"],
        ),
        (
            Role::Buddy,
            "/mijn-maatje",
            &["/mijn-maatje Mijn maatje", "/account/api-sleutels Account"],
        ),
        (
            Role::Partner,
            "/onze-aanmeldingen",
            &[
                "/onze-aanmeldingen Onze aanmeldingen",
                "/woningaanbod Woningaanbod",
                "/omklapwoningen Omklapwoningen",
                "/ketencijfers Ketencijfers",
                "/account/api-sleutels Account",
            ],
        ),
        (
            Role::Admin,
            "/huizen",
            &[
                "/huizen Huizen",
                "/rapportage Rapportage",
                "/capaciteitsplanner Capaciteitsplanner",
                "/beheer/gebruikers Gebruikers",
                "/toegangslog Toegangslog",
                "/account/api-sleutels Account",
            ],
        ),
    ];
    for (role, page, links) in expected {
        let s = app.session_as(role).await;
        let res = s.get(page).await;
        assert_eq!(res.status(), 200, "{role:?} {page}");
        assert_eq!(menu_links(&res.text().await.unwrap()), links, "{role:?}");
    }
}
