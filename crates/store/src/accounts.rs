//! Organisations, users, sessions, login failures, caseloads and house links.

use crate::convert::*;
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::ids::{HomeId, PersonId};
use nabij_domain::page::{Cursor, Page, PageRequest};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    /// `provider` or `partner`.
    pub kind: String,
    pub provider_id: Option<i64>,
}

impl Organisation {
    /// The provider whose network this organisation is part of (itself for a provider).
    pub fn provider(&self) -> i64 {
        self.provider_id.unwrap_or(self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    /// The provider of the user's network.
    pub provider_id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    /// Where signal notices go; for administrators only.
    #[serde(skip)]
    pub email: Option<String>,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    /// A second factor is set up and confirmed.
    pub totp_enabled: bool,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    /// Signed in with a temporary password: a new one must be chosen first.
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub organisation_id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    /// The second factor was confirmed in this session.
    pub second_factor: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

const USER_COLUMNS: &str = "u.id, u.organisation_id, o.name AS organisation_name, \
    COALESCE(o.provider_id, o.id) AS provider_id, u.username, u.display_name, u.phone, u.email, u.role, \
    u.password_hash, u.active, u.totp_enabled, u.totp_secret, u.must_change_password";

/// Users in list order: active ones first, then by name.
const USER_KEY: &str = "(CASE WHEN u.active = 1 THEN '0 ' ELSE '1 ' END || u.display_name)";

fn api_token(r: &sqlx::any::AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: get_i64(r, "id")?,
        name: get_string(r, "name")?,
        created_at: get_ts(r, "created_at")?,
        last_used_at: get_opt_ts(r, "last_used_at")?,
        revoked_at: get_opt_ts(r, "revoked_at")?,
    })
}

fn user(r: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: get_i64(r, "id")?,
        organisation_id: get_i64(r, "organisation_id")?,
        organisation_name: get_string(r, "organisation_name")?,
        provider_id: get_i64(r, "provider_id")?,
        username: get_string(r, "username")?,
        display_name: get_string(r, "display_name")?,
        phone: get_opt_string(r, "phone")?,
        email: get_opt_string(r, "email")?,
        role: get_code(r, "role", Role::parse)?,
        password_hash: get_string(r, "password_hash")?,
        active: get_bool(r, "active")?,
        totp_enabled: get_bool(r, "totp_enabled")?,
        totp_secret: get_opt_string(r, "totp_secret")?,
        must_change_password: get_bool(r, "must_change_password")?,
    })
}

fn organisation(r: &sqlx::any::AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        id: get_i64(r, "id")?,
        name: get_string(r, "name")?,
        kind: get_string(r, "kind")?,
        provider_id: get_opt_i64(r, "provider_id")?,
    })
}

impl Db {
    /// A provider (`provider` = None) or a partner in a provider's network.
    pub async fn create_organisation(
        &self,
        name: &str,
        provider: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        let r = sqlx::query(
            "INSERT INTO organisations (name, kind, provider_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(if provider.is_some() { "partner" } else { "provider" })
        .bind(provider)
        .bind(ts_text(now))
        .fetch_one(&self.write)
        .await
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("er is al een organisatie met de naam {name}"))
            } else {
                e.into()
            }
        })?;
        get_i64(&r, "id")
    }

    pub async fn rename_organisation(&self, id: i64, name: &str) -> Result<()> {
        sqlx::query("UPDATE organisations SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn organisation(&self, id: i64) -> Result<Organisation> {
        let r = sqlx::query("SELECT id, name, kind, provider_id FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("organisation"))?;
        organisation(&r)
    }

    /// A provider and the partners in its network.
    pub async fn organisations_of(&self, provider: i64) -> Result<Vec<Organisation>> {
        sqlx::query(
            "SELECT id, name, kind, provider_id FROM organisations WHERE id = $1 OR provider_id = $1 \
             ORDER BY kind DESC, name",
        )
        .bind(provider)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(organisation)
        .collect()
    }

    pub async fn create_user(&self, new: &NewUser, now: Timestamp) -> Result<i64> {
        let r = sqlx::query(
            "INSERT INTO users (organisation_id, username, display_name, phone, role, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
        )
        .bind(new.organisation_id)
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(&new.phone)
        .bind(new.role.code())
        .bind(&new.password_hash)
        .bind(ts_text(now))
        .fetch_one(&self.write)
        .await
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("de gebruikersnaam {} bestaat al", new.username))
            } else {
                e.into()
            }
        })?;
        get_i64(&r, "id")
    }

    /// Whether any account exists (a fresh installation has none).
    pub async fn has_users(&self) -> Result<bool> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.reader())
            .await?;
        Ok(get_i64(&r, "n")? > 0)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.username = $1"
        ))
        .bind(username)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(user)
        .transpose()
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let r = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .ok_or(StoreError::NotFound("user"))?;
        user(&r)
    }

    /// One page of the users of a provider and of the partners in its network: active
    /// users first, by name; with their exact number.
    pub async fn users_page(&self, provider: i64, req: &PageRequest) -> Result<Page<User>> {
        let mut filter = crate::paging::Where::default();
        filter.int(
            "u.organisation_id IN (SELECT id FROM organisations WHERE id = {} OR provider_id = {})",
            provider,
        );
        let select = format!("SELECT {USER_COLUMNS}, {USER_KEY} AS sort_key");
        self.read_page(
            crate::paging::ListQuery {
                select: &select,
                from: "FROM users u JOIN organisations o ON o.id = u.organisation_id",
                count_from: None,
                filter,
                order: crate::paging::Order::by(USER_KEY, "u.id", false),
            },
            req,
            |r| Ok((get_string(r, "sort_key")?, user(r)?)),
            |(key, u)| Cursor::new(key.clone(), u.id),
        )
        .await
        .map(|p| p.map(|(_, u)| u))
    }

    /// One page of a user's API keys, the newest first, with their exact number.
    pub async fn api_tokens_page(&self, user: i64, req: &PageRequest) -> Result<Page<ApiToken>> {
        let mut filter = crate::paging::Where::default();
        filter.int("t.user_id = {}", user);
        self.read_page(
            crate::paging::ListQuery {
                select: "SELECT t.id, t.name, t.created_at, t.last_used_at, t.revoked_at",
                from: "FROM api_tokens t",
                count_from: None,
                filter,
                order: crate::paging::Order::by_id("t.id", true),
            },
            req,
            api_token,
            |t| Cursor::new("", t.id),
        )
        .await
    }

    /// Users of a provider and of the partners in its network.
    pub async fn users_of(&self, provider: i64) -> Result<Vec<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE o.id = $1 OR o.provider_id = $1 ORDER BY u.active DESC, u.display_name"
        ))
        .bind(provider)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(user)
        .collect()
    }

    pub async fn update_user(
        &self,
        id: i64,
        role: Role,
        organisation_id: i64,
        active: bool,
    ) -> Result<()> {
        sqlx::query("UPDATE users SET role = $1, organisation_id = $2, active = $3 WHERE id = $4")
            .bind(role.code())
            .bind(organisation_id)
            .bind(flag(active))
            .bind(id)
            .execute(&self.write)
            .await?;
        if !active {
            self.end_sessions_of(id).await?;
        }
        Ok(())
    }

    /// Sets or clears the address signal notices go to.
    pub async fn set_user_email(&self, id: i64, email: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The addresses of the active users among `ids` who have one.
    pub async fn emails_of(&self, ids: &[i64]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for id in ids {
            let r = sqlx::query(
                "SELECT email FROM users WHERE id = $1 AND active = 1 AND email IS NOT NULL",
            )
            .bind(*id)
            .fetch_optional(self.reader())
            .await?;
            if let Some(r) = r {
                out.push(get_string(&r, "email")?);
            }
        }
        Ok(out)
    }

    /// Sets a new password and ends every session of the user.
    /// A new password; `temporary` when someone else chose it (it must be changed at the
    /// next sign-in). Ends every session and revokes every API key of the user: whoever
    /// held the old password is out.
    pub async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        temporary: bool,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(hash)
            .bind(flag(temporary))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(ts_text(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a new account's password as temporary.
    pub async fn require_password_change(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn link_user_home(&self, user: i64, home: HomeId) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_homes (user_id, home_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(home.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn homes_of_user(&self, user: i64) -> Result<Vec<HomeId>> {
        sqlx::query("SELECT home_id FROM user_homes WHERE user_id = $1 ORDER BY home_id")
            .bind(user)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| Ok(HomeId(get_i64(r, "home_id")?)))
            .collect()
    }

    /// Makes `professional` the person's professional from `on`, ending any earlier guidance.
    pub async fn assign_professional(
        &self,
        person: PersonId,
        professional: i64,
        on: Date,
        actor: &crate::audit::Actor,
    ) -> Result<()> {
        let on = stored_date("on", on)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE guidance SET ended_on = $1 WHERE person_id = $2 AND ended_on IS NULL")
            .bind(&on)
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO guidance (person_id, professional_id, started_on) VALUES ($1, $2, $3)",
        )
        .bind(person.0)
        .bind(professional)
        .bind(&on)
        .execute(&mut *tx)
        .await?;
        Db::lead_in_tx(&mut tx, person, professional, &on, actor).await?;
        crate::audit::append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            nabij_domain::access::DataCategory::File,
            nabij_domain::access::AuditAction::Change,
            format!("begeleider {professional}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The persons a professional guides now.
    pub async fn caseload(&self, professional: i64) -> Result<Vec<PersonId>> {
        sqlx::query("SELECT person_id FROM guidance WHERE professional_id = $1 AND ended_on IS NULL ORDER BY person_id")
            .bind(professional)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| Ok(PersonId(get_i64(r, "person_id")?)))
            .collect()
    }

    /// The professional guiding a person on `today`: the lead of the episode that is open
    /// then (running, or in aftercare up to its end date): (name, phone).
    pub async fn professional_of(
        &self,
        person: PersonId,
        today: Date,
    ) -> Result<Option<(String, Option<String>)>> {
        sqlx::query(
            "SELECT u.display_name, u.phone FROM guidance_episodes e JOIN users u ON u.id = e.lead_professional_id \
             WHERE e.person_id = $1 AND (e.ended_on IS NULL OR e.ended_on >= $2) \
             ORDER BY e.started_on DESC, e.id DESC LIMIT 1",
        )
        .bind(person.0)
        .bind(date_text(today))
        .fetch_optional(self.reader())
        .await?
        .map(|r| Ok((get_string(&r, "display_name")?, get_opt_string(&r, "phone")?)))
        .transpose()
    }

    pub async fn create_session(
        &self,
        id_hash: &str,
        user: i64,
        csrf_token: &str,
        now: Timestamp,
        address: &str,
        client: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, address, client) \
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(user)
        .bind(csrf_token)
        .bind(ts_text(now))
        .bind(address)
        .bind(client)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        let Some(r) = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.second_factor, s.created_at, s.last_seen_at FROM sessions s \
             JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id \
             WHERE s.id_hash = $1"
        ))
        .bind(id_hash)
        .fetch_optional(self.reader())
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(Session {
            user: user(&r)?,
            csrf_token: get_string(&r, "csrf_token")?,
            second_factor: get_bool(&r, "second_factor")?,
            created_at: get_ts(&r, "created_at")?,
            last_seen_at: get_ts(&r, "last_seen_at")?,
        }))
    }

    pub async fn touch_session(&self, id_hash: &str, now: Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(ts_text(now))
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn end_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn end_sessions_of(&self, user: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn record_login_failure(
        &self,
        username: &str,
        address: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(address)
            .bind(ts_text(now))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Failed logins since `since`: (for this username, from this address).
    pub async fn login_failures_since(
        &self,
        username: &str,
        address: &str,
        since: Timestamp,
    ) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $3) AS by_user, \
                    (SELECT COUNT(*) FROM login_failures WHERE address = $2 AND at >= $3) AS by_address",
        )
        .bind(username)
        .bind(address)
        .bind(ts_text(since))
        .fetch_one(self.reader())
        .await?;
        Ok((get_i64(&r, "by_user")?, get_i64(&r, "by_address")?))
    }

    /// Records a wrong second-factor code (or recovery code) for a user. Kept apart from
    /// password failures: nothing a correct password does clears these.
    pub async fn record_second_factor_failure(
        &self,
        user_id: i64,
        address: &str,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO second_factor_failures (user_id, address, at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(address)
        .bind(ts_text(at))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Wrong second-factor codes for a user since `since`, from any address.
    pub async fn second_factor_failures_since(
        &self,
        user_id: i64,
        since: Timestamp,
    ) -> Result<i64> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM second_factor_failures WHERE user_id = $1 AND at >= $2",
        )
        .bind(user_id)
        .bind(ts_text(since))
        .fetch_one(self.reader())
        .await?;
        get_i64(&r, "n")
    }

    /// Starts the second-factor count again; only after a confirmed second factor (never
    /// after a password alone).
    pub async fn clear_second_factor_failures(&self, user_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM second_factor_failures WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Accepts an RFC 6238 time step for a user once: true when `step` is later than every
    /// step accepted before, and records it; false for a replayed or older code. One
    /// conditional update, so two requests with the same code cannot both pass.
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.write)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// After a successful login the account's password count starts again. Second-factor
    /// failures are kept ([`Db::second_factor_failures_since`]).
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn confirm_second_factor(&self, id_hash: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET second_factor = 1 WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Stores a new, not yet confirmed, second-factor secret.
    pub async fn set_totp_secret(&self, user: i64, secret: &str) -> Result<()> {
        sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = 0 WHERE id = $2")
            .bind(secret)
            .bind(user)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Confirms the second factor and replaces the recovery codes (given as hashes).
    pub async fn enable_totp(&self, user: i64, recovery_hashes: &[String]) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET totp_enabled = 1 WHERE id = $1 AND totp_secret IS NOT NULL")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        for h in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses a recovery code once; true when it was valid and unused.
    pub async fn use_recovery_code(
        &self,
        user: i64,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(ts_text(now))
        .bind(user)
        .bind(code_hash)
        .execute(&self.write)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Turns the second factor off (an administrator resetting a lost authenticator).
    pub async fn reset_totp(&self, user: i64) -> Result<()> {
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled = 0 WHERE id = $1")
            .bind(user)
            .execute(&self.write)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user)
            .execute(&self.write)
            .await?;
        self.end_sessions_of(user).await
    }

    pub async fn create_api_token(
        &self,
        user: i64,
        name: &str,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let r = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user)
        .bind(name)
        .bind(token_hash)
        .bind(ts_text(now))
        .fetch_one(&self.write)
        .await?;
        get_i64(&r, "id")
    }

    pub async fn api_tokens(&self, user: i64) -> Result<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(api_token)
        .collect()
    }

    pub async fn revoke_api_token(&self, user: i64, id: i64, now: Timestamp) -> Result<()> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(ts_text(now))
        .bind(id)
        .bind(user)
        .execute(&self.write)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("token"));
        }
        Ok(())
    }

    /// The active user behind an unrevoked token.
    pub async fn user_by_api_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<User>> {
        let Some(r) = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, t.id AS token_id, t.last_used_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1"
        ))
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await?
        else {
            return Ok(None);
        };
        // Note the use at most once a minute.
        let stale = get_opt_ts(&r, "last_used_at")?
            .is_none_or(|t| now.duration_since(t) > jiff::SignedDuration::from_mins(1));
        if stale {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(ts_text(now))
                .bind(get_i64(&r, "token_id")?)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(user(&r)?))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}
