//! The `nabij` command: serve, demo, migrate, import, plan, user, audit, retention,
//! default-config.

pub mod api_keys;
pub mod config;
pub mod demo;
pub mod import;
pub mod plan;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use config::Config;
use nabij_app::{App, Caller, Clock, DatabaseSettings};
use nabij_domain::ids::OrganisationId;
use nabij_web::{Application, WebState};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "nabij",
    version,
    about = "Nabij: opvang in de eigen buurt — temporary housing in the own neighbourhood"
)]
pub struct Cli {
    /// Settings file (TOML); see `nabij default-config`.
    #[arg(long, global = true, env = "NABIJ_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web interface and the API.
    Serve,
    /// Create (or refresh) a demo database with its history and serve it.
    Demo {
        /// Where the demo goes: a SQLite file (replaced), `sqlite:PATH` or `postgres://…`.
        /// Default: `NABIJ_DATABASE_URL` when set, else `nabij-demo.db`.
        #[arg(long)]
        database: Option<String>,
        /// Only create the database, do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Seed of the demo history.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// How much: `regional` (two regions, two years), `national` (the whole country, five
        /// years) or `test` (small).
        #[arg(long, value_enum, default_value_t = demo::Scale::Regional)]
        scale: demo::Scale,
        /// Replace a database that already holds data (a file named with `--database` is
        /// always replaced). On PostgreSQL this drops every table in it.
        #[arg(long)]
        replace: bool,
    },
    /// Create the database if needed and apply the embedded migrations.
    Migrate,
    /// Print the default settings file, with every setting explained.
    DefaultConfig,
    /// Import data.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Capacity planning: Erlang B, simulation, sizing and calibration.
    Plan {
        #[command(subcommand)]
        command: plan::PlanCommand,
    },
    /// Accounts: create a user (the first administrator of a fresh installation).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The access log (NEN 7513).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// A consistent copy of the (SQLite) database while it serves; PostgreSQL: pg_dump.
    Backup {
        /// The new file for the copy; it must not exist yet.
        file: PathBuf,
    },
    /// Retention: anonymise files closed longer than the retention period, and remove
    /// access-log entries older than theirs.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user with a temporary password, printed once.
    Add {
        username: String,
        /// The name colleagues know them by.
        #[arg(long)]
        name: String,
        /// coordinator, professional, main_resident, buddy, partner or admin.
        #[arg(long)]
        role: String,
        /// Organisation id (default: the first provider).
        #[arg(long, default_value_t = 1)]
        organisation: i64,
        /// Where notices of new signals go (optional; see `[mail]`).
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Make a personal API key for a user, printed once (as under Account → API-sleutels).
    Token {
        username: String,
        /// What the key is for.
        #[arg(long)]
        name: String,
        /// Organisation id of the user's provider (default: the first provider).
        #[arg(long, default_value_t = 1)]
        organisation: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the keyed hash chain of the access log; report the first broken link.
    Verify {
        /// A checkpoint printed earlier by `nabij audit checkpoint`: prove the log still
        /// contains it (nothing removed or rolled back since).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Print the log's current position and hash (JSON) for an external witness to keep.
    Checkpoint,
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Anonymise closed files past the retention period (idempotent).
    Run {
        /// Only report what would be done.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportWhat {
    /// Municipalities and neighbourhoods (CBS codes, names, centroids) from a CSV file.
    Geography { file: PathBuf },
}

pub fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn open(cfg: &Config) -> Result<App> {
    let mut settings = DatabaseSettings::new(cfg.database.url.clone());
    settings.max_connections = cfg.database.max_connections;
    settings.audit_key_file = Some(cfg.audit_key_file());
    let app = App::open(&settings, Clock::system())
        .await
        .map(|app| app.with_guidance_settings(cfg.guidance.settings()))
        .with_context(|| {
            format!(
                "cannot open database {}",
                nabij_app::redact_url(&cfg.database.url)
            )
        })?;
    Ok(app
        .with_volunteer_settings(cfg.volunteers.settings()?)
        .with_outflow_settings(cfg.outflow.settings()?))
}

/// The system acting for a provider from the command line.
fn system(command: &str, provider: i64) -> Caller {
    Caller::system(command, OrganisationId(provider))
}

async fn serve(app: App, cfg: &Config) -> Result<()> {
    let listen = &cfg.server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let app = match cfg.mail.settings()? {
        Some(mail) => {
            tracing::info!(host = %mail.host, port = mail.port, "signal notices by e-mail");
            app.with_mail(mail)
        }
        None => app,
    };
    let mut state = WebState::new(app);
    state.escalation_every =
        std::time::Duration::from_secs(cfg.volunteers.escalation_every_seconds);
    state.auth.idle_minutes = cfg.auth.idle_minutes;
    state.auth.secure_cookies = cfg.auth.secure_cookies;
    state.auth.trusted_proxies =
        nabij_web::auth::parse_trusted_proxies(&cfg.server.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("server.trusted_proxies: {e}"))?;
    let secs = std::time::Duration::from_secs;
    state.server = nabij_web::server::ServerSettings {
        header_read_timeout: secs(cfg.server.header_read_timeout_seconds),
        body_read_timeout: secs(cfg.server.body_read_timeout_seconds),
        request_timeout: secs(cfg.server.request_timeout_seconds),
        list_requests_per_minute: cfg.server.list_requests_per_minute,
        list_request_burst: cfg.server.list_request_burst,
        list_pages_per_minute: cfg.server.list_pages_per_minute,
        list_page_burst: cfg.server.list_page_burst,
    };
    let server = Application::new(listener, state);
    println!("Nabij luistert op http://{listen}/ (stoppen met Ctrl-C)");
    server.run_until_stopped().await?;
    Ok(())
}

pub async fn run(cli: Cli) -> Result<()> {
    if let Command::DefaultConfig = cli.command {
        print!("{}", config::DEFAULT_CONFIG);
        return Ok(());
    }
    let cfg = Config::load(cli.config.as_deref())?;
    init_tracing(&cfg.log.filter);
    match cli.command {
        Command::DefaultConfig => unreachable!("handled above"),
        Command::Plan {
            command: plan::PlanCommand::Calibrate { out, organisation },
        } => {
            let app = open(&cfg).await?;
            let cal = nabij_app::capacity::calibrated(
                &app,
                &system("nabij plan calibrate", organisation),
            )
            .await?;
            let json = cal.scenario.to_json();
            eprintln!(
                "Gekalibreerd op {} dagen geschiedenis: {} aanmeldingen, {} verblijven ({} nog niet uitstroomklaar), \
                 {} keer uitstroom na wachten.",
                cal.days_observed, cal.referrals, cal.stays, cal.censored, cal.outflow_exits
            );
            eprintln!(
                "Uitstroomaanbod: {}",
                match cal.outflow_offers {
                    Some(n) => format!("uit {n} echte woningaanbiedingen en omklappen"),
                    None => "geschat uit uitstroom na wachten".into(),
                }
            );
            match out {
                Some(path) => {
                    std::fs::write(&path, json + "\n")
                        .with_context(|| format!("kan {} niet schrijven", path.display()))?;
                    eprintln!("Scenario geschreven naar {}.", path.display());
                }
                None => println!("{json}"),
            }
            Ok(())
        }
        Command::Plan { command } => tokio::task::block_in_place(|| plan::run(command)),
        Command::Serve => serve(open(&cfg).await?, &cfg).await,
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    name,
                    role,
                    organisation,
                    email,
                },
        } => {
            if nabij_domain::access::Role::parse(&role).is_none() {
                bail!(
                    "onbekende rol {role}: kies coordinator, professional, main_resident, buddy, partner of admin"
                );
            }
            let app = open(&cfg).await?;
            let organisation = OrganisationId(organisation);
            let provider = nabij_app::accounts::provider_of(&app, organisation)
                .await
                .with_context(|| format!("organisatie {organisation} bestaat niet"))?;
            let input = nabij_app::accounts::NewUserInput {
                username,
                display_name: name,
                phone: String::new(),
                email,
                role,
                organisation_id: Some(organisation.0),
                password_is_final: false,
            };
            let caller = Caller::system("nabij user add", provider);
            let (_, username, password) = nabij_app::accounts::create_user(&app, &caller, &input)
                .await
                .map_err(cli_error)?;
            println!("Gebruiker {username} aangemaakt. Tijdelijk wachtwoord: {password}");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Token {
                    username,
                    name,
                    organisation,
                },
        } => {
            let key = api_keys::create(&open(&cfg).await?, organisation, &username, &name).await?;
            println!("{key}");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { checkpoint },
        } => {
            let app = open(&cfg).await?;
            let checkpoint = match checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("kan {} niet lezen", path.display()))?;
                    Some(
                        serde_json::from_str::<nabij_app::audit::Checkpoint>(&text)
                            .with_context(|| format!("{} is geen controlepunt", path.display()))?,
                    )
                }
                None => None,
            };
            let check = nabij_app::audit::verify(&app, checkpoint.as_ref())
                .await
                .map_err(cli_error)?;
            match check.first_broken {
                None => {
                    println!(
                        "Toegangslog in orde: {} regels, keten ongebroken{}.",
                        check.entries,
                        if checkpoint.is_some() {
                            ", controlepunt gevonden"
                        } else {
                            ""
                        }
                    );
                    Ok(())
                }
                Some(seq) => bail!(
                    "toegangslog gebroken bij regel {seq} (na {} goede regels): {}",
                    check.entries,
                    check
                        .reason
                        .as_deref()
                        .unwrap_or("gewijzigd, verwijderd of ingevoegd")
                ),
            }
        }
        Command::Audit {
            command: AuditCommand::Checkpoint,
        } => {
            let app = open(&cfg).await?;
            let cp = nabij_app::audit::checkpoint(&app).await?;
            println!("{}", serde_json::to_string(&cp)?);
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => {
            let app = open(&cfg).await?;
            let r = nabij_app::audit::retention(
                &app,
                &system("nabij retention run", 1),
                cfg.retention.file_years,
                cfg.retention.access_log_years,
                dry_run,
            )
            .await?;
            if dry_run {
                println!(
                    "Proef: {} dossier(s) gesloten vóór {} zouden worden geanonimiseerd; toegangslog vóór {} zou worden opgeschoond.",
                    r.files, r.cutoff, r.log_cutoff
                );
                return Ok(());
            }
            println!(
                "{} dossier(s) geanonimiseerd (gesloten vóór {}); {} regel(s) van het toegangslog ouder dan {} jaar verwijderd.",
                r.anonymised, r.cutoff, r.purged, cfg.retention.access_log_years
            );
            Ok(())
        }
        Command::Backup { file } => {
            let app = open(&cfg).await?;
            nabij_app::backup::backup(&app, &system("nabij backup", 1), &file)
                .await
                .map_err(cli_error)?;
            println!(
                "Reservekopie geschreven naar {}. Bewaar de sleutel van het toegangslog ({}) apart.",
                file.display(),
                cfg.audit_key_file().display()
            );
            Ok(())
        }
        Command::Migrate => {
            let app = open(&cfg).await?;
            println!(
                "Database bijgewerkt: {}",
                app.applied_migrations().await?.join(", ")
            );
            Ok(())
        }
        Command::Demo {
            database,
            no_serve,
            seed,
            scale,
            replace,
        } => {
            let target = DemoTarget::of(database, &cfg);
            let settings = target.prepare(replace).await?;
            let started = std::time::Instant::now();
            let s = {
                let clock = Clock::fixed(jiff::Timestamp::now());
                let app = App::open(&settings, clock).await?;
                demo::seed_scale(&app, seed, scale).await?
            };
            println!(
                "Demodatabase {}: {} gemeenten, {} huizen, {} aanmeldingen, {} verblijven waarvan {} lopend.",
                target.shown(),
                s.municipalities,
                s.homes,
                s.referrals,
                s.stays,
                s.active_stays
            );
            if s.persons > 0 {
                println!(
                    "{} personen, {} plekken; gemaakt in {} s.",
                    s.persons,
                    s.places,
                    started.elapsed().as_secs()
                );
            }
            if let Some(key) = &settings.audit_key_file {
                println!("Sleutel van het toegangslog: {}", key.display());
            }
            println!("Plaatsgegevens: GeoNames (https://www.geonames.org), CC BY 4.0.");
            println!("Demo-accounts (één per rol):");
            for (role, username, password) in &s.users {
                println!(
                    "  {:<14} gebruikersnaam {username:<13} wachtwoord {password}",
                    nabij_domain::labels::Label::label(role)
                );
            }
            println!(
                "De beheerder stelt bij de eerste keer inloggen een tweede factor in (authenticator-app)."
            );
            println!(
                "De cliënt logt in met de eenmalige code en kiest dan een eigen wachtwoord (pagina Mijn verblijf)."
            );
            if no_serve {
                return Ok(());
            }
            let app = App::open(&settings, Clock::system())
                .await?
                .with_guidance_settings(cfg.guidance.settings())
                .with_outflow_settings(cfg.outflow.settings()?);
            serve(app, &cfg).await
        }
        Command::Import {
            what: ImportWhat::Geography { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("kan {} niet lezen", file.display()))?;
            let rows = match import::parse_geography(&text) {
                Ok(rows) => rows,
                Err(errors) => {
                    for e in errors.iter().take(50) {
                        eprintln!("{}: {e}", file.display());
                    }
                    if errors.len() > 50 {
                        eprintln!("… en nog {} fouten", errors.len() - 50);
                    }
                    bail!(
                        "niets geïmporteerd: {} fout(en) in {}",
                        errors.len(),
                        file.display()
                    );
                }
            };
            let app = open(&cfg).await?;
            match nabij_app::geography::import(&app, &system("nabij import geography", 1), &rows)
                .await
            {
                Ok(s) => {
                    println!(
                        "Geïmporteerd: gemeenten {} nieuw, {} bijgewerkt; buurten {} nieuw, {} bijgewerkt.",
                        s.municipalities_added,
                        s.municipalities_updated,
                        s.neighbourhoods_added,
                        s.neighbourhoods_updated
                    );
                    Ok(())
                }
                Err(nabij_app::AppError::BadRequest(m)) => bail!("niets geïmporteerd: {m}"),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// Where `nabij demo` writes.
struct DemoTarget {
    url: String,
    /// A SQLite file named with `--database`: the demo's own, replaced without asking.
    own_file: bool,
    key_file: PathBuf,
}

impl DemoTarget {
    fn of(database: Option<String>, cfg: &Config) -> DemoTarget {
        let env_url = std::env::var("NABIJ_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let (url, own_file) = match database {
            Some(d) if d.contains("://") || d.starts_with("sqlite:") => (d, false),
            Some(path) => (format!("sqlite:{path}"), true),
            None => match env_url {
                Some(u) => (u, false),
                None => ("sqlite:nabij-demo.db".to_string(), true),
            },
        };
        // A demo file gets a fresh key beside it; elsewhere the key is where `serve` looks.
        let key_file = if own_file || cfg.audit.key_file.is_empty() {
            config::audit_key_beside(&url)
        } else {
            PathBuf::from(&cfg.audit.key_file)
        };
        DemoTarget {
            url,
            own_file,
            key_file,
        }
    }

    fn shown(&self) -> String {
        match self.sqlite_file() {
            Some(f) if self.own_file => f.display().to_string(),
            _ => nabij_app::redact_url(&self.url),
        }
    }

    fn sqlite_file(&self) -> Option<PathBuf> {
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or("");
        (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
    }

    /// Makes the database ready for the demo: a demo file is replaced; any other database
    /// must be fresh, or is emptied with `replace`.
    async fn prepare(&self, replace: bool) -> Result<DatabaseSettings> {
        let mut settings = DatabaseSettings::new(self.url.clone());
        let file = self.sqlite_file();
        let empty = if self.own_file {
            false
        } else {
            match &file {
                Some(f) if !f.exists() => true,
                _ => {
                    // Looked at without the key: the check must not depend on it.
                    let app = App::open(&settings, Clock::system())
                        .await
                        .with_context(|| format!("cannot open database {}", self.shown()))?;
                    let sys = system("nabij demo", 1);
                    let fresh = nabij_app::seed::is_fresh(&app, &sys).await?;
                    if !fresh && replace && file.is_none() {
                        nabij_app::seed::drop_everything(&app, &sys).await?;
                    }
                    drop(app);
                    fresh
                }
            }
        };
        if !empty && !self.own_file && !replace {
            bail!(
                "{} bevat al gegevens; de demo schrijft alleen in een lege database. \
                 Gebruik --replace om alles erin te vervangen (contains data: use --replace to replace it).",
                self.shown()
            );
        }
        if let Some(file) = file.filter(|_| !empty) {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = file.clone().into_os_string();
                p.push(suffix);
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e)
                            .with_context(|| format!("cannot replace {}", file.display()));
                    }
                }
            }
            // The demo's key was for the file it replaced.
            match std::fs::remove_file(&self.key_file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot replace {}", self.key_file.display()));
                }
            }
        }
        settings.audit_key_file = Some(self.key_file.clone());
        Ok(settings)
    }
}

/// A use case's refusal as a command-line message.
fn cli_error(e: nabij_app::AppError) -> anyhow::Error {
    match e {
        nabij_app::AppError::Invalid(v) => anyhow::anyhow!(
            "{}",
            v.iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => other.into(),
    }
}
