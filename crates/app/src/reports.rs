//! Reports: the measures of domain.md §7 over a period, for the organisation's own network
//! or one municipality of it, by municipality, kind of home, home and month.
//!
//! **The rule of this area:** reports are aggregates for coordinators and administrators;
//! they name no one. The internal pages show exact counts; everything exported or served
//! through the API is suppressed ("<5"). An export is an access-log entry without a person.
//!
//! Reports run through a bounded runner: at most one per core at a time, a short queue
//! behind them, and beyond it a Dutch "try again" (503). Their SQL runs on the read pool,
//! their adding-up on the blocking pool, so a report never delays a placement or a page.

use crate::{App, AppError, Caller, Result};
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory, Role};
use nabij_domain::home::HomeKind;
use nabij_domain::labels::Label;
use nabij_domain::measures::{
    At, Facts, HomeInfo, MEASURES, Tally, measure_cells, place_nights, tally, tally_with,
};
use nabij_domain::page::{Cursor, Page, PageRequest};
use nabij_domain::period::{Month, Period, Preset};
use nabij_domain::table::{Cell, Table};
use nabij_store::reports::{FactScope, ReportHome};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::Semaphore;

pub use nabij_domain::measures::Measure;

/// What a report is asked for, as typed in the form or the API query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportQuery {
    /// `deze-maand`, `12-maanden`, `24-maanden`, `jaar-YYYY`; ignored when from/to given.
    pub preset: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub municipality: Option<i64>,
}

/// Which breakdown of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The summary beside the previous period, per municipality, per month and the
    /// municipality-by-month tables.
    Summary,
    Municipalities,
    Kinds,
    Homes,
    Months,
}

impl View {
    /// The stable name used in addresses and file names.
    pub fn code(self) -> &'static str {
        match self {
            View::Summary => "samenvatting",
            View::Municipalities => "per-gemeente",
            View::Kinds => "per-soort",
            View::Homes => "per-huis",
            View::Months => "per-maand",
        }
    }
}

/// The period and area a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub period: Period,
    pub previous: Period,
    /// The preset the period came from, if any.
    pub preset: Option<Preset>,
    pub municipality: Option<(i64, String)>,
}

impl Scope {
    /// `2025-12-01-2026-11-30`, for file names.
    pub fn file_part(&self) -> String {
        format!("{}-{}", self.period.from, self.period.to)
    }
}

/// A computed report: its scope, its tables (exact counts) and, for a paged table, where
/// the page stands.
#[derive(Debug, Clone)]
pub struct Report {
    pub scope: Scope,
    pub tables: Vec<Table>,
    /// Homes in the whole list, and the cursor of the next page (per-home only).
    pub total: Option<i64>,
    pub next: Option<String>,
}

impl Report {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// The municipalities the organisation has homes in: `(id, name)`, for the form.
pub async fn municipalities(app: &App, caller: &Caller) -> Result<Vec<(i64, String)>> {
    allowed(caller)?;
    Ok(app.db.report_municipalities(caller.provider.0).await?)
}

/// The measures and their definitions, for the definitions page.
pub fn measures() -> &'static [Measure] {
    MEASURES
}

fn allowed(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Coordinator) || caller.acts_as(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "rapportage is voor coördinatoren en beheerders".into(),
        ))
    }
}

/// Reads the period and municipality of a query; a bad one is refused per field, in Dutch.
pub async fn scope(app: &App, caller: &Caller, q: &ReportQuery) -> Result<Scope> {
    allowed(caller)?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let (from, to) = (crate::blank(&q.from), crate::blank(&q.to));
    let (period, preset) = if from.is_some() || to.is_some() {
        let from = match from {
            Some(f) => crate::take(&mut errors, nabij_domain::dates::parse_date("van", f)),
            None => {
                errors.push(nabij_domain::RuleViolation::new(
                    "van",
                    "vul ook een begindatum in",
                ));
                None
            }
        };
        let to = match to {
            Some(t) => crate::take(&mut errors, nabij_domain::dates::parse_date("tot", t)),
            None => {
                errors.push(nabij_domain::RuleViolation::new(
                    "tot",
                    "vul ook een einddatum in",
                ));
                None
            }
        };
        match (from, to) {
            (Some(f), Some(t)) => (crate::take(&mut errors, Period::new(f, t)), None),
            _ => (None, None),
        }
    } else {
        let preset = match crate::blank(&q.preset) {
            None => Preset::DEFAULT,
            Some(code) => match Preset::parse(code) {
                Some(p) => p,
                None => {
                    errors.push(nabij_domain::RuleViolation::new(
                        "periode",
                        "kies deze maand, 12 maanden, 24 maanden of een jaar (jaar-2025)",
                    ));
                    Preset::DEFAULT
                }
            },
        };
        (Some(preset.period(today)), Some(preset))
    };
    let municipality = match q.municipality {
        None => None,
        Some(id) => {
            let known = app.db.report_municipalities(caller.provider.0).await?;
            match known.into_iter().find(|(m, _)| *m == id) {
                Some(m) => Some(m),
                None => {
                    errors.push(nabij_domain::RuleViolation::new(
                        "gemeente",
                        "deze gemeente heeft geen huizen van de organisatie; kies een gemeente uit de lijst",
                    ));
                    None
                }
            }
        }
    };
    match period {
        Some(period) if errors.is_empty() => Ok(Scope {
            previous: period.previous(),
            period,
            preset,
            municipality,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Runs at most one report per core; a few more wait, the rest hear "try again".
struct Runner {
    running: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
}

impl Runner {
    fn new(running: usize, queue: usize) -> Self {
        Runner {
            running: Semaphore::new(running),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    async fn run<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy {
                message: BUSY_MESSAGE.into(),
                retry_after: 60,
            });
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|e| AppError::Internal(e.to_string()))?;
        work.await
    }
}

static RUNNER: LazyLock<Runner> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Runner::new(cores, cores * 4)
});

/// The Dutch refusal when too many reports are asked for at once.
pub const BUSY_MESSAGE: &str =
    "Er worden nu te veel rapportages tegelijk gemaakt; probeer het over een minuut opnieuw.";

/// One report: its view's tables over the scope. `page` applies to the per-home table;
/// `None` gives every home (exports).
#[tracing::instrument(skip_all, fields(view = view.code()))]
pub async fn report(
    app: &App,
    caller: &Caller,
    scope: &Scope,
    view: View,
    page: Option<&PageRequest>,
) -> Result<Report> {
    allowed(caller)?;
    let key = format!(
        "{}|{:?}|{}|{}|{}|{:?}|{}",
        caller.provider.0,
        scope.municipality.as_ref().map(|m| m.0),
        scope.period.from,
        scope.period.to,
        view.code(),
        page,
        app.clock.today(),
    );
    kept_or_computed(
        app,
        &app.report_cache.reports,
        key,
        RUNNER.run(compute(app, caller, scope, view, page.cloned())),
    )
    .await
}

/// Computed reports, kept while the data they rest on is unchanged: each is stored with
/// the store's report revision, which every change to a row a report reads counts up in
/// that change's own transaction. A hit is therefore exactly what computing afresh gives.
#[derive(Debug, Clone)]
pub struct Cache {
    enabled: bool,
    reports: Arc<Kept<Report>>,
    /// The recovery measures (`/rapportage/herstel` and its API), kept the same way.
    pub(crate) recovery: Arc<Kept<crate::guidance::RecoveryReport>>,
    /// The outflow lines of the summary, kept the same way (0046).
    pub(crate) chain: Arc<Kept<crate::outflow::ChainSummary>>,
}

/// How many reports are kept (each a few tables; per-home pages are paged).
pub const REPORTS_KEPT: usize = 32;

/// Values kept by key and the revision they were computed at, the oldest first.
#[derive(Debug)]
pub(crate) struct Kept<T>(Mutex<VecDeque<(String, i64, T)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(Mutex::new(VecDeque::new()))
    }
}

impl<T: Clone> Kept<T> {
    pub(crate) fn get(&self, key: &str, revision: i64) -> Option<T> {
        let mut kept = self.0.lock().expect("the report cache is never poisoned");
        // Values of an older revision can never be used again.
        kept.retain(|(_, r, _)| *r >= revision);
        kept.iter()
            .find(|(k, r, _)| k == key && *r == revision)
            .map(|(_, _, v)| v.clone())
    }

    pub(crate) fn put(&self, key: String, revision: i64, value: T) {
        let mut kept = self.0.lock().expect("the report cache is never poisoned");
        kept.retain(|(k, _, _)| *k != key);
        if kept.len() >= REPORTS_KEPT {
            kept.pop_front();
        }
        kept.push_back((key, revision, value));
    }
}

/// The value kept in `kept` for `key` at the store's current report revision, else
/// `compute`d and kept at the revision read before computing (a change meanwhile leaves it
/// at the older revision, so the next request computes afresh).
pub(crate) async fn kept_or_computed<T: Clone>(
    app: &App,
    kept: &Kept<T>,
    key: String,
    compute: impl Future<Output = Result<T>>,
) -> Result<T> {
    let revision = app.db.report_revision().await?;
    let enabled = app.report_cache.enabled();
    if enabled && let Some(value) = kept.get(&key, revision) {
        return Ok(value);
    }
    let value = compute.await?;
    if enabled {
        kept.put(key, revision, value.clone());
    }
    Ok(value)
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            enabled: true,
            reports: Arc::default(),
            recovery: Arc::default(),
            chain: Arc::default(),
        }
    }
}

impl Cache {
    /// A cache that keeps nothing: every report is computed afresh.
    pub fn disabled() -> Self {
        Cache {
            enabled: false,
            ..Cache::default()
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }
}

/// Logs an export of aggregates: an access-log entry that names no person.
pub async fn log_export(app: &App, caller: &Caller, scope: &Scope, what: &str) -> Result<()> {
    allowed(caller)?;
    let entry = nabij_store::audit::Access {
        person: None,
        category: DataCategory::Overview,
        action: AuditAction::Export,
        outcome: "allowed",
        detail: format!("rapportage {what} {}", scope.file_part()),
    };
    Ok(app.db.log_access(&app.actor(caller), &[entry]).await?)
}

async fn facts(app: &App, caller: &Caller, scope: &Scope, period: &Period) -> Result<Facts> {
    let tz = app.clock.tz().clone();
    let instant = |d: Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let fs = FactScope {
        organisation: caller.provider.0,
        municipality: scope.municipality.as_ref().map(|m| m.0),
        period,
        from_ts: instant(period.from)?,
        end_ts: instant(period.end())?,
        today: app.clock.today(),
        tz: &tz,
    };
    Ok(app.db.report_facts(&fs).await?)
}

async fn compute(
    app: &App,
    caller: &Caller,
    scope: &Scope,
    view: View,
    page: Option<PageRequest>,
) -> Result<Report> {
    let org = caller.provider.0;
    // The homes, the names and both periods' facts are read at once.
    let previous = async {
        if view == View::Summary {
            facts(app, caller, scope, &scope.previous).await.map(Some)
        } else {
            Ok(None)
        }
    };
    // The recovery measures (summary only) are read beside them.
    let recovery = async {
        if view == View::Summary {
            crate::guidance::recovery_report(app, caller, scope)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    };
    let (homes, names, current, previous, recovery) = tokio::try_join!(
        async {
            Ok::<_, AppError>(
                app.db
                    .report_homes(org, scope.municipality.as_ref().map(|m| m.0))
                    .await?,
            )
        },
        async { Ok::<_, AppError>(app.db.municipality_names().await?) },
        facts(app, caller, scope, &scope.period),
        previous,
        recovery,
    )?;
    let names: HashMap<i64, String> = names.into_iter().collect();
    let today = app.clock.today();
    let volunteers = match view {
        View::Summary => {
            let mut t = crate::volunteer_measures::tables(app, caller, scope).await?;
            t.extend(recovery.iter().flat_map(crate::guidance::recovery_tables));
            t
        }
        _ => Vec::new(),
    };
    let scope = scope.clone();
    // Adding up runs on a report thread, below the server's priority.
    Ok(nabij_store::report_threads::run(move || {
        build(
            &scope,
            view,
            page.as_ref(),
            &homes,
            &names,
            &current,
            previous.as_ref(),
            today,
        )
    })
    .await
    .map(|mut r| {
        r.tables.extend(volunteers);
        r
    })?)
}

fn header(first: &[&str]) -> Vec<String> {
    first
        .iter()
        .map(|s| s.to_string())
        .chain(MEASURES.iter().map(|m| m.name.to_string()))
        .collect()
}

fn table(id: &str, title: String, columns: Vec<String>) -> Table {
    Table {
        id: id.into(),
        title,
        columns,
        rows: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    scope: &Scope,
    view: View,
    page: Option<&PageRequest>,
    homes: &[ReportHome],
    names: &HashMap<i64, String>,
    current: &Facts,
    previous: Option<&Facts>,
    today: Date,
) -> Report {
    let info: HashMap<i64, HomeInfo> = homes
        .iter()
        .map(|h| {
            (
                h.id,
                HomeInfo {
                    municipality: h.municipality_id,
                    kind: h.kind,
                },
            )
        })
        .collect();
    let period = &scope.period;
    let nights = place_nights(current, period, today);
    let name_of = |m: i64| {
        names
            .get(&m)
            .cloned()
            .unwrap_or_else(|| format!("gemeente {m}"))
    };
    let mut tables = Vec::new();
    let (mut total, mut next) = (None, None);
    let area = scope
        .municipality
        .as_ref()
        .map_or("het hele netwerk".to_string(), |m| m.1.clone());

    // The summary and the municipality view add the facts up once, per municipality and
    // month (`None`: facts about today); every coarser table is a sum of those groups.
    let fine = || {
        tally_with(current, &nights, &info, period, today, |a: At| {
            Some((a.municipality, a.month))
        })
    };
    type Fine = HashMap<(i64, Option<Month>), Tally>;
    let per_municipality = |tables: &mut Vec<Table>, fine: &Fine| {
        let mut t: HashMap<i64, Tally> = HashMap::new();
        for ((m, _), g) in fine {
            t.entry(*m).or_default().absorb(g);
        }
        let mut rows: Vec<(String, i64, &Tally)> =
            t.iter().map(|(m, t)| (name_of(*m), *m, t)).collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut tb = table(
            "per-gemeente",
            format!("Per gemeente, {}", period.label()),
            header(&["Gemeente"]),
        );
        for (name, _, t) in rows {
            let mut row = vec![Cell::text(name)];
            row.extend(measure_cells(t));
            tb.push(row);
        }
        tables.push(tb);
    };
    let months_table = |tables: &mut Vec<Table>, t: &HashMap<Month, Tally>| {
        let mut tb = table(
            "per-maand",
            format!("Per maand, {area}"),
            header(&["Maand"]),
        );
        for m in period.months() {
            let empty = Tally::default();
            let mut row = vec![Cell::text(m.key())];
            row.extend(measure_cells(t.get(&m).unwrap_or(&empty)));
            tb.push(row);
        }
        tables.push(tb);
    };
    let per_month = |tables: &mut Vec<Table>, fine: &Fine| {
        let mut t: HashMap<Month, Tally> = HashMap::new();
        for ((_, month), g) in fine {
            if let Some(month) = month {
                t.entry(*month).or_default().absorb(g);
            }
        }
        months_table(tables, &t);
    };
    let matrices =
        |tables: &mut Vec<Table>, t: &Fine| {
            let months = period.months();
            let mut munis: Vec<(String, i64)> = t
                .keys()
                .filter(|(_, mo)| mo.is_some())
                .map(|(m, _)| (name_of(*m), *m))
                .collect();
            munis.sort();
            munis.dedup();
            let columns: Vec<String> = std::iter::once("Gemeente".to_string())
                .chain(months.iter().map(|m| m.key()))
                .collect();
            let mut occ = table(
                "bezetting-per-gemeente-per-maand",
                "Bezetting per gemeente per maand".into(),
                columns.clone(),
            );
            let mut none = table(
                "geen-plek-per-gemeente-per-maand",
                "Geen plek in eigen gebied, per gemeente per maand".into(),
                columns,
            );
            let empty = Tally::default();
            for (name, m) in &munis {
                let cell = |month: &Month| t.get(&(*m, Some(*month))).unwrap_or(&empty);
                let has_places = months.iter().any(|mo| cell(mo).available_nights > 0);
                if has_places {
                    let mut row = vec![Cell::text(name.clone())];
                    row.extend(months.iter().map(|mo| {
                        Cell::share(cell(mo).occupied_nights, cell(mo).available_nights)
                    }));
                    occ.push(row);
                }
                let mut row = vec![Cell::text(name.clone())];
                row.extend(months.iter().map(|mo| Cell::count(cell(mo).no_place)));
                none.push(row);
            }
            tables.push(occ);
            tables.push(none);
        };

    match view {
        View::Summary => {
            let fine = fine();
            let mut now = Tally::default();
            for g in fine.values() {
                now.absorb(g);
            }
            let before = previous
                .map(|f| {
                    tally(f, &info, &scope.previous, today, |_| Some(()))
                        .remove(&())
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let mut tb = table(
                "samenvatting",
                format!("Samenvatting, {area}"),
                vec![
                    "Maatstaf".into(),
                    period.label(),
                    format!("Vorige periode ({})", scope.previous.label()),
                ],
            );
            for (m, (a, b)) in MEASURES
                .iter()
                .zip(measure_cells(&now).into_iter().zip(measure_cells(&before)))
            {
                tb.push(vec![Cell::text(m.name), a, b]);
            }
            tables.push(tb);
            per_municipality(&mut tables, &fine);
            per_month(&mut tables, &fine);
            matrices(&mut tables, &fine);
        }
        View::Municipalities => {
            let fine = fine();
            per_municipality(&mut tables, &fine);
            matrices(&mut tables, &fine);
        }
        View::Months => {
            let t = tally_with(current, &nights, &info, period, today, |a: At| a.month);
            months_table(&mut tables, &t);
        }
        View::Kinds => {
            let t = tally_with(current, &nights, &info, period, today, |a: At| a.kind);
            let mut tb = table(
                "per-soort",
                format!("Per soort huis, {area}"),
                header(&["Soort huis"]),
            );
            for kind in HomeKind::ALL {
                let empty = Tally::default();
                let mut row = vec![Cell::text(kind.label())];
                row.extend(measure_cells(t.get(kind).unwrap_or(&empty)));
                tb.push(row);
            }
            tables.push(tb);
        }
        View::Homes => {
            let t = tally_with(current, &nights, &info, period, today, |a: At| a.home);
            // Homes in the order of the list: municipality, name; keyed for paging.
            let key = |h: &ReportHome| format!("{}\u{1f}{}", h.municipality_name, h.name);
            let mut homes: Vec<&ReportHome> = homes.iter().collect();
            homes.sort_by_cached_key(|h| (key(h), h.id));
            let start = match page.and_then(|p| p.after.as_ref()) {
                Some(c) => homes.partition_point(|h| (key(h), h.id) <= (c.key.clone(), c.id)),
                None => 0,
            };
            let rest = &homes[start..];
            let shown: Vec<&ReportHome> = match page {
                Some(p) => rest.iter().take(p.fetch() as usize).copied().collect(),
                None => rest.to_vec(),
            };
            let size = page.map_or(u32::MAX, |p| p.size);
            let paged = Page::from_rows(shown, size, homes.len() as i64, |h| {
                Cursor::new(key(h), h.id)
            });
            let mut tb = table(
                "per-huis",
                format!("Per huis, {area}"),
                header(&["Huis", "Gemeente", "Soort"]),
            );
            let empty = Tally::default();
            for h in &paged.items {
                let mut row = vec![
                    Cell::text(h.name.clone()),
                    Cell::text(h.municipality_name.clone()),
                    Cell::text(h.kind.label()),
                ];
                row.extend(measure_cells(t.get(&h.id).unwrap_or(&empty)));
                tb.push(row);
            }
            total = Some(paged.total);
            next = paged.next;
            tables.push(tb);
        }
    }
    Report {
        scope: scope.clone(),
        tables,
        total,
        next,
    }
}

/// A report as the API serves it: every table suppressed ("<5"), with its period, the
/// previous period and, for the per-home table, the paging.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ReportAnswer {
    pub period: Period,
    pub previous: Period,
    /// The municipality the report is limited to, if any.
    pub municipality: Option<i64>,
    pub tables: Vec<Table>,
    /// Homes in the whole list (per-home report only).
    pub total: Option<i64>,
    /// The cursor of the next page (per-home report only).
    pub next: Option<String>,
}

impl Report {
    /// The report as partners and exports may see it.
    pub fn suppressed(&self) -> ReportAnswer {
        ReportAnswer {
            period: self.scope.period,
            previous: self.scope.previous,
            municipality: self.scope.municipality.as_ref().map(|m| m.0),
            tables: self.tables.iter().map(Table::suppressed).collect(),
            total: self.total,
            next: self.next.clone(),
        }
    }
}

/// The view a report table belongs to (for exports by table id).
pub fn view_of_table(id: &str) -> Option<View> {
    Some(match id {
        "samenvatting" | "signalen" | "maatjes" | "herstel-zrm" | "herstel-uren" => View::Summary,
        "per-gemeente"
        | "bezetting-per-gemeente-per-maand"
        | "geen-plek-per-gemeente-per-maand" => View::Municipalities,
        "per-soort" => View::Kinds,
        "per-huis" => View::Homes,
        "per-maand" => View::Months,
        _ => return None,
    })
}

impl View {
    pub fn parse(code: &str) -> Option<View> {
        [
            View::Summary,
            View::Municipalities,
            View::Kinds,
            View::Homes,
            View::Months,
        ]
        .into_iter()
        .find(|v| v.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn beyond_the_queue_a_report_is_refused_with_a_dutch_try_again() {
        let runner = Arc::new(Runner::new(1, 1));
        let (release, hold) = tokio::sync::oneshot::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let first = tokio::spawn({
            let r = runner.clone();
            async move {
                r.run(async move {
                    let _ = started.send(());
                    let _ = hold.await;
                    Ok(1)
                })
                .await
            }
        });
        running.await.unwrap();
        // The second waits for the permit; the third finds the queue full.
        let second = tokio::spawn({
            let r = runner.clone();
            async move { r.run(async { Ok(2) }).await }
        });
        while runner.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        match runner.run(async { Ok(3) }).await {
            Err(AppError::Busy {
                message,
                retry_after,
            }) => {
                assert!(message.contains("te veel rapportages"));
                assert_eq!(retry_after, 60);
            }
            other => panic!("expected busy, got {other:?}"),
        }
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(second.await.unwrap().unwrap(), 2);
        // With the queue empty again, reports run.
        assert_eq!(runner.run(async { Ok(4) }).await.unwrap(), 4);
    }
}
