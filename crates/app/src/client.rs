//! The person's own pages (the *cliënt* role): their stay, their professional, their plan,
//! their ZRM progress, the contact entries shared with them, their consents (which they may
//! revoke) and who looked at their file.
//!
//! **The rule of this area:** a cliënt account belongs to one person, and everything here is
//! read for that person only: no use case takes a person id from the cliënt. A consent of
//! someone else is "not found", and the attempt is logged as denied. Working notes
//! (*werkaantekeningen*) and the access log's address and client string never reach these
//! views.

use crate::guidance::Zrm;
use crate::{App, AppError, Caller, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory, Purpose, Role};
use nabij_domain::ids::PersonId;
use nabij_domain::page::{Page, PageRequest};
use nabij_store::audit::AccessFilter;
use nabij_store::stays::StayFilter;
use serde::Serialize;

/// The person behind a cliënt account; anything else is "not found".
async fn own_person(app: &App, caller: &Caller) -> Result<nabij_store::persons::Person> {
    if caller.role != Role::Client {
        return Err(AppError::Forbidden(
            "dit is de eigen pagina van een cliënt".into(),
        ));
    }
    let person = app
        .db
        .client_person(caller.user_id())
        .await?
        .ok_or(AppError::NotFound("dossier"))?;
    let p = app.db.person(person).await?;
    if p.organisation_id != caller.provider.0 {
        return Err(AppError::NotFound("dossier"));
    }
    Ok(p)
}

/// The stay as the person reads it.
#[derive(Debug, Clone, Serialize)]
pub struct MyStay {
    pub home_name: String,
    pub start: Date,
    pub planned_end: Date,
    /// Day of the stay (1 on the first day).
    pub day: i64,
    pub days_left: i64,
}

/// A goal as the person reads it.
#[derive(Debug, Clone, Serialize)]
pub struct MyGoal {
    pub title: String,
    pub domain: &'static str,
    pub status: &'static str,
    pub target_date: Option<Date>,
    pub actions: String,
    pub owner: &'static str,
}

/// A consent as the person reads it.
#[derive(Debug, Clone, Serialize)]
pub struct MyConsent {
    pub id: i64,
    pub organisation_name: String,
    pub purpose: Purpose,
    pub given_on: Date,
    pub expires_on: Option<Date>,
    pub revoked_on: Option<Date>,
    pub active: bool,
}

/// Everything on the person's own page.
#[derive(Debug, Clone, Serialize)]
pub struct MyFile {
    pub person_id: PersonId,
    pub first_name: String,
    pub stay: Option<MyStay>,
    /// Their professional: name and phone.
    pub professional: Option<(String, Option<String>)>,
    pub goals: Vec<MyGoal>,
    pub zrm: Zrm,
    pub consents: Vec<MyConsent>,
}

/// The person's own file, as they may read it.
#[tracing::instrument(skip_all)]
pub async fn my_file(app: &App, caller: &Caller) -> Result<MyFile> {
    use nabij_domain::labels::Label;
    let p = own_person(app, caller).await?;
    let today = app.clock.today();
    let stay = app
        .db
        .stays(StayFilter {
            person: Some(p.id),
            active: Some(true),
            ..Default::default()
        })
        .await?
        .into_iter()
        .next()
        .map(|s| MyStay {
            day: (today - s.start).get_days() as i64 + 1,
            days_left: (s.planned_end - today).get_days() as i64,
            home_name: s.home_name,
            start: s.start,
            planned_end: s.planned_end,
        });
    let episodes = app.db.episodes_of(p.id).await?;
    let professional = episodes
        .iter()
        .rev()
        .find(|e| crate::guidance::EpisodeStatus::of(e, today).is_open())
        .map(|e| (e.lead_name.clone(), e.lead_phone.clone()));
    let goals = app
        .db
        .goals_of(p.id)
        .await?
        .into_iter()
        .map(|g| MyGoal {
            title: g.title,
            domain: g.domain.label(),
            status: g.status.label(),
            target_date: g.target_date,
            actions: g.actions,
            owner: g.owner.label(),
        })
        .collect();
    let zrm = crate::guidance::zrm_of(
        p.id,
        p.first_name.clone(),
        app.db.assessments_of(p.id).await?,
        &episodes,
        today,
        app.guidance.zrm_interval_months,
    );
    let consents = app
        .db
        .consents_of(p.id)
        .await?
        .into_iter()
        .map(|c| MyConsent {
            active: c.active_on(today),
            id: c.id,
            organisation_name: c.organisation_name,
            purpose: c.purpose,
            given_on: c.given_on,
            expires_on: c.expires_on,
            revoked_on: c.revoked_on,
        })
        .collect();
    Ok(MyFile {
        person_id: p.id,
        first_name: p.first_name,
        stay,
        professional,
        goals,
        zrm,
        consents,
    })
}

/// A contact entry shared with the person (never a working note).
#[derive(Debug, Clone, Serialize)]
pub struct MyContact {
    pub at: Timestamp,
    pub kind: &'static str,
    pub text: String,
    pub author: String,
    pub correction: bool,
}

/// One page of the contact entries shared with the person, newest first.
#[tracing::instrument(skip_all)]
pub async fn my_contacts(
    app: &App,
    caller: &Caller,
    req: &PageRequest,
) -> Result<(PersonId, Page<MyContact>)> {
    use nabij_domain::labels::Label;
    let p = own_person(app, caller).await?;
    let page = app.db.contacts_page(p.id, false, req).await?;
    Ok((
        p.id,
        page.map(|c| MyContact {
            at: c.at,
            kind: c.kind.label(),
            text: c.text,
            author: c.author_name,
            correction: c.corrects_id.is_some(),
        }),
    ))
}

/// Who looked at the person's file: the name of the one responsible, role, when and what;
/// never the address or client string.
#[derive(Debug, Clone, Serialize)]
pub struct MyAccess {
    pub at: Timestamp,
    pub name: String,
    pub role: String,
    pub category: String,
    pub action: String,
}

/// One page of the person's access overview, newest first: every look at or change of
/// their file that was let through. Refused attempts stay in the log for the
/// administrator; shown here, another cliënt's attempt would name them.
#[tracing::instrument(skip_all)]
pub async fn my_access(
    app: &App,
    caller: &Caller,
    req: &PageRequest,
) -> Result<(PersonId, Page<MyAccess>)> {
    use nabij_domain::labels::Label;
    let p = own_person(app, caller).await?;
    let filter = AccessFilter {
        person: Some(p.id),
        allowed_only: true,
        ..Default::default()
    };
    let page = app.db.access_log_page(&filter, req).await?;
    Ok((
        p.id,
        page.map(|e| MyAccess {
            role: Role::parse(&e.role)
                .map(|r| r.label().to_string())
                .unwrap_or_else(|| "systeem".into()),
            category: DataCategory::parse(&e.category)
                .map(|c| c.label().to_string())
                .unwrap_or(e.category),
            action: AuditAction::parse(&e.action)
                .map(|a| a.label().to_string())
                .unwrap_or(e.action),
            at: e.at,
            // The display name of the one responsible, not a login name.
            name: e.on_behalf_of,
        }),
    ))
}

/// The person revokes one of their own consents, from today. Another person's consent is
/// "not found", and the attempt is logged as denied.
#[tracing::instrument(skip_all)]
pub async fn revoke_my_consent(app: &App, caller: &Caller, consent: i64) -> Result<()> {
    let p = own_person(app, caller).await?;
    let own = app.db.consents_of(p.id).await?;
    if !own.iter().any(|c| c.id == consent) {
        if let Some(owner) = app.db.consent_person(consent).await? {
            crate::audit::log_refusal(
                app,
                caller,
                crate::audit::Subject::Person(owner),
                DataCategory::Consent,
                AuditAction::Change,
                &format!("toestemming {consent} van een ander"),
            )
            .await?;
        }
        return Err(AppError::NotFound("toestemming"));
    }
    Ok(app
        .db
        .revoke_consent(p.id, consent, app.clock.today(), &app.actor(caller))
        .await?)
}

/// A new cliënt account: the username and the one-time code to set a password with.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Invitation {
    pub username: String,
    /// Shown once: the person signs in with it and chooses their own password.
    pub code: String,
}

/// Invites the person to their own pages: a coordinator, or a professional who may open the
/// file. No e-mail: the code is handed over in person. Inviting again gives a new code.
#[tracing::instrument(skip_all, fields(person = person.0))]
pub async fn invite(app: &App, caller: &Caller, person: PersonId) -> Result<Invitation> {
    if !(caller.acts_as(Role::Coordinator) || caller.role == Role::Professional) {
        return Err(AppError::Forbidden(
            "een coördinator of begeleider nodigt uit".into(),
        ));
    }
    let p = crate::persons::visible(app, caller, person).await?;
    let username = match app.db.client_account_of(p.id).await? {
        Some((_, name)) => name,
        None => format!("client{}", p.id.0),
    };
    let code = crate::secrets::temporary_password();
    let c = code.clone();
    let hash = tokio::task::spawn_blocking(move || crate::secrets::hash_password(&c))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    app.db
        .invite_client(
            p.id,
            caller.provider.0,
            &username,
            &p.first_name,
            &hash,
            &app.actor(caller),
        )
        .await?;
    Ok(Invitation { username, code })
}
