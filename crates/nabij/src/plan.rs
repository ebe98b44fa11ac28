//! `nabij plan`: the capacity planner on the command line.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use nabij_planner::erlang::{erlang_b, fewest_places, fixed_point_of};
use nabij_planner::size::size;
use nabij_planner::{Estimate, Measures, Report, RunOptions, Scenario, simulate};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// Erlang B: the share of newcomers who find every place taken, and the fewest places
    /// for a target.
    Erlang {
        /// Offered load: newcomers per day × mean stay in days.
        #[arg(
            long,
            required_unless_present = "scenario",
            conflicts_with = "scenario"
        )]
        load: Option<f64>,
        /// Instead of one load: every municipality of a scenario, alone and with overflow
        /// (the Erlang fixed-point approximation).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Places; prints the loss probability.
        #[arg(long)]
        places: Option<u32>,
        /// Target share, such as 0.05 or 5%; prints the fewest places that meet it.
        #[arg(long, value_parser = parse_share)]
        target: Option<f64>,
    },
    /// Simulate a scenario file (such as ring20.json) and print the results per municipality.
    Simulate {
        #[arg(long)]
        scenario: PathBuf,
        /// Print the full results as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Replications (default: the scenario's).
        #[arg(long)]
        replications: Option<u32>,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Threads; 0 uses every core. The result does not depend on it.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Extra outflow homes per year for the whole network; prints the effect next to
        /// the scenario as it is.
        #[arg(long)]
        extra_outflow: Option<f64>,
    },
    /// The fewest added places such that no municipality has more than the target share of
    /// newcomers without a place in their own municipality.
    Size {
        #[arg(long)]
        scenario: PathBuf,
        /// Target share, such as 0.05 or 5%.
        #[arg(long, value_parser = parse_share, default_value = "0.05")]
        target: f64,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        replications: Option<u32>,
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Estimate a scenario from the database's history and write it as JSON.
    Calibrate {
        /// Where to write the scenario; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The organisation whose network to calibrate (default: the first provider).
        #[arg(long, default_value_t = 1)]
        organisation: i64,
    },
}

/// A share written as `0.05` or `5%`.
pub fn parse_share(raw: &str) -> std::result::Result<f64, String> {
    let raw = raw.trim().replace(',', ".");
    let share = match raw.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
        None => raw.parse::<f64>(),
    }
    .map_err(|_| format!("{raw:?} is geen aandeel; schrijf bijvoorbeeld 0.05 of 5%"))?;
    if share > 0.0 && share < 1.0 {
        Ok(share)
    } else {
        Err("een doel ligt tussen 0 en 1 (0% en 100%)".into())
    }
}

pub fn read_scenario(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("kan {} niet lezen", path.display()))?;
    Scenario::from_json(&text).with_context(|| format!("scenario {}", path.display()))
}

/// Draws a progress bar on the terminal; silent when standard error is not a terminal.
struct Progress {
    total: u32,
    what: &'static str,
    draw: bool,
}

impl Progress {
    fn new(total: u32, what: &'static str) -> Self {
        Progress {
            total,
            what,
            draw: std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self, done: u32) {
        if !self.draw {
            return;
        }
        let width = 30;
        let filled = (done as usize * width) / self.total.max(1) as usize;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {done}/{}",
            self.what,
            "#".repeat(filled.min(width)),
            " ".repeat(width - filled.min(width)),
            self.total
        );
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.draw {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}

fn dutch(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

fn pct(e: Estimate) -> String {
    if e.mean.is_nan() {
        "—".into()
    } else {
        format!(
            "{}±{}",
            dutch(e.mean * 100.0, 1),
            dutch(e.half_width * 100.0, 1)
        )
    }
}

fn num(e: Estimate, decimals: usize) -> String {
    if e.mean.is_nan() {
        "—".into()
    } else {
        format!(
            "{}±{}",
            dutch(e.mean, decimals),
            dutch(e.half_width, decimals)
        )
    }
}

/// Rows as columns: the first left-aligned, the rest right-aligned.
fn align(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = " ".repeat(widths[i] - c.chars().count());
                    if i == 0 {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect()
}

/// The results as a table: one row per municipality, the central shelter and the total.
pub fn table(report: &Report, with_outflow: bool) -> String {
    let mut header = vec![
        "gemeente",
        "plekken",
        "eigen %",
        "uitgeweken %",
        "centraal %",
        "geen plek %",
        "bezetting",
        "benutting %",
        "tijd vol %",
    ];
    if with_outflow {
        header.extend(["verblijf d", ">6 mnd %", "wachten d"]);
    }
    let row = |name: &str, places: u32, m: &Measures<Estimate>| {
        let mut r = vec![
            name.to_owned(),
            places.to_string(),
            pct(m.own),
            pct(m.overflowed),
            pct(m.central),
            pct(m.no_place),
            num(m.occupancy, 1),
            pct(m.utilisation),
            pct(m.time_full),
        ];
        if with_outflow {
            r.extend([
                num(m.mean_stay, 0),
                pct(m.over_six_months),
                num(m.waiting_days, 0),
            ]);
        }
        r
    };
    let mut rows: Vec<Vec<String>> = report
        .areas
        .iter()
        .map(|a| row(&a.name, a.places, &a.measures))
        .collect();
    if let Some(c) = &report.central {
        rows.push(row("centrale opvang", c.places, &c.measures));
    }
    rows.push(row("totaal", report.total.places, &report.total.measures));
    let mut lines = align(
        &std::iter::once(header.iter().map(|h| h.to_string()).collect())
            .chain(rows)
            .collect::<Vec<_>>(),
    );
    let rule = "-".repeat(lines[0].chars().count());
    let last = lines.len() - 1;
    lines.insert(last, rule.clone());
    lines.insert(1, rule);
    lines.join("\n") + "\n"
}

fn options(
    scenario: &Scenario,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: usize,
) -> RunOptions {
    RunOptions {
        replications: replications.unwrap_or(scenario.run.replications),
        seed: seed.unwrap_or(scenario.run.seed),
        threads,
    }
}

fn run_with_progress(scenario: &Scenario, options: RunOptions) -> Result<(Report, f64)> {
    let net = scenario.network().context("het scenario klopt niet")?;
    let progress = Progress::new(options.replications, "simuleren");
    let started = Instant::now();
    let report = simulate(&net, options, &|done| progress.tick(done));
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    Ok((report, seconds))
}

pub fn run(command: PlanCommand) -> Result<()> {
    match command {
        PlanCommand::Erlang {
            scenario: Some(path),
            ..
        } => {
            let scenario = read_scenario(&path)?;
            let net = scenario.network().context("het scenario klopt niet")?;
            let mean = net.los.capped_mean();
            println!(
                "{}: Erlang B per gemeente, en met uitwijken als BENADERING (Erlang fixed point, \
                 uitwijkverkeer behandeld als Poisson; de simulatie is de maatstaf).\n",
                scenario.name
            );
            let shares = fixed_point_of(&net);
            let mut rows = vec![vec![
                "gemeente".to_owned(),
                "aanbod".into(),
                "plekken".into(),
                "vol, alleen %".into(),
                "≈ eigen %".into(),
                "≈ uitgeweken %".into(),
                "≈ geen plek %".into(),
            ]];
            for (a, s) in net.areas.iter().zip(&shares) {
                let load = a.lambda * mean;
                rows.push(vec![
                    a.name.clone(),
                    dutch(load, 2),
                    a.places.to_string(),
                    dutch(erlang_b(load, a.places) * 100.0, 1),
                    dutch(s.own * 100.0, 1),
                    dutch(s.overflowed * 100.0, 1),
                    dutch(s.no_place * 100.0, 1),
                ]);
            }
            println!("{}", align(&rows).join("\n"));
            Ok(())
        }
        PlanCommand::Erlang {
            load,
            places,
            target,
            ..
        } => {
            let load = load.expect("clap requires --load without --scenario");
            if !(load.is_finite() && load >= 0.0) {
                bail!("het aanbod (--load) moet een getal ≥ 0 zijn");
            }
            if places.is_none() && target.is_none() {
                bail!("geef --places (kans op vol) of --target (minste plekken), of beide");
            }
            if let Some(c) = places {
                let b = erlang_b(load, c);
                println!(
                    "Erlang B, aanbod {} en {c} plekken: {b:.6} — {}% van de nieuwkomers vindt alles vol",
                    dutch(load, 3),
                    dutch(b * 100.0, 2)
                );
            }
            if let Some(t) = target {
                let c = fewest_places(load, t).expect("target checked by the parser");
                println!(
                    "Minste plekken voor hoogstens {}% vol bij aankomst: {c} (dan {}%)",
                    dutch(t * 100.0, 2),
                    dutch(erlang_b(load, c) * 100.0, 2)
                );
            }
            Ok(())
        }
        PlanCommand::Simulate {
            scenario: path,
            json,
            replications,
            seed,
            threads,
            extra_outflow,
        } => {
            let scenario = read_scenario(&path)?;
            let options = options(&scenario, replications, seed, threads);
            let (report, seconds) = run_with_progress(&scenario, options)?;
            let variant = match extra_outflow {
                None => None,
                Some(extra) => {
                    if !(extra.is_finite() && extra >= 0.0) {
                        bail!("--extra-outflow moet een aantal woningen per jaar ≥ 0 zijn");
                    }
                    let mut more = scenario.clone();
                    match more.outflow.as_mut() {
                        Some(o)
                            if more
                                .municipalities
                                .iter()
                                .any(|m| m.outflow_per_year.is_some()) =>
                        {
                            o.extra_per_year += extra
                        }
                        _ => bail!(
                            "dit scenario kent geen tekort aan uitstroomwoningen (geen outflow_per_year); \
                             extra uitstroom verandert er niets aan"
                        ),
                    }
                    Some(run_with_progress(&more, options)?.0)
                }
            };
            if json {
                let value = match &variant {
                    None => serde_json::to_value(&report)?,
                    Some(v) => serde_json::json!({ "scenario": report, "with_extra_outflow": v }),
                };
                println!("{}", serde_json::to_string_pretty(&value)?);
                return Ok(());
            }
            let with_outflow = scenario.outflow.is_some();
            println!(
                "{}: {} replicaties van {} dagen ({} dagen inloop), seed {}",
                scenario.name,
                report.replications,
                report.horizon_days,
                report.warmup_days,
                options.seed
            );
            println!("Aandelen van de nieuwkomers per eigen gemeente, met 95%-marge.\n");
            print!("{}", table(&report, with_outflow));
            if let Some(v) = &variant {
                println!(
                    "\nMet {} extra uitstroomwoningen per jaar:\n",
                    dutch(extra_outflow.unwrap_or(0.0), 1)
                );
                print!("{}", table(v, with_outflow));
            }
            println!(
                "\n{} gebeurtenissen (aankomsten en vertrekken) in {} s: {} miljoen per seconde.",
                report.events,
                dutch(seconds, 3),
                dutch(report.events as f64 / seconds / 1e6, 1)
            );
            Ok(())
        }
        PlanCommand::Size {
            scenario: path,
            target,
            json,
            replications,
            threads,
        } => {
            let scenario = read_scenario(&path)?;
            let net = scenario.network().context("het scenario klopt niet")?;
            let options = options(&scenario, replications, None, threads);
            let progress = std::io::stderr().is_terminal();
            let sizing = size(&net, target, options, &|n| {
                if progress {
                    eprint!("\rzoeken: {n} doorrekeningen");
                }
            })?;
            if progress {
                eprint!("\r{}\r", " ".repeat(40));
            }
            if json {
                let areas: Vec<_> = scenario
                    .municipalities
                    .iter()
                    .zip(sizing.before.iter().zip(&sizing.after))
                    .map(|(m, (b, a))| serde_json::json!({ "id": m.id, "places": b, "needed": a }))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "target": target,
                        "reached": sizing.reached,
                        "added": sizing.added(),
                        "areas": areas,
                        "report": sizing.report,
                    }))?
                );
                return Ok(());
            }
            if sizing.reached {
                println!(
                    "Met {} plekken erbij heeft elke gemeente hoogstens {}% nieuwkomers zonder plek in de eigen gemeente.",
                    sizing.added(),
                    dutch(target * 100.0, 1)
                );
            } else {
                println!(
                    "Ook met {} plekken erbij haalt niet elke gemeente het doel van {}%; de zoektocht is gestopt.",
                    sizing.added(),
                    dutch(target * 100.0, 1)
                );
            }
            for (m, (b, a)) in scenario
                .municipalities
                .iter()
                .zip(sizing.before.iter().zip(&sizing.after))
            {
                if a > b {
                    println!("  {}: {b} → {a}", m.label());
                }
            }
            println!();
            print!("{}", table(&sizing.report, scenario.outflow.is_some()));
            Ok(())
        }
        PlanCommand::Calibrate { .. } => {
            unreachable!("calibration needs the database; see run_calibrate")
        }
    }
}
