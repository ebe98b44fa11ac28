//! Partner organisations as an administrator manages them: the kind (gemeente, sociaal
//! team, woningcorporatie, zorgaanbieder, overig) and the municipalities a gemeente or
//! sociaal team covers. Every change is logged with who made it and when.

use crate::auth::Viewer;
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::AppError;
use nabij_app::partners::{self, PartnerKindChange, PartnerKindInput, PartnerOrganisation};
use nabij_domain::ids::OrganisationId;
use nabij_domain::labels::Label;
use nabij_domain::outflow::PartnerKind;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "admin_partners.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub partners: Vec<PartnerOrganisation>,
}

impl ListPage {
    pub fn kind(&self, p: &PartnerOrganisation) -> &'static str {
        p.kind.map(|k| k.label()).unwrap_or("nog niet vastgelegd")
    }
}

pub async fn list(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    let partners = partners::partner_organisations(&state.app, &viewer.caller).await?;
    Ok(crate::pages::page(&ListPage {
        nav: "beheer",
        partners,
    }))
}

#[derive(Template)]
#[template(path = "admin_partner.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub flash: Option<&'static str>,
    pub partner: PartnerOrganisation,
    pub changes: Vec<PartnerKindChange>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub municipalities: Vec<(String, String)>,
    pub form: Form,
}

impl ShowPage {
    pub fn kind_label(&self, k: &PartnerKind) -> &'static str {
        k.label()
    }
    pub fn when(&self, t: &jiff::Timestamp) -> String {
        t.strftime("%Y-%m-%d %H:%M").to_string()
    }
    pub fn covers(&self, id: &str) -> bool {
        self.form.values("municipality_ids").iter().any(|v| v == id)
    }
}

async fn show_page(
    state: &Web,
    viewer: &Viewer,
    id: OrganisationId,
    form: Option<Form>,
    flash_key: Option<&'static str>,
) -> Result<Response, HtmlError> {
    let (partner, changes) = partners::partner_organisation(&state.app, &viewer.caller, id).await?;
    let form = match form {
        Some(f) => f,
        None => {
            let mut f = Form::default();
            if let Some(k) = partner.kind {
                f.set("kind", k.code());
            }
            for m in &partner.municipality_ids {
                f.push("municipality_ids", m.0.to_string());
            }
            f
        }
    };
    let municipalities = nabij_app::geography::municipalities(&state.app)
        .await?
        .into_iter()
        .map(|m| (m.id.0.to_string(), m.name))
        .collect();
    let p = ShowPage {
        nav: "beheer",
        flash: flash_key,
        partner,
        changes,
        kinds: PartnerKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        municipalities,
        form,
    };
    Ok(with_form(&p, &p.form, []))
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OrganisationId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    show_page(&state, &viewer, id, None, flash(&q)).await
}

pub async fn update(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OrganisationId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let municipality_ids = form.ints("municipality_ids");
    let input = PartnerKindInput {
        kind: form.value("kind").into(),
        municipality_ids,
    };
    let result = if form.has_errors() {
        Err(AppError::Invalid(vec![]))
    } else {
        partners::set_kind_input(&state.app, &viewer.caller, id, &input).await
    };
    after_post(
        result,
        form,
        |_| format!("/beheer/ketenpartners/{}", id.0),
        "ketenpartner",
        |f| async move { show_page(&state, &viewer, id, Some(f), None).await },
    )
    .await
}
