//! Who asks: the user, their role and organisation, on whose behalf, from where.

use nabij_domain::access::Role;
use nabij_domain::ids::{OrganisationId, UserId};
use nabij_store::audit::Actor;

/// The one who calls a use case. Pages and API make it from the signed-in user; the command
/// line from the system itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `None` for the system itself (demo, retention, command line).
    pub user: Option<UserId>,
    pub username: String,
    /// The responsible user on whose behalf the caller works (the caller themselves mostly).
    pub on_behalf_of: String,
    pub role: Role,
    /// The organisation the user belongs to (a partner's own organisation, or the provider).
    pub organisation: OrganisationId,
    /// The provider whose files the user works in.
    pub provider: OrganisationId,
    /// Network address and client (user agent), or the command that ran.
    pub address: String,
    pub client: String,
    system: bool,
}

impl Caller {
    /// A signed-in user.
    #[allow(clippy::too_many_arguments)]
    pub fn user(
        id: UserId,
        username: impl Into<String>,
        display_name: impl Into<String>,
        role: Role,
        organisation: OrganisationId,
        provider: OrganisationId,
        address: impl Into<String>,
        client: impl Into<String>,
    ) -> Caller {
        Caller {
            user: Some(id),
            username: username.into(),
            on_behalf_of: display_name.into(),
            role,
            organisation,
            provider,
            address: address.into(),
            client: client.into(),
            system: false,
        }
    }

    /// The system itself running `command` (e.g. `nabij demo`) for a provider: it acts as
    /// that provider's coordinator and administrator, and the access log says it was the
    /// system.
    pub fn system(command: &str, provider: OrganisationId) -> Caller {
        Caller {
            user: None,
            username: "systeem".into(),
            on_behalf_of: "systeem".into(),
            role: Role::Coordinator,
            organisation: provider,
            provider,
            address: "lokaal".into(),
            client: command.into(),
            system: true,
        }
    }

    pub fn is_system(&self) -> bool {
        self.system
    }

    /// Has this role (the system has every role within its provider).
    pub fn acts_as(&self, role: Role) -> bool {
        self.system || self.role == role
    }

    /// The user id as the store keeps it (0 for the system, which owns nothing).
    pub(crate) fn user_id(&self) -> i64 {
        self.user.map_or(0, |u| u.0)
    }

    pub(crate) fn actor(&self, at: jiff::Timestamp) -> Actor {
        if self.system {
            return Actor::system(&self.client, at);
        }
        Actor {
            user_id: self.user.map(|u| u.0),
            username: self.username.clone(),
            role: self.role.code().into(),
            on_behalf_of: self.on_behalf_of.clone(),
            organisation_id: Some(self.organisation.0),
            address: self.address.clone(),
            client: self.client.clone(),
            at,
        }
    }
}
