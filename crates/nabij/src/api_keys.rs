//! `nabij user token`: a personal API key made from the command line, for scripts and
//! checks that call the API as a user (the same use case as *Account → API-sleutels*).

use anyhow::{Context, Result, bail};
use nabij_app::{App, Caller};
use nabij_domain::ids::OrganisationId;

/// Makes an API key for `username` (a user of the provider of `organisation`) and returns it;
/// only its hash is kept, so it is shown this once.
pub async fn create(app: &App, organisation: i64, username: &str, name: &str) -> Result<String> {
    let provider = nabij_app::accounts::provider_of(app, OrganisationId(organisation))
        .await
        .with_context(|| format!("organisatie {organisation} bestaat niet"))?;
    let system = Caller::system("nabij user token", provider);
    let users = nabij_app::accounts::users(app, &system).await?;
    let username = username.trim().to_lowercase();
    let Some(user) = users.into_iter().find(|u| u.username == username) else {
        bail!("gebruiker {username} bestaat niet");
    };
    if !user.active {
        bail!("gebruiker {username} is geblokkeerd");
    }
    let caller = Caller::user(
        user.id,
        &user.username,
        &user.display_name,
        user.role,
        user.organisation_id,
        user.provider,
        "lokaal",
        "nabij user token",
    );
    nabij_app::accounts::create_api_token(app, &caller, name)
        .await
        .map_err(super::cli_error)
}
