//! Nabij's use cases: the one door from the pages, the API and the command line to the data.
//!
//! One module per area. Each owns three things: its use cases, its need-to-know policy
//! (who may see which record, which fields a role gets, what a partner may see under
//! consent) and the view models it returns. Use cases take a [`Caller`] (who asks, in which
//! role, for which organisation, from where) and never an HTTP type; they read the time
//! from the [`Clock`] the [`App`] was made with, so the demo and the tests can run them at
//! any moment. The database handle is private to this crate: `web` and the binary do not
//! depend on `nabij-store`, so the compiler keeps every rule behind this door.
//!
//! A new area is one module here and one folder in `web`.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod buddies;
mod caller;
pub mod capacity;
pub mod client;
pub mod clock;
pub mod dashboard;
mod error;
pub mod geography;
pub mod guidance;
pub mod homes;
pub mod intake;
pub mod jobs;
pub mod mail;
pub mod outflow;
pub mod partners;
pub mod persons;
pub mod reports;
pub mod secrets;
pub mod seed;
pub mod signals;
pub mod stays;
pub mod totp;
pub mod volunteer_measures;
pub mod volunteers;

pub use caller::Caller;
pub use clock::Clock;
pub use error::AppError;
pub use nabij_domain::dates::parse_date;

use nabij_store::{Db, DbOptions};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Where the data lives: `sqlite:PATH` (the default) or `postgres://…`.
#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    /// The file with the key of the access log's chain, kept outside the database; made at
    /// first start.
    pub audit_key_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl DatabaseSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            audit_key_file: None,
        }
    }
}

/// Hides the password in a database URL, for logs and errors.
pub fn redact_url(url: &str) -> String {
    nabij_store::redact_url(url)
}

/// The application: the data behind its use cases, and the clocks they read.
#[derive(Clone)]
pub struct App {
    db: Db,
    clock: Clock,
    /// Sessions, sign-in throttling and one-time codes run on real time, also when the
    /// clock of the domain is set (tests, the demo's history).
    session_clock: Clock,
    planner_cache: capacity::Cache,
    report_cache: reports::Cache,
    guidance: guidance::Settings,
    settings: VolunteerSettings,
    /// Where signal notices go by e-mail, when `[mail]` is configured.
    outbox: Option<mail::Outbox>,
    outflow: outflow::Settings,
}

/// The policies of signals and buddies (`[volunteers]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolunteerSettings {
    /// How long a signal of each urgency may wait for an acknowledgement.
    pub norms: nabij_domain::signal::Norms,
    /// Years a VOG certificate counts.
    pub vog_years: u8,
    /// Default weeks between check-ins of a match.
    pub check_in_weeks: u8,
}

impl Default for VolunteerSettings {
    fn default() -> Self {
        VolunteerSettings {
            norms: nabij_domain::signal::Norms::default(),
            vog_years: nabij_domain::buddy::VOG_YEARS,
            check_in_weeks: nabij_domain::buddy::CHECK_IN_WEEKS,
        }
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    /// The application over an open database.
    pub fn new(db: Db, clock: Clock) -> Self {
        App {
            db,
            clock,
            session_clock: Clock::system(),
            planner_cache: capacity::Cache::default(),
            report_cache: reports::Cache::default(),
            guidance: guidance::Settings::default(),
            settings: VolunteerSettings::default(),
            outbox: None,
            outflow: outflow::Settings::default(),
        }
    }

    /// The same application sending signal notices by e-mail through this relay. Starts
    /// the sender on the current Tokio runtime.
    pub fn with_mail(mut self, settings: mail::MailSettings) -> Self {
        self.outbox = Some(mail::Outbox::start(settings));
        self
    }

    /// The same application computing every report afresh (benchmarks state the figures
    /// without the kept reports too).
    pub fn without_report_cache(mut self) -> Self {
        self.report_cache = reports::Cache::disabled();
        self
    }

    /// The same application with these policies for signals and buddies.
    pub fn with_volunteer_settings(mut self, settings: VolunteerSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Opens the database (creating a SQLite file when missing) and applies the embedded
    /// migrations.
    pub async fn open(settings: &DatabaseSettings, clock: Clock) -> Result<App> {
        let mut opts = DbOptions::new(settings.url.clone());
        opts.max_connections = settings.max_connections;
        if let Some(file) = &settings.audit_key_file {
            opts = opts.with_audit_key(nabij_store::audit::AuditKey::load_or_create(file)?);
        }
        let db = Db::connect(&opts).await?;
        Ok(App::new(db, clock))
    }

    /// The same application with another clock for sessions and one-time codes.
    pub fn with_session_clock(mut self, clock: Clock) -> Self {
        self.session_clock = clock;
        self
    }

    /// The same application with other settings for guidance (access after an episode,
    /// the ZRM interval).
    pub fn with_guidance_settings(mut self, settings: guidance::Settings) -> Self {
        self.guidance = settings;
        self
    }

    /// The same application with other numbers for outflow (rent months before a flip,
    /// the omklapwoning's maximum stay, aftercare after a flip).
    pub fn with_outflow_settings(mut self, settings: outflow::Settings) -> Self {
        self.outflow = settings;
        self
    }

    /// The numbers of the outflow area in use.
    pub fn outflow_settings(&self) -> outflow::Settings {
        self.outflow
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn session_clock(&self) -> &Clock {
        &self.session_clock
    }

    /// The migrations applied to the database, oldest first; fails when it is unreachable.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        Ok(self.db.applied_migrations().await?)
    }

    /// Whether the database is reachable and has exactly the migrations this build brings:
    /// `Err` says in a line what is not ready.
    pub async fn ready(&self) -> std::result::Result<(), String> {
        let applied = self.db.applied_migrations().await.map_err(|e| {
            tracing::error!(error = %e, "readiness check failed");
            "database unavailable".to_owned()
        })?;
        let embedded = Db::embedded_migrations();
        if applied
            .iter()
            .map(String::as_str)
            .eq(embedded.iter().copied())
        {
            Ok(())
        } else {
            Err(format!(
                "migrations not current: applied {}, this build has {}",
                applied.len(),
                embedded.len()
            ))
        }
    }

    /// Connections of the database pools: (pool, open, idle).
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        self.db.pool_stats()
    }

    /// The access-log actor for `caller`, now.
    fn actor(&self, caller: &Caller) -> nabij_store::audit::Actor {
        caller.actor(self.clock.now())
    }
}

/// Keeps a valid value, or records why it is not.
pub(crate) fn take<T>(
    errors: &mut Vec<nabij_domain::RuleViolation>,
    r: std::result::Result<T, nabij_domain::RuleViolation>,
) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// A trimmed, non-empty text, or `None`.
pub(crate) fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
