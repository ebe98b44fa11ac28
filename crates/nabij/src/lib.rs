//! The `nabij` command: serve, demo, migrate, import, plan, user, audit, retention,
//! default-config.

pub mod config;
pub mod demo;
pub mod import;
pub mod plan;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use config::Config;
use nabij_store::{Db, DbOptions};
use nabij_web::{AppState, Application, Clock};
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
    /// Create (or refresh) a demo database with two years of history and serve it.
    Demo {
        /// Where the demo database goes; it is replaced.
        #[arg(long, default_value = "nabij-demo.db")]
        database: PathBuf,
        /// Only create the database, do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Seed of the demo history.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
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
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the hash chain of the access log; report the first broken link.
    Verify,
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

async fn connect(cfg: &Config) -> Result<Db> {
    let mut opts = DbOptions::new(cfg.database.url.clone());
    opts.max_connections = cfg.database.max_connections;
    Db::connect(&opts).await.with_context(|| {
        format!(
            "cannot open database {}",
            nabij_store::redact_url(&cfg.database.url)
        )
    })
}

async fn serve(db: Db, cfg: &Config) -> Result<()> {
    let listen = &cfg.server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let mut state = AppState::new(db, Clock::system());
    state.auth.idle_minutes = cfg.auth.idle_minutes;
    state.auth.secure_cookies = cfg.auth.secure_cookies;
    let app = Application::new(listener, state);
    println!("Nabij luistert op http://{listen}/ (stoppen met Ctrl-C)");
    app.run_until_stopped().await?;
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
            let db = connect(&cfg).await?;
            let today = Clock::system().today();
            let cal = nabij_web::capacity::calibrated(&db, organisation, today).await?;
            let json = cal.scenario.to_json();
            eprintln!(
                "Gekalibreerd op {} dagen geschiedenis: {} aanmeldingen, {} verblijven ({} nog niet uitstroomklaar), \
                 {} keer uitstroom na wachten.",
                cal.days_observed, cal.referrals, cal.stays, cal.censored, cal.outflow_exits
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
        Command::Serve => serve(connect(&cfg).await?, &cfg).await,
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    name,
                    role,
                    organisation,
                },
        } => {
            let db = connect(&cfg).await?;
            let Some(role) = nabij_domain::access::Role::parse(&role) else {
                bail!(
                    "onbekende rol {role}: kies coordinator, professional, main_resident, buddy, partner of admin"
                );
            };
            db.organisation(organisation)
                .await
                .with_context(|| format!("organisatie {organisation} bestaat niet"))?;
            let password = nabij_web::auth::secrets::temporary_password();
            db.create_user(
                &nabij_store::accounts::NewUser {
                    organisation_id: organisation,
                    username: username.trim().to_lowercase(),
                    display_name: name,
                    phone: None,
                    role,
                    password_hash: nabij_web::auth::secrets::hash_password(&password),
                },
                jiff::Timestamp::now(),
            )
            .await?;
            println!("Gebruiker {username} aangemaakt. Tijdelijk wachtwoord: {password}");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = connect(&cfg).await?;
            let check = db.verify_access_log().await?;
            match check.first_broken {
                None => {
                    println!(
                        "Toegangslog in orde: {} regels, keten ongebroken.",
                        check.entries
                    );
                    Ok(())
                }
                Some(seq) => bail!(
                    "toegangslog gebroken bij regel {seq} (na {} goede regels): gewijzigd, verwijderd of ingevoegd",
                    check.entries
                ),
            }
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => {
            let db = connect(&cfg).await?;
            let now = jiff::Timestamp::now();
            let today = Clock::system().today();
            let cutoff = today.saturating_sub(jiff::ToSpan::years(cfg.retention.file_years));
            let persons = db.closed_files_before(cutoff).await?;
            let log_cutoff =
                now - jiff::SignedDuration::from_hours(24 * 366 * cfg.retention.access_log_years);
            if dry_run {
                println!(
                    "Proef: {} dossier(s) gesloten vóór {cutoff} zouden worden geanonimiseerd; toegangslog vóór {} zou worden opgeschoond.",
                    persons.len(),
                    nabij_store::ts_text(log_cutoff)
                );
                return Ok(());
            }
            let actor = nabij_store::audit::Actor::system("nabij retention run", now);
            let mut done = 0;
            for p in &persons {
                if db.anonymise(*p, &actor).await? {
                    done += 1;
                }
            }
            let purged = db.purge_access_log(log_cutoff).await?;
            println!(
                "{done} dossier(s) geanonimiseerd (gesloten vóór {cutoff}); {purged} regel(s) van het toegangslog ouder dan {} jaar verwijderd.",
                cfg.retention.access_log_years
            );
            Ok(())
        }
        Command::Migrate => {
            let db = connect(&cfg).await?;
            println!(
                "Database bijgewerkt: {}",
                db.applied_migrations().await?.join(", ")
            );
            Ok(())
        }
        Command::Demo {
            database,
            no_serve,
            seed,
        } => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = database.clone().into_os_string();
                p.push(suffix);
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e)
                            .with_context(|| format!("cannot replace {}", database.display()));
                    }
                }
            }
            let url = format!("sqlite:{}", database.display());
            let db = Db::connect(&DbOptions::new(url)).await?;
            let s = demo::seed(&db, jiff::Timestamp::now(), seed).await?;
            println!(
                "Demodatabase {}: {} gemeenten, {} huizen, {} aanmeldingen, {} verblijven waarvan {} lopend.",
                database.display(),
                s.municipalities,
                s.homes,
                s.referrals,
                s.stays,
                s.active_stays
            );
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
            if no_serve {
                return Ok(());
            }
            serve(db, &cfg).await
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
            let db = connect(&cfg).await?;
            match db.import_geography(&rows).await {
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
                Err(nabij_store::StoreError::Invalid(m)) => bail!("niets geïmporteerd: {m}"),
                Err(e) => Err(e.into()),
            }
        }
    }
}
