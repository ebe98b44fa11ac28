//! Settings: built-in defaults, then a TOML file, then environment variables.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

pub const DEFAULT_CONFIG: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: Database,
    pub server: Server,
    pub log: Log,
    pub auth: Auth,
    pub audit: Audit,
    pub retention: Retention,
    #[serde(default)]
    pub guidance: Guidance,
    pub volunteers: Volunteers,
    #[serde(default)]
    pub mail: Mail,
    #[serde(default)]
    pub outflow: Outflow,
}

/// Notices of signals by e-mail through an SMTP relay; off while `host` is empty.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub timeout_seconds: u64,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Mail {
    /// The relay's settings, checked; `None` when mail is off.
    pub fn settings(&self) -> Result<Option<nabij_app::mail::MailSettings>> {
        if self.host.trim().is_empty() {
            return Ok(None);
        }
        let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        let settings = nabij_app::mail::MailSettings {
            host: self.host.trim().to_owned(),
            port: self.port,
            from: self.from.clone(),
            base_url: self.base_url.clone(),
            username: some(&self.username),
            password: some(&self.password),
            timeout: std::time::Duration::from_secs(self.timeout_seconds.clamp(1, 300)),
        };
        settings.check().map_err(|e| anyhow::anyhow!(e))?;
        Ok(Some(settings))
    }
}

/// Outflow and the omklapwoning: months of rent paid on time before a flip, the maximum
/// stay of an omklapwoning, and aftercare after a flip.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outflow {
    pub rent_paid_months: i64,
    pub flip_home_max_stay_months: i64,
    pub aftercare_days: i64,
}

impl Default for Outflow {
    fn default() -> Self {
        let d = nabij_app::outflow::Settings::default();
        Outflow {
            rent_paid_months: d.rent_months,
            flip_home_max_stay_months: d.flip_home_max_stay_months,
            aftercare_days: d.aftercare_days,
        }
    }
}

impl Outflow {
    /// The numbers for the use cases, checked.
    pub fn settings(&self) -> Result<nabij_app::outflow::Settings> {
        if !(1..=36).contains(&self.rent_paid_months) {
            anyhow::bail!("outflow.rent_paid_months must be between 1 and 36");
        }
        let most = nabij_domain::outflow::MAX_STAY_MONTHS;
        if !(1..=most).contains(&self.flip_home_max_stay_months) {
            anyhow::bail!("outflow.flip_home_max_stay_months must be between 1 and {most}");
        }
        if !(0..=3650).contains(&self.aftercare_days) {
            anyhow::bail!("outflow.aftercare_days must be between 0 and 3650");
        }
        Ok(nabij_app::outflow::Settings {
            rent_months: self.rent_paid_months,
            flip_home_max_stay_months: self.flip_home_max_stay_months,
            aftercare_days: self.aftercare_days,
        })
    }
}

/// Guidance and recovery: how long a professional keeps access after an episode ended, and
/// how often the ZRM is due.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    pub access_after_end_days: i64,
    pub zrm_interval_months: i32,
}

impl Default for Guidance {
    fn default() -> Self {
        let d = nabij_app::guidance::Settings::default();
        Guidance {
            access_after_end_days: d.access_after_end_days,
            zrm_interval_months: d.zrm_interval_months,
        }
    }
}

impl Guidance {
    pub fn settings(&self) -> nabij_app::guidance::Settings {
        nabij_app::guidance::Settings {
            access_after_end_days: self.access_after_end_days.clamp(0, 3650),
            zrm_interval_months: self.zrm_interval_months.clamp(1, 24),
        }
    }
}

/// Signals and buddies: the acknowledgement norms, the escalation rhythm, VOG validity and
/// check-ins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volunteers {
    pub acute_hours: u32,
    pub high_hours: u32,
    pub normal_hours: u32,
    pub low_hours: u32,
    pub escalation_every_seconds: u64,
    pub vog_years: u8,
    pub check_in_weeks: u8,
}

impl Volunteers {
    /// The policies for the use cases, checked.
    pub fn settings(&self) -> Result<nabij_app::VolunteerSettings> {
        let norms = nabij_domain::signal::Norms {
            acute_hours: self.acute_hours,
            high_hours: self.high_hours,
            normal_hours: self.normal_hours,
            low_hours: self.low_hours,
        };
        norms
            .check()
            .map_err(|e| anyhow::anyhow!("volunteers: {}", e.message))?;
        if !(1..=10).contains(&self.vog_years) {
            anyhow::bail!("volunteers.vog_years must be between 1 and 10");
        }
        if !(1..=26).contains(&self.check_in_weeks) {
            anyhow::bail!("volunteers.check_in_weeks must be between 1 and 26");
        }
        if !(1..=3600).contains(&self.escalation_every_seconds) {
            anyhow::bail!("volunteers.escalation_every_seconds must be between 1 and 3600");
        }
        Ok(nabij_app::VolunteerSettings {
            norms,
            vog_years: self.vog_years,
            check_in_weeks: self.check_in_weeks,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub key_file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub idle_minutes: i64,
    pub secure_cookies: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub file_years: i64,
    pub access_log_years: i64,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("url", &nabij_app::redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub listen: String,
    pub trusted_proxies: Vec<String>,
    pub header_read_timeout_seconds: u64,
    pub body_read_timeout_seconds: u64,
    pub request_timeout_seconds: u64,
    pub list_requests_per_minute: u32,
    pub list_request_burst: u32,
    pub list_pages_per_minute: u32,
    pub list_page_burst: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub filter: String,
}

impl Config {
    /// Where the access log's key is kept: as configured, else beside a SQLite database,
    /// else in the working directory.
    pub fn audit_key_file(&self) -> std::path::PathBuf {
        if !self.audit.key_file.is_empty() {
            return self.audit.key_file.clone().into();
        }
        audit_key_beside(&self.database.url)
    }

    /// Loads the settings; `file` overrides `$NABIJ_CONFIG` and `./nabij.toml`.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut cfg: Config = toml::from_str(DEFAULT_CONFIG).context("built-in defaults")?;
        let env_file = std::env::var("NABIJ_CONFIG").ok();
        let path = file
            .map(Path::to_path_buf)
            .or(env_file.map(Into::into))
            .or_else(|| {
                Path::new("nabij.toml")
                    .exists()
                    .then(|| "nabij.toml".into())
            });
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read settings file {}", path.display()))?;
            let partial: toml::Table = toml::from_str(&text)
                .with_context(|| format!("settings file {} is not valid TOML", path.display()))?;
            let mut merged: toml::Table = toml::from_str(DEFAULT_CONFIG)?;
            for (section, values) in partial {
                match (merged.get_mut(&section), values) {
                    (Some(toml::Value::Table(m)), toml::Value::Table(v)) => m.extend(v),
                    _ => anyhow::bail!("unknown section [{section}] in {}", path.display()),
                }
            }
            cfg = merged
                .try_into()
                .with_context(|| format!("settings file {}", path.display()))?;
        }
        if let Ok(v) = std::env::var("NABIJ_DATABASE_URL") {
            cfg.database.url = v;
        }
        if let Ok(v) = std::env::var("NABIJ_DATABASE_MAX_CONNECTIONS") {
            cfg.database.max_connections = v
                .parse()
                .context("NABIJ_DATABASE_MAX_CONNECTIONS must be a number")?;
        }
        if let Ok(v) = std::env::var("NABIJ_LISTEN") {
            cfg.server.listen = v;
        }
        if let Ok(v) = std::env::var("NABIJ_TRUSTED_PROXIES") {
            cfg.server.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Ok(v) = std::env::var("NABIJ_LOG") {
            cfg.log.filter = v;
        }
        if let Ok(v) = std::env::var("NABIJ_AUDIT_KEY_FILE") {
            cfg.audit.key_file = v;
        }
        if let Ok(v) = std::env::var("NABIJ_MAIL_PASSWORD") {
            cfg.mail.password = v;
        }
        cfg.volunteers.settings()?;
        cfg.mail.settings()?;
        cfg.outflow.settings()?;
        if !(1..=24 * 60).contains(&cfg.auth.idle_minutes) {
            anyhow::bail!("auth.idle_minutes must be between 1 and 1440");
        }
        nabij_web::auth::parse_trusted_proxies(&cfg.server.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("server.trusted_proxies: {e}"))?;
        for (name, secs) in [
            (
                "header_read_timeout_seconds",
                cfg.server.header_read_timeout_seconds,
            ),
            (
                "body_read_timeout_seconds",
                cfg.server.body_read_timeout_seconds,
            ),
            (
                "request_timeout_seconds",
                cfg.server.request_timeout_seconds,
            ),
        ] {
            if !(1..=3600).contains(&secs) {
                anyhow::bail!("server.{name} must be between 1 and 3600");
            }
        }
        if cfg.server.list_requests_per_minute == 0 || cfg.server.list_request_burst == 0 {
            anyhow::bail!(
                "server.list_requests_per_minute and list_request_burst must be at least 1"
            );
        }
        if cfg.server.list_pages_per_minute == 0 || cfg.server.list_page_burst == 0 {
            anyhow::bail!("server.list_pages_per_minute and list_page_burst must be at least 1");
        }
        if cfg.retention.access_log_years < 5 {
            anyhow::bail!("retention.access_log_years must be at least 5 (NEN 7513)");
        }
        if cfg.retention.file_years < 1 {
            anyhow::bail!("retention.file_years must be at least 1");
        }
        Ok(cfg)
    }
}

/// The default key file for a database: `FILE.audit-key` beside a SQLite file, else
/// `nabij-audit.key`.
pub fn audit_key_beside(url: &str) -> std::path::PathBuf {
    let path = url
        .strip_prefix("sqlite:")
        .map(|p| p.trim_start_matches("//"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && !p.contains(":memory:"));
    match path {
        Some(p) => format!("{p}.audit-key").into(),
        None => "nabij-audit.key".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_a_file_overrides_one_setting() {
        let d: Config = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert_eq!(d.database.url, "sqlite:nabij.db");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("n.toml");
        std::fs::write(&f, "[server]\nlisten = \"0.0.0.0:9000\"\n").unwrap();
        let c = Config::load(Some(&f)).unwrap();
        assert_eq!(c.server.listen, "0.0.0.0:9000");
        assert_eq!(c.database.max_connections, 8);
        assert_eq!(
            audit_key_beside("sqlite:/var/lib/nabij/nabij.db?mode=rwc"),
            std::path::PathBuf::from("/var/lib/nabij/nabij.db.audit-key")
        );
        assert_eq!(
            audit_key_beside("postgres://u@h/d"),
            std::path::PathBuf::from("nabij-audit.key")
        );
        assert!(c.server.trusted_proxies.is_empty());
        assert_eq!(c.server.request_timeout_seconds, 60);
        std::fs::write(
            &f,
            "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n",
        )
        .unwrap();
        let c = Config::load(Some(&f)).unwrap();
        assert_eq!(c.server.trusted_proxies, ["10.0.0.0/8", "::1"]);
        std::fs::write(&f, "[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n").unwrap();
        assert!(Config::load(Some(&f)).is_err());
        std::fs::write(&f, "[serverr]\nlisten = \"x\"\n").unwrap();
        assert!(Config::load(Some(&f)).is_err());
        assert!(
            !format!(
                "{:?}",
                Database {
                    url: "postgres://a:secret@h/d".into(),
                    max_connections: 1
                }
            )
            .contains("secret")
        );
    }

    #[test]
    fn mail_is_off_until_a_relay_is_named_and_then_checked() {
        let d: Config = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert!(d.mail.settings().unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("n.toml");
        std::fs::write(
            &f,
            "[mail]\nhost = \"localhost\"\nfrom = \"Nabij <nabij@example.org>\"\n\
             base_url = \"https://nabij.example.org\"\npassword = \"geheim\"\nusername = \"nabij\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&f)).unwrap();
        let m = c.mail.settings().unwrap().unwrap();
        assert_eq!((m.host.as_str(), m.port), ("localhost", 25));
        assert_eq!(m.timeout, std::time::Duration::from_secs(10));
        assert!(!format!("{:?} {:?}", c.mail, m).contains("geheim"));
        std::fs::write(&f, "[mail]\nhost = \"localhost\"\nfrom = \"nabij\"\n").unwrap();
        assert!(Config::load(Some(&f)).is_err());
    }
}
