//! A person's own (cliënt) account: which person it belongs to.

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::{Db, Result, StoreError};
use nabij_domain::access::{AuditAction, DataCategory, Role};
use nabij_domain::ids::PersonId;

impl Db {
    /// The person a cliënt account belongs to.
    pub async fn client_person(&self, user: i64) -> Result<Option<PersonId>> {
        sqlx::query("SELECT person_id FROM client_accounts WHERE user_id = $1")
            .bind(user)
            .fetch_optional(self.reader())
            .await?
            .map(|r| get_i64(&r, "person_id").map(PersonId))
            .transpose()
    }

    /// A cliënt's new temporary password is a new invitation: its days start at `at`. No
    /// effect for other accounts.
    pub async fn renew_client_invitation(&self, user: i64, at: jiff::Timestamp) -> Result<()> {
        sqlx::query("UPDATE client_accounts SET invited_at = $1 WHERE user_id = $2")
            .bind(ts_text(at))
            .bind(user)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// When a cliënt account's latest invitation (its one-time code) was given.
    pub async fn client_invited_at(&self, user: i64) -> Result<Option<jiff::Timestamp>> {
        sqlx::query("SELECT invited_at FROM client_accounts WHERE user_id = $1")
            .bind(user)
            .fetch_optional(self.reader())
            .await?
            .map(|r| get_ts(&r, "invited_at"))
            .transpose()
    }

    /// The cliënt account of a person: (user id, username).
    pub async fn client_account_of(&self, person: PersonId) -> Result<Option<(i64, String)>> {
        sqlx::query(
            "SELECT u.id, u.username FROM client_accounts c JOIN users u ON u.id = c.user_id WHERE c.person_id = $1",
        )
        .bind(person.0)
        .fetch_optional(self.reader())
        .await?
        .map(|r| Ok((get_i64(&r, "id")?, get_string(&r, "username")?)))
        .transpose()
    }

    /// Makes (or renews) a person's cliënt account with a temporary password that must be
    /// replaced at the first sign-in; logged with the person's file.
    #[allow(clippy::too_many_arguments)]
    pub async fn invite_client(
        &self,
        person: PersonId,
        organisation: i64,
        username: &str,
        display_name: &str,
        password_hash: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query("SELECT user_id FROM client_accounts WHERE person_id = $1")
            .bind(person.0)
            .fetch_optional(&mut *tx)
            .await?;
        let user = match existing {
            Some(r) => {
                let id = get_i64(&r, "user_id")?;
                sqlx::query(
                    "UPDATE users SET password_hash = $1, must_change_password = 1, active = 1 WHERE id = $2",
                )
                .bind(password_hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // A new code starts a new period in which it can be used.
                sqlx::query(
                    "UPDATE client_accounts SET invited_by = $1, invited_at = $2 WHERE user_id = $3",
                )
                .bind(&actor.username)
                .bind(ts_text(actor.at))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO users (organisation_id, username, display_name, role, password_hash, active, must_change_password, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 1, 1, $6) RETURNING id",
                )
                .bind(organisation)
                .bind(username)
                .bind(display_name)
                .bind(Role::Client.code())
                .bind(password_hash)
                .bind(ts_text(actor.at))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| {
                    if StoreError::is_unique_violation(&e) {
                        StoreError::Conflict(format!("de gebruikersnaam {username} bestaat al"))
                    } else {
                        e.into()
                    }
                })?;
                let id = get_i64(&r, "id")?;
                sqlx::query(
                    "INSERT INTO client_accounts (user_id, person_id, invited_by, invited_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(person.0)
                .bind(&actor.username)
                .bind(ts_text(actor.at))
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::File,
            AuditAction::Change,
            format!("uitnodiging eigen account {username}"),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Links an existing cliënt account to a person (tests, demo).
    pub async fn link_client(&self, user: i64, person: PersonId, actor: &Actor) -> Result<()> {
        sqlx::query(
            "INSERT INTO client_accounts (user_id, person_id, invited_by, invited_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user)
        .bind(person.0)
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Whose consent this is.
    pub async fn consent_person(&self, consent: i64) -> Result<Option<PersonId>> {
        sqlx::query("SELECT person_id FROM consents WHERE id = $1")
            .bind(consent)
            .fetch_optional(self.reader())
            .await?
            .map(|r| get_i64(&r, "person_id").map(PersonId))
            .transpose()
    }
}
