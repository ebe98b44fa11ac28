//! Accounts: signing in and out, sessions and API keys, the second factor, and the
//! administration of users and partner organisations.
//!
//! **The rule of this area:** an administrator manages the accounts of their own provider
//! and its partners, and reads no files by virtue of it. An [`Account`] never carries a
//! password hash or a second-factor secret; those stay inside this module.

use crate::secrets::{hash_password, random_hex, temporary_password, token_hash, verify_password};
use crate::{App, AppError, Caller, Result, totp};
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::ids::*;
use nabij_domain::limits;
use serde::Serialize;

pub use nabij_store::accounts::{ApiToken, Organisation};

/// Failed sign-ins that lock an account, and an address, for the window.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Sessions are touched at most this often, to spare the database a write per request.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// A user as the application shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    /// Where signal notices go; shown to administrators only.
    #[serde(skip)]
    pub email: Option<String>,
    pub role: Role,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    /// The provider whose files the user works in.
    pub provider: OrganisationId,
    pub active: bool,
    pub totp_enabled: bool,
    /// Signed in with a temporary password: choosing a new one comes first.
    pub must_change_password: bool,
}

impl From<nabij_store::accounts::User> for Account {
    fn from(u: nabij_store::accounts::User) -> Self {
        Account {
            id: UserId(u.id),
            username: u.username,
            display_name: u.display_name,
            phone: u.phone,
            email: u.email,
            role: u.role,
            organisation_id: OrganisationId(u.organisation_id),
            organisation_name: u.organisation_name,
            provider: OrganisationId(u.provider_id),
            active: u.active,
            totp_enabled: u.totp_enabled,
            must_change_password: u.must_change_password,
        }
    }
}

impl Account {
    /// This user calling from an address with a client.
    pub fn caller(&self, address: &str, client: &str) -> Caller {
        Caller::user(
            self.id,
            &self.username,
            &self.display_name,
            self.role,
            self.organisation_id,
            self.provider,
            address,
            client,
        )
    }
}

/// Who a request comes from: a session or an API key.
#[derive(Debug, Clone)]
pub struct Identity {
    pub account: Account,
    /// SHA-256 of the session id; `None` for an API key.
    pub session: Option<String>,
    pub csrf: String,
    /// The second factor is confirmed (always, for an API key: it is made in such a session).
    pub second_factor: bool,
}

/// The user of an API key, if it is known and not revoked.
#[tracing::instrument(skip_all)]
pub async fn identify_token(app: &App, token: &str) -> Result<Option<Identity>> {
    let user = app
        .db
        .user_by_api_token(&token_hash(token.trim()), app.session_clock.now())
        .await?;
    Ok(user.map(|u| Identity {
        account: u.into(),
        session: None,
        csrf: String::new(),
        second_factor: true,
    }))
}

/// The user of a session id, unless the session ended, idled out, or the user is inactive.
#[tracing::instrument(skip_all)]
pub async fn identify_session(
    app: &App,
    session_id: &str,
    idle_minutes: i64,
) -> Result<Option<Identity>> {
    let now = app.session_clock.now();
    let hash = token_hash(session_id);
    let Some(s) = app.db.session(&hash).await? else {
        return Ok(None);
    };
    let idle = now.duration_since(s.last_seen_at).as_secs();
    let limit = idle_minutes * 60;
    if !s.user.active || idle > limit {
        app.db.end_session(&hash).await?;
        return Ok(None);
    }
    // Touched often enough that a user active within the limit is never signed out.
    if idle >= TOUCH_EVERY_SECONDS.min(limit / 4) {
        app.db.touch_session(&hash, now).await?;
    }
    Ok(Some(Identity {
        account: s.user.into(),
        session: Some(hash),
        csrf: s.csrf_token,
        second_factor: s.second_factor,
    }))
}

/// Whether any account exists (a fresh installation says how to make the first).
#[tracing::instrument(skip_all)]
pub async fn has_users(app: &App) -> bool {
    app.db.has_users().await.unwrap_or(true)
}

/// How long a cliënt's invitation code can be used for the first sign-in.
pub const INVITATION_DAYS: i64 = 14;

/// How a sign-in went.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Too many failures for this account or address in the window.
    Locked,
    /// Unknown user, wrong password, or an inactive account.
    Wrong,
    /// A cliënt's one-time code, older than [`INVITATION_DAYS`]: a new invitation is needed.
    InvitationExpired,
    /// A new session; its id goes in the cookie and is stored only as a hash.
    SignedIn {
        session_id: String,
        role: Role,
        totp_enabled: bool,
    },
}

/// Signs in with username and password. A failed attempt takes as long for an unknown
/// user as for a known one; a new session id is made every time, and `old_session` (a
/// session id planted before) is ended.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    app: &App,
    username: &str,
    password: &str,
    address: &str,
    client: &str,
    old_session: Option<&str>,
) -> Result<SignIn> {
    let now = app.session_clock.now();
    let username = username.trim().to_lowercase();
    let since = now - jiff::SignedDuration::from_mins(FAILURE_WINDOW_MINUTES);
    let (by_user, by_address) = app
        .db
        .login_failures_since(&username, address, since)
        .await?;
    if by_user >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Ok(SignIn::Locked);
    }
    let user = app.db.user_by_username(&username).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let typed = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&typed, stored.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            app.db.record_login_failure(&username, address, now).await?;
            return Ok(SignIn::Wrong);
        }
    };
    app.db.clear_login_failures(&username).await?;
    // A cliënt's code is for their first sign-in, within a few days of the invitation.
    if user.role == Role::Client
        && user.must_change_password
        && app.db.client_invited_at(user.id).await?.is_none_or(|at| {
            app.clock.now().duration_since(at)
                > jiff::SignedDuration::from_hours(24 * INVITATION_DAYS)
        })
    {
        return Ok(SignIn::InvitationExpired);
    }
    if let Some(old) = old_session {
        app.db.end_session(&token_hash(old)).await?;
    }
    let id = random_hex(32);
    app.db
        .create_session(
            &token_hash(&id),
            user.id,
            &random_hex(32),
            now,
            address,
            client,
        )
        .await?;
    Ok(SignIn::SignedIn {
        session_id: id,
        role: user.role,
        totp_enabled: user.totp_enabled,
    })
}

/// Ends a session (by the hash of its id).
#[tracing::instrument(skip_all)]
pub async fn sign_out(app: &App, session: &str) -> Result<()> {
    Ok(app.db.end_session(session).await?)
}

/// How a second-factor code went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Locked,
    Wrong,
    Confirmed,
}

/// The second step of signing in: a code from the authenticator app, or a recovery code.
/// Wrong codes are counted per account apart from wrong passwords, so a correct password
/// never resets them; five in the window lock the second step. A code is accepted once.
#[tracing::instrument(skip_all)]
pub async fn confirm_code(
    app: &App,
    identity: &Identity,
    address: &str,
    typed: &str,
) -> Result<CodeCheck> {
    let now = app.session_clock.now();
    let user_id = identity.account.id.0;
    let since = now - jiff::SignedDuration::from_mins(FAILURE_WINDOW_MINUTES);
    if app.db.second_factor_failures_since(user_id, since).await? >= MAX_FAILURES_PER_ACCOUNT {
        return Ok(CodeCheck::Locked);
    }
    let typed = typed.trim();
    let user = app.db.user(user_id).await?;
    let step = user
        .totp_secret
        .as_deref()
        .and_then(|secret| totp::matching_step(secret, typed, now.as_second()));
    let valid = match step {
        Some(step) => app.db.accept_totp_step(user_id, step).await?,
        None if typed.contains('-') => {
            app.db
                .use_recovery_code(user_id, &token_hash(&typed.to_lowercase()), now)
                .await?
        }
        None => false,
    };
    if !valid {
        app.db
            .record_second_factor_failure(user_id, address, now)
            .await?;
        return Ok(CodeCheck::Wrong);
    }
    app.db.clear_second_factor_failures(user_id).await?;
    if let Some(s) = &identity.session {
        app.db.confirm_second_factor(s).await?;
    }
    Ok(CodeCheck::Confirmed)
}

/// A second factor being set up: the secret, and the same as a QR code (SVG).
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

fn enrolment(secret: String, username: &str) -> Enrolment {
    let qr_svg = totp::qr_svg(&totp::provisioning_uri(&secret, username));
    Enrolment { secret, qr_svg }
}

/// Starts setting up the second factor with a fresh secret; `None` when it is set up.
#[tracing::instrument(skip_all)]
pub async fn begin_second_factor(app: &App, identity: &Identity) -> Result<Option<Enrolment>> {
    if identity.account.totp_enabled {
        return Ok(None);
    }
    let secret = totp::new_secret();
    app.db
        .set_totp_secret(identity.account.id.0, &secret)
        .await?;
    Ok(Some(enrolment(secret, &identity.account.username)))
}

/// How enabling the second factor went.
#[derive(Debug, Clone)]
pub enum Enable {
    /// Nothing to confirm: start again.
    NotStarted,
    /// The code did not match; the same secret again.
    Wrong(Enrolment),
    /// Enabled; these recovery codes are shown this once.
    Enabled(Vec<String>),
}

/// Confirms the secret with a code from the app, enables the second factor and makes ten
/// recovery codes (stored as hashes).
#[tracing::instrument(skip_all)]
pub async fn enable_second_factor(app: &App, identity: &Identity, code: &str) -> Result<Enable> {
    let user = app.db.user(identity.account.id.0).await?;
    let Some(secret) = user.totp_secret.filter(|_| !user.totp_enabled) else {
        return Ok(Enable::NotStarted);
    };
    let step = totp::matching_step(&secret, code, app.session_clock.now().as_second());
    let accepted = match step {
        Some(step) => app.db.accept_totp_step(user.id, step).await?,
        None => false,
    };
    if !accepted {
        return Ok(Enable::Wrong(enrolment(secret, &user.username)));
    }
    let recovery: Vec<String> = (0..10)
        .map(|_| {
            let h = random_hex(5);
            format!("{}-{}", &h[..5], &h[5..])
        })
        .collect();
    let hashes: Vec<String> = recovery.iter().map(|c| token_hash(c)).collect();
    app.db.enable_totp(user.id, &hashes).await?;
    if let Some(s) = &identity.session {
        app.db.confirm_second_factor(s).await?;
    }
    Ok(Enable::Enabled(recovery))
}

/// The caller's own API keys.
#[tracing::instrument(skip_all)]
pub async fn api_tokens(app: &App, caller: &Caller) -> Result<Vec<ApiToken>> {
    Ok(app.db.api_tokens(caller.user_id()).await?)
}

/// One page of the caller's own API keys, the newest first, with their exact number.
#[tracing::instrument(skip_all)]
pub async fn api_tokens_page(
    app: &App,
    caller: &Caller,
    page: &nabij_domain::page::PageRequest,
) -> Result<nabij_domain::page::Page<ApiToken>> {
    Ok(app.db.api_tokens_page(caller.user_id(), page).await?)
}

/// Makes a personal API key; the key is returned this once, only its hash is kept.
#[tracing::instrument(skip_all)]
pub async fn create_api_token(app: &App, caller: &Caller, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            "name",
            "Geef de sleutel een naam (hoogstens 80 tekens), zodat je later weet waarvoor hij is.",
        ));
    }
    let Some(user) = caller.user else {
        return Err(AppError::Forbidden(
            "alleen een gebruiker maakt een sleutel".into(),
        ));
    };
    let token = format!("nbj_{}", random_hex(32));
    app.db
        .create_api_token(user.0, name, &token_hash(&token), app.session_clock.now())
        .await?;
    Ok(token)
}

/// Revokes one of the caller's own API keys.
#[tracing::instrument(skip_all, fields(token = id.0))]
pub async fn revoke_api_token(app: &App, caller: &Caller, id: ApiTokenId) -> Result<()> {
    Ok(app
        .db
        .revoke_api_token(caller.user_id(), id.0, app.session_clock.now())
        .await?)
}

// ---- Administration -------------------------------------------------------------------

fn require_admin(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "gebruikers worden beheerd door de beheerder".into(),
        ))
    }
}

/// One page of the users of the caller's provider and its partners: active ones first, by
/// name; with their exact number.
#[tracing::instrument(skip_all)]
pub async fn users_page(
    app: &App,
    caller: &Caller,
    page: &nabij_domain::page::PageRequest,
) -> Result<nabij_domain::page::Page<Account>> {
    require_admin(caller)?;
    Ok(app
        .db
        .users_page(caller.provider.0, page)
        .await?
        .map(Account::from))
}

/// The users of the caller's provider and its partners.
#[tracing::instrument(skip_all)]
pub async fn users(app: &App, caller: &Caller) -> Result<Vec<Account>> {
    require_admin(caller)?;
    Ok(app
        .db
        .users_of(caller.provider.0)
        .await?
        .into_iter()
        .map(Account::from)
        .collect())
}

/// The provider itself and its partner organisations.
#[tracing::instrument(skip_all)]
pub async fn organisations(app: &App, caller: &Caller) -> Result<Vec<Organisation>> {
    require_admin(caller)?;
    Ok(app.db.organisations_of(caller.provider.0).await?)
}

/// The provider an organisation belongs to (itself, for a provider).
#[tracing::instrument(skip_all)]
pub async fn provider_of(app: &App, organisation: OrganisationId) -> Result<OrganisationId> {
    Ok(OrganisationId(
        app.db.organisation(organisation.0).await?.provider(),
    ))
}

fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// The organisation chosen for a role: partners belong to a partner organisation, everyone
/// else to the provider itself.
fn check_organisation(
    orgs: &[Organisation],
    chosen: Option<i64>,
    role: Option<Role>,
    errors: &mut Vec<RuleViolation>,
) -> Option<i64> {
    let org = chosen.and_then(|c| orgs.iter().find(|o| o.id == c));
    let refuse = |errors: &mut Vec<RuleViolation>, m: &str| {
        errors.push(RuleViolation::new("organisation_id", m));
        None
    };
    match (org, role) {
        (None, _) => refuse(errors, "kies een organisatie"),
        (Some(o), Some(Role::Partner)) if o.kind != "partner" => refuse(
            errors,
            "een ketenpartner hoort bij een ketenpartner-organisatie",
        ),
        (Some(o), Some(r)) if r != Role::Partner && o.kind == "partner" => refuse(
            errors,
            "alleen de rol ketenpartner hoort bij een ketenpartner-organisatie",
        ),
        (Some(o), _) => Some(o.id),
    }
}

/// A new user as the administrator types them.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub phone: String,
    /// Optional: where notices of new signals go.
    pub email: String,
    pub role: String,
    pub organisation_id: Option<i64>,
    /// The password is chosen by the user already (a demo account); otherwise it is
    /// temporary and must be changed at the first sign-in.
    pub password_is_final: bool,
}

/// Makes a user with a temporary password; returns (username, password), the password
/// shown this once.
#[tracing::instrument(skip_all)]
pub async fn create_user(
    app: &App,
    caller: &Caller,
    input: &NewUserInput,
) -> Result<(UserId, String, String)> {
    require_admin(caller)?;
    let mut errors = Vec::new();
    let username = input.username.trim().to_lowercase();
    if !valid_username(&username) {
        errors.push(RuleViolation::new(
            "username",
            "3 tot 40 tekens: kleine letters, cijfers, punt, streepje of liggend streepje",
        ));
    }
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() {
        errors.push(RuleViolation::new(
            "display_name",
            "vul de naam in zoals collega's die kennen",
        ));
    }
    crate::take(
        &mut errors,
        limits::check("display_name", &display_name, limits::DISPLAY_NAME),
    );
    let phone = Some(input.phone.trim().to_string()).filter(|p| !p.is_empty());
    if let Some(p) = &phone {
        crate::take(&mut errors, limits::check("phone", p, limits::PHONE));
    }
    let email = crate::take(&mut errors, crate::mail::parse_address(&input.email)).flatten();
    // A cliënt account belongs to a person: it is made by an invitation from the file.
    let role = Role::parse(&input.role).filter(|r| *r != Role::Client);
    if role.is_none() {
        errors.push(RuleViolation::new("role", "kies een rol"));
    }
    let orgs = app.db.organisations_of(caller.provider.0).await?;
    let org = check_organisation(&orgs, input.organisation_id, role, &mut errors);
    let (Some(role), Some(organisation_id)) = (role, org) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password = temporary_password();
    let hash = {
        let p = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&p))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let new = nabij_store::accounts::NewUser {
        organisation_id,
        username: username.clone(),
        display_name,
        phone,
        role,
        password_hash: hash,
    };
    match app.db.create_user(&new, app.clock.now()).await {
        Ok(id) => {
            if email.is_some() {
                app.db.set_user_email(id, email.as_deref()).await?;
            }
            if !input.password_is_final {
                app.db.require_password_change(id).await?;
            }
            Ok((UserId(id), username, password))
        }
        Err(nabij_store::StoreError::Conflict(m)) => Err(AppError::invalid("username", m)),
        Err(e) => Err(e.into()),
    }
}

/// A user of the caller's network; another's is "not found".
async fn user_of_network(app: &App, caller: &Caller, id: UserId) -> Result<Account> {
    require_admin(caller)?;
    let user = app
        .db
        .user(id.0)
        .await
        .map_err(|_| AppError::NotFound("gebruiker"))?;
    if user.provider_id != caller.provider.0 {
        return Err(AppError::NotFound("gebruiker"));
    }
    Ok(user.into())
}

/// A user with the homes they are linked to, for the administrator.
#[derive(Debug, Clone)]
pub struct UserFile {
    pub account: Account,
    pub organisations: Vec<Organisation>,
    /// The organisation's homes: (id, name).
    pub homes: Vec<crate::persons::Choice>,
    /// Names of the homes the user is linked to.
    pub linked: Vec<String>,
}

#[tracing::instrument(skip_all, fields(user = id.0))]
pub async fn user(app: &App, caller: &Caller, id: UserId) -> Result<UserFile> {
    let account = user_of_network(app, caller, id).await?;
    let all_homes = app.db.homes(caller.provider.0).await?;
    let linked_ids = app.db.homes_of_user(account.id.0).await?;
    Ok(UserFile {
        linked: all_homes
            .iter()
            .filter(|h| linked_ids.contains(&h.id))
            .map(|h| h.name.clone())
            .collect(),
        homes: all_homes
            .into_iter()
            .map(|h| (h.id.to_string(), h.name))
            .collect(),
        organisations: app.db.organisations_of(caller.provider.0).await?,
        account,
    })
}

/// A change of role, organisation or whether the account is active.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: String,
    pub organisation_id: Option<i64>,
    pub active: bool,
    /// Where notices of new signals go; empty clears it.
    pub email: String,
}

/// Changes a user. An administrator cannot switch off or demote their own account.
#[tracing::instrument(skip_all, fields(user = id.0))]
pub async fn update_user(
    app: &App,
    caller: &Caller,
    id: UserId,
    change: &UserChange,
) -> Result<()> {
    let account = user_of_network(app, caller, id).await?;
    let mut errors = Vec::new();
    let role =
        Role::parse(&change.role).filter(|r| *r != Role::Client || account.role == Role::Client);
    if role.is_none() {
        errors.push(RuleViolation::new("role", "kies een rol"));
    }
    let orgs = app.db.organisations_of(caller.provider.0).await?;
    let org = check_organisation(&orgs, change.organisation_id, role, &mut errors);
    if Some(account.id) == caller.user && (!change.active || role != Some(Role::Admin)) {
        errors.push(RuleViolation::new(
            "role",
            "je kunt je eigen beheerdersaccount niet uitzetten of een andere rol geven",
        ));
    }
    let email = crate::take(&mut errors, crate::mail::parse_address(&change.email));
    match (role, org, email) {
        (Some(role), Some(org), Some(email)) if errors.is_empty() => {
            app.db
                .update_user(account.id.0, role, org, change.active)
                .await?;
            Ok(app
                .db
                .set_user_email(account.id.0, email.as_deref())
                .await?)
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Gives a user a new temporary password, to be changed at the next sign-in; returns it,
/// shown this once. Their sessions end and their API keys are revoked.
#[tracing::instrument(skip_all, fields(user = id.0))]
pub async fn reset_password(app: &App, caller: &Caller, id: UserId) -> Result<String> {
    let account = user_of_network(app, caller, id).await?;
    let password = temporary_password();
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    app.db
        .set_password_hash(account.id.0, &hash, true, app.session_clock.now())
        .await?;
    // For a cliënt this is a new code: it is good for as long as an invitation.
    app.db
        .renew_client_invitation(account.id.0, app.clock.now())
        .await?;
    Ok(password)
}

/// The shortest password a user may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A user changes their own password: the current one, and the new one twice. Every
/// session and API key of the user ends; the caller signs in again with the new password.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    app: &App,
    identity: &Identity,
    current: &str,
    new: &str,
    repeated: &str,
) -> Result<()> {
    let user = app.db.user(identity.account.id.0).await?;
    let mut errors = Vec::new();
    let stored = user.password_hash.clone();
    let typed = current.to_owned();
    let current_ok = tokio::task::spawn_blocking(move || verify_password(&typed, Some(&stored)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !current_ok {
        errors.push(RuleViolation::new(
            "current",
            "je huidige wachtwoord klopt niet",
        ));
    }
    let chars = new.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        errors.push(RuleViolation::new(
            "new",
            format!("kies een wachtwoord van minstens {MIN_PASSWORD_CHARS} tekens"),
        ));
    } else if chars > 200 {
        errors.push(RuleViolation::new("new", "hoogstens 200 tekens"));
    } else if new == current {
        errors.push(RuleViolation::new(
            "new",
            "kies een ander wachtwoord dan je huidige",
        ));
    } else if new.to_lowercase().contains(&user.username) {
        errors.push(RuleViolation::new(
            "new",
            "je gebruikersnaam hoort niet in je wachtwoord",
        ));
    }
    if new != repeated {
        errors.push(RuleViolation::new(
            "repeated",
            "de twee nieuwe wachtwoorden zijn niet gelijk",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let p = new.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    app.db
        .set_password_hash(user.id, &hash, false, app.session_clock.now())
        .await?;
    Ok(())
}

/// Switches a user's second factor off; they set it up again at the next sign-in.
#[tracing::instrument(skip_all, fields(user = id.0))]
pub async fn reset_second_factor(app: &App, caller: &Caller, id: UserId) -> Result<()> {
    let account = user_of_network(app, caller, id).await?;
    Ok(app.db.reset_totp(account.id.0).await?)
}

/// Links a main resident or buddy to a home of the organisation.
#[tracing::instrument(skip_all, fields(user = id.0))]
pub async fn link_home(app: &App, caller: &Caller, id: UserId, home: Option<HomeId>) -> Result<()> {
    use nabij_domain::labels::Label;
    let account = user_of_network(app, caller, id).await?;
    let homes = app.db.homes(caller.provider.0).await?;
    match home.filter(|h| homes.iter().any(|x| x.id == *h)) {
        Some(h) if matches!(account.role, Role::MainResident | Role::Buddy) => {
            Ok(app.db.link_user_home(account.id.0, h).await?)
        }
        Some(_) => Err(AppError::BadRequest(format!(
            "alleen een hoofdbewoner of maatje wordt aan een huis gekoppeld, niet een {}",
            account.role.label()
        ))),
        None => Err(AppError::BadRequest(
            "kies een huis van deze organisatie".into(),
        )),
    }
}

/// Adds a partner organisation (municipality, social team, housing corporation).
#[tracing::instrument(skip_all)]
pub async fn create_organisation(app: &App, caller: &Caller, name: &str) -> Result<OrganisationId> {
    require_admin(caller)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::BadRequest(
            "vul de naam van de ketenpartner in (hoogstens 120 tekens)".into(),
        ));
    }
    Ok(OrganisationId(
        app.db
            .create_organisation(name, Some(caller.provider.0), app.clock.now())
            .await?,
    ))
}

/// Renames the caller's provider.
#[tracing::instrument(skip_all)]
pub async fn rename_provider(app: &App, caller: &Caller, name: &str) -> Result<()> {
    require_admin(caller)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "hoogstens 120 tekens"));
    }
    Ok(app.db.rename_organisation(caller.provider.0, name).await?)
}
