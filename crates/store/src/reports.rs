//! Facts for the dashboard and the measures: the store gathers rows, the domain computes.

use crate::convert::*;
use crate::stays::parse_proximity;
use crate::{Db, Result};
use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use nabij_domain::home::HomeKind;
use nabij_domain::ids::*;
use nabij_domain::measures::{
    Ended, Facts, OnPlace, PlaceSpan, Placed, PlacementFact, RETURN_MONTHS, StayFact, place_nights,
};
use nabij_domain::period::Period;
use nabij_domain::stay::Destination;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NoPlaceCount {
    /// `YYYY-MM`.
    pub month: String,
    pub municipality_id: MunicipalityId,
    pub municipality_name: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeOccupancy {
    pub home_id: HomeId,
    pub home_name: String,
    pub kind: HomeKind,
    pub municipality_name: String,
    pub places: i64,
    pub place_nights: i64,
    pub occupied_nights: i64,
    pub blocked_nights: i64,
}

impl Db {
    /// *Geen plek in eigen gebied* events since `since`, per month and municipality.
    pub async fn no_place_counts(
        &self,
        organisation: i64,
        since: Timestamp,
    ) -> Result<Vec<NoPlaceCount>> {
        sqlx::query(
            "SELECT SUBSTR(e.occurred_at, 1, 7) AS month, e.municipality_id, m.name, COUNT(*) AS n \
             FROM no_place_events e JOIN municipalities m ON m.id = e.municipality_id \
             JOIN referrals r ON r.id = e.referral_id \
             WHERE e.occurred_at >= $1 AND r.organisation_id = $2 GROUP BY SUBSTR(e.occurred_at, 1, 7), e.municipality_id, m.name \
             ORDER BY month DESC, n DESC, m.name",
        )
        .bind(ts_text(since))
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(NoPlaceCount {
                month: get_string(r, "month")?,
                municipality_id: MunicipalityId(get_i64(r, "municipality_id")?),
                municipality_name: get_string(r, "name")?,
                count: get_i64(r, "n")?,
            })
        })
        .collect()
    }

    /// Placements whose referral arrived in `[from, to)`.
    pub async fn placement_facts(
        &self,
        organisation: i64,
        from: Timestamp,
        to: Timestamp,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<PlacementFact>> {
        sqlx::query(
            "SELECT r.received_at, s.placed_at, s.proximity, s.distance_km FROM stays s \
             JOIN referrals r ON r.id = s.referral_id WHERE r.received_at >= $1 AND r.received_at < $2 \
             AND r.organisation_id = $3",
        )
        .bind(ts_text(from))
        .bind(ts_text(to))
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let received = get_ts(r, "received_at")?;
            let placed = get_ts(r, "placed_at")?;
            Ok(PlacementFact {
                received,
                placed,
                received_on: tz.to_datetime(received).date(),
                placed_on: tz.to_datetime(placed).date(),
                proximity: get_code(r, "proximity", parse_proximity)?,
                distance_km: get_f64(r, "distance_km")?,
            })
        })
        .collect()
    }

    /// Every stay, as the length-of-stay, exit and return measures need them.
    pub async fn stay_facts(&self, organisation: i64) -> Result<Vec<StayFact>> {
        sqlx::query(
            "SELECT s.person_id, s.start_date, s.planned_end, s.ready_on, s.exit_date, s.destination, \
             (SELECT COUNT(*) FROM stay_extensions x WHERE x.stay_id = s.id) AS extensions FROM stays s \
             JOIN persons pe ON pe.id = s.person_id WHERE pe.organisation_id = $1",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let exit = match (get_opt_date(r, "exit_date")?, get_opt_string(r, "destination")?) {
                (Some(d), Some(dest)) => Destination::parse(&dest).map(|x| (d, x)),
                _ => None,
            };
            Ok(StayFact {
                person: get_i64(r, "person_id")?,
                start: get_date(r, "start_date")?,
                planned_end: get_date(r, "planned_end")?,
                ready_on: get_opt_date(r, "ready_on")?,
                exit,
                extensions: get_i64(r, "extensions")? as usize,
            })
        })
        .collect()
    }

    /// Occupied and available place-nights per home in `[from, to)`: each place counts
    /// from its own and its home's opening until retirement or closing, and blocked nights
    /// are not available (`place_nights` holds the available nights, `blocked_nights` is
    /// zero: they are already left out).
    pub async fn occupancy_by_home(
        &self,
        organisation: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<HomeOccupancy>> {
        let homes = sqlx::query(
            "SELECT h.id, h.name, h.kind, m.name AS municipality_name, \
             (SELECT COUNT(*) FROM places p WHERE p.home_id = h.id) AS places \
             FROM homes h JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             JOIN municipalities m ON m.id = n.municipality_id WHERE h.organisation_id = $1 ORDER BY m.name, h.name",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?;
        let mut nights: HashMap<i64, (i64, i64)> = HashMap::new();
        if from < to {
            let last = to.yesterday().unwrap_or(to);
            let period = Period { from, to: last };
            let facts = self
                .occupancy_facts(organisation, None, &date_text(from), &date_text(last))
                .await?;
            for ((home, _), (occupied, available)) in place_nights(&facts, &period, last) {
                let e = nights.entry(home).or_default();
                e.0 += occupied;
                e.1 += available;
            }
        }
        homes
            .iter()
            .map(|r| {
                let id = get_i64(r, "id")?;
                let (occupied, available) = nights.get(&id).copied().unwrap_or((0, 0));
                Ok(HomeOccupancy {
                    home_id: HomeId(id),
                    home_name: get_string(r, "name")?,
                    kind: get_code(r, "kind", HomeKind::parse)?,
                    municipality_name: get_string(r, "municipality_name")?,
                    places: get_i64(r, "places")?,
                    place_nights: available,
                    occupied_nights: occupied,
                    blocked_nights: 0,
                })
            })
            .collect()
    }
}

/// A home as the reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportHome {
    pub id: i64,
    pub name: String,
    pub kind: HomeKind,
    pub municipality_id: i64,
    pub municipality_name: String,
}

/// Which facts to read: an organisation's network (or one municipality of it) over a
/// period. Instants bound the period in time (`from_ts` up to, not including, `end_ts`).
#[derive(Debug, Clone)]
pub struct FactScope<'a> {
    pub organisation: i64,
    pub municipality: Option<i64>,
    pub period: &'a Period,
    pub from_ts: Timestamp,
    pub end_ts: Timestamp,
    pub today: Date,
    pub tz: &'a jiff::tz::TimeZone,
}

/// The homes of a report: an organisation's, or those of one municipality.
struct HomesScope(Option<i64>);

impl HomesScope {
    /// The homes of the scope, joined as `h`: `$1` is the organisation, `$k` the
    /// municipality when filtered (a condition only then, so the index is used).
    fn homes_in_scope(&self, k: usize) -> String {
        match self.0 {
            Some(_) => format!(
                "h.organisation_id = $1 AND h.neighbourhood_id IN \
                 (SELECT id FROM neighbourhoods WHERE municipality_id = ${k})"
            ),
            None => "h.organisation_id = $1".into(),
        }
    }
}

/// A row of a report query: from the pool, or read straight from the SQLite file (a
/// report reads many rows; the pool's per-row cost would dominate).
pub(crate) trait Cells {
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn real(&self, col: &str) -> Result<f64>;
    fn text(&self, col: &str) -> Result<Option<&str>>;
}

impl Cells for AnyRow {
    fn int(&self, col: &str) -> Result<i64> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn real(&self, col: &str) -> Result<f64> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn text(&self, col: &str) -> Result<Option<&str>> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
}

fn direct_error(e: rusqlite::Error) -> crate::StoreError {
    crate::StoreError::Writer(format!("report query: {e}"))
}

/// A row read straight from the SQLite file, its columns found by name among the
/// statement's names read once (asking SQLite for every name of every row would cost more
/// than reading the row).
struct Named<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r [String],
}

impl Named<'_, '_> {
    fn value(&self, col: &str) -> Result<rusqlite::types::ValueRef<'_>> {
        // As rusqlite's own lookup by name: case does not matter.
        let index = self
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(col))
            .ok_or_else(|| direct_error(rusqlite::Error::InvalidColumnName(col.to_owned())))?;
        self.row.get_ref(index).map_err(direct_error)
    }
}

/// A value of the wrong type, named by its column.
fn mistyped(col: &str, e: rusqlite::types::FromSqlError) -> crate::StoreError {
    crate::StoreError::Writer(format!("report query: column {col}: {e}"))
}

impl Cells for Named<'_, '_> {
    fn int(&self, col: &str) -> Result<i64> {
        self.value(col)?.as_i64().map_err(|e| mistyped(col, e))
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        self.value(col)?
            .as_i64_or_null()
            .map_err(|e| mistyped(col, e))
    }
    fn real(&self, col: &str) -> Result<f64> {
        match self.value(col)? {
            rusqlite::types::ValueRef::Integer(i) => Ok(i as f64),
            v => v.as_f64().map_err(|e| mistyped(col, e)),
        }
    }
    fn text(&self, col: &str) -> Result<Option<&str>> {
        self.value(col)?
            .as_str_or_null()
            .map_err(|e| mistyped(col, e))
    }
}

pub(crate) fn corrupt(col: &'static str, value: &str) -> crate::StoreError {
    crate::StoreError::Corrupt {
        column: col,
        value: value.to_string(),
    }
}

pub(crate) fn opt_day(row: &dyn Cells, col: &'static str) -> Result<Option<Date>> {
    row.text(col)?
        .map(|s| s.parse().map_err(|_| corrupt(col, s)))
        .transpose()
}

pub(crate) fn day(row: &dyn Cells, col: &'static str) -> Result<Date> {
    opt_day(row, col)?.ok_or_else(|| corrupt(col, "NULL"))
}

fn instant(row: &dyn Cells, col: &'static str) -> Result<Timestamp> {
    let s = row.text(col)?.ok_or_else(|| corrupt(col, "NULL"))?;
    s.parse().map_err(|_| corrupt(col, s))
}

fn code<T>(row: &dyn Cells, col: &'static str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s = row.text(col)?.ok_or_else(|| corrupt(col, "NULL"))?;
    parse(s).ok_or_else(|| corrupt(col, s))
}

/// A parameter of a report query, owned so the query can run on a blocking thread.
#[derive(Clone)]
enum Owned {
    I(i64),
    T(String),
}

thread_local! {
    /// The read-only connection of this report thread to the SQLite file, kept between
    /// report queries (opening one and reading the schema costs more than many queries).
    static READER: std::cell::RefCell<Option<(String, rusqlite::Connection)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs a report query straight on the SQLite file, read-only, on this report thread.
fn read_sqlite<T>(
    path: &str,
    sql: &str,
    args: &[Owned],
    decode: &dyn Fn(&dyn Cells) -> Result<T>,
) -> Result<Vec<T>> {
    READER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(p, _)| p != path) {
            *slot = Some((path.to_owned(), open_reader(path)?));
        }
        let Some((_, conn)) = slot.as_ref() else {
            return Err(direct_error(rusqlite::Error::InvalidQuery));
        };
        let out = query_sqlite(conn, sql, args, decode);
        if out.is_err() {
            // A connection that failed once is not trusted again.
            *slot = None;
        }
        out
    })
}

fn open_reader(path: &str) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(direct_error)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(direct_error)?;
    // Pages are read from the mapped file, not copied through the page cache.
    conn.execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16000;")
        .map_err(direct_error)?;
    Ok(conn)
}

fn query_sqlite<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Owned],
    decode: &dyn Fn(&dyn Cells) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(direct_error)?;
    for (i, a) in args.iter().enumerate() {
        let name = format!("${}", i + 1);
        let Some(index) = stmt.parameter_index(&name).map_err(direct_error)? else {
            continue;
        };
        match a {
            Owned::I(v) => stmt.raw_bind_parameter(index, v),
            Owned::T(v) => stmt.raw_bind_parameter(index, v.as_str()),
        }
        .map_err(direct_error)?;
    }
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(direct_error)? {
        out.push(decode(&Named { row, names: &names })?);
    }
    Ok(out)
}

/// A parameter of a report query.
pub(crate) enum Arg<'a> {
    I(i64),
    T(&'a str),
}

/// Report queries running at once: blocking threads on SQLite, pool connections on
/// PostgreSQL.
const REPORT_CONNECTIONS: usize = 2;
static REPORT_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(REPORT_CONNECTIONS);

const PERMANENT: &str = "('own_rented_home', 'own_lease_via_flip', 'family_or_friends')";

impl Db {
    /// Counts up with every insert, change or removal of a row a report reads (a trigger
    /// per table, in the change's own transaction: 0025): a kept report computed at this
    /// revision is still exact.
    pub async fn report_revision(&self) -> Result<i64> {
        let r = sqlx::query(
            "SELECT COALESCE(MAX(revision), 0) AS revision FROM data_revisions WHERE name = 'reports'",
        )
        .fetch_one(self.reader())
        .await?;
        get_i64(&r, "revision")
    }

    /// The homes of a report's scope, by municipality and name.
    pub async fn report_homes(
        &self,
        organisation: i64,
        municipality: Option<i64>,
    ) -> Result<Vec<ReportHome>> {
        let filter = if municipality.is_some() {
            " AND m.id = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT h.id, h.name, h.kind, m.id AS municipality_id, m.name AS municipality_name \
             FROM homes h JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             JOIN municipalities m ON m.id = n.municipality_id \
             WHERE h.organisation_id = $1{filter} ORDER BY m.name, h.name, h.id"
        );
        // Five thousand homes at national scale: read as a report query (on SQLite on a
        // report thread), not row by row through the pool at the server's priority.
        self.decoded(
            sql,
            &[Arg::I(organisation)],
            municipality,
            |r: &dyn Cells| {
                let text =
                    |col: &'static str| r.text(col).map(|t| t.unwrap_or_default().to_string());
                let kind = text("kind")?;
                Ok(ReportHome {
                    id: r.int("id")?,
                    name: text("name")?,
                    kind: HomeKind::parse(&kind).ok_or_else(|| crate::StoreError::Corrupt {
                        column: "kind",
                        value: kind.clone(),
                    })?,
                    municipality_id: r.int("municipality_id")?,
                    municipality_name: text("municipality_name")?,
                })
            },
        )
        .await
    }

    /// Every municipality's name, by id.
    pub async fn municipality_names(&self) -> Result<Vec<(i64, String)>> {
        sqlx::query("SELECT id, name FROM municipalities")
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| Ok((get_i64(r, "id")?, get_string(r, "name")?)))
            .collect()
    }

    /// The municipalities that have homes of the organisation: `(id, name)` by name.
    pub async fn report_municipalities(&self, organisation: i64) -> Result<Vec<(i64, String)>> {
        sqlx::query(
            "SELECT DISTINCT m.id, m.name FROM homes h JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             JOIN municipalities m ON m.id = n.municipality_id WHERE h.organisation_id = $1 ORDER BY m.name, m.id",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "id")?, get_string(r, "name")?)))
        .collect()
    }

    /// The homes of an organisation and their municipalities: which rows a report keeps.
    async fn homes_of(&self, organisation: i64) -> Result<HashMap<i64, i64>> {
        self.decoded(
            "SELECT h.id, n.municipality_id FROM homes h CROSS JOIN neighbourhoods n \
             WHERE h.organisation_id = $1 AND n.id = h.neighbourhood_id"
                .into(),
            &[Arg::I(organisation)],
            None,
            |r: &dyn Cells| Ok((r.int("id")?, r.int("municipality_id")?)),
        )
        .await
        .map(|v| v.into_iter().collect())
    }

    /// The facts of one period. Each query reads one range of an index bounded by the
    /// period (start date, exit date, decision time, event time) that holds every column it
    /// needs (0020), never the whole history; which homes belong to the scope is read once
    /// and rows of other homes are dropped as they arrive, so no row is joined to its home.
    /// The queries run at once; each row is decoded as it arrives.
    #[tracing::instrument(skip_all, fields(from = %scope.period.from, to = %scope.period.to))]
    pub async fn report_facts(&self, scope: &FactScope<'_>) -> Result<Facts> {
        let p = scope.period;
        let (from, to) = (date_text(p.from), date_text(p.to));
        let (from_ts, end_ts) = (ts_text(scope.from_ts), ts_text(scope.end_ts));
        let today = date_text(scope.today);
        // A return is looked for only after exits at least six calendar months before
        // today; a few days more keep every month end in (the measure decides exactly).
        let observable = date_text(
            scope
                .today
                .saturating_sub(RETURN_MONTHS[0].months())
                .saturating_add(4.days()),
        );
        let org = scope.organisation;
        let muni = scope.municipality;
        let homes = std::sync::Arc::new(self.homes_of(org).await?);
        let scoped = {
            let homes = homes.clone();
            move |home: i64| {
                homes
                    .get(&home)
                    .is_some_and(|m| muni.is_none_or(|x| *m == x))
            }
        };
        let tz = scope.tz.clone();
        let tz2 = tz.clone();
        let tz3 = tz.clone();
        let dates = [Arg::T(&from), Arg::T(&to)];
        let instants = [Arg::T(&from_ts), Arg::T(&end_ts)];

        // Placements: stays that started in the period, with their referral.
        let keep = scoped.clone();
        let placed = self.decoded(
            "SELECT s.home_id, s.start_date, r.received_at, s.placed_at, s.proximity, s.distance_km \
             FROM stays s CROSS JOIN referrals r \
             WHERE s.start_date >= $1 AND s.start_date <= $2 AND r.id = s.referral_id"
                .into(),
            &dates,
            None,
            move |r: &dyn Cells| {
                let home = r.int("home_id")?;
                if !keep(home) {
                    return Ok(None);
                }
                let received = instant(r, "received_at")?;
                let placed = instant(r, "placed_at")?;
                Ok(Some(Placed {
                    home,
                    start: day(r, "start_date")?,
                    hours: placed.duration_since(received).as_secs_f64() / 3600.0,
                    same_day: tz.to_datetime(received).date() == tz.to_datetime(placed).date(),
                    proximity: code(r, "proximity", parse_proximity)?,
                    distance_km: r.real("distance_km")?,
                }))
            },
        );
        // Exits in the period.
        let keep = scoped.clone();
        let ended = self.decoded(
            "SELECT s.person_id, s.home_id, s.start_date, s.ready_on, s.exit_date, s.destination \
             FROM stays s WHERE s.exit_date >= $1 AND s.exit_date <= $2"
                .into(),
            &dates,
            None,
            move |r: &dyn Cells| {
                let home = r.int("home_id")?;
                if !keep(home) {
                    return Ok(None);
                }
                Ok(Some(Ended {
                    person: r.int("person_id")?,
                    home,
                    start: day(r, "start_date")?,
                    ready_on: opt_day(r, "ready_on")?,
                    exit: day(r, "exit_date")?,
                    destination: code(r, "destination", Destination::parse)?,
                }))
            },
        );
        // Later stays of those who left for a permanent destination in the period: a new
        // stay anywhere in the organisation's network counts as a return. One row per
        // (exit, later stay); a later stay seen through two exits is kept once.
        let keep = scoped.clone();
        let network = homes.clone();
        let later = self.decoded(
            format!(
                "SELECT x.home_id AS exit_home, s.id, s.person_id, s.start_date, s.home_id \
                 FROM stays x CROSS JOIN stays s \
                 WHERE x.exit_date >= $1 AND x.exit_date <= $2 AND x.exit_date <= $3 \
                 AND x.destination IN {PERMANENT} AND s.person_id = x.person_id AND s.start_date > $1"
            ),
            &[Arg::T(&from), Arg::T(&to), Arg::T(&observable)],
            None,
            move |r: &dyn Cells| {
                if !keep(r.int("exit_home")?) || !network.contains_key(&r.int("home_id")?) {
                    return Ok(None);
                }
                Ok(Some((r.int("id")?, r.int("person_id")?, day(r, "start_date")?)))
            },
        );
        // Extension decisions in the period.
        let keep = scoped.clone();
        let extensions = self.decoded(
            "SELECT s.home_id, x.decided_at FROM stay_extensions x CROSS JOIN stays s \
             WHERE x.decided_at >= $1 AND x.decided_at < $2 AND s.id = x.stay_id"
                .into(),
            &instants,
            None,
            move |r: &dyn Cells| {
                let home = r.int("home_id")?;
                if !keep(home) {
                    return Ok(None);
                }
                let at = instant(r, "decided_at")?;
                Ok(Some((home, tz2.to_datetime(at).date())))
            },
        );
        // Stays past their planned end today.
        let keep = scoped.clone();
        let overdue = self.decoded(
            "SELECT s.home_id FROM stays s WHERE s.exit_date IS NULL AND s.planned_end < $1".into(),
            &[Arg::T(&today)],
            None,
            move |r: &dyn Cells| {
                let home = r.int("home_id")?;
                Ok(keep(home).then_some(home))
            },
        );
        // No place in the own area: counted by the person's own municipality.
        let filter = if muni.is_some() {
            " AND e.municipality_id = $4"
        } else {
            ""
        };
        let no_place = self.decoded(
            format!(
                "SELECT e.municipality_id, e.occurred_at FROM no_place_events e CROSS JOIN referrals r \
                 WHERE e.occurred_at >= $2 AND e.occurred_at < $3 AND r.id = e.referral_id \
                 AND r.organisation_id = $1{filter}"
            ),
            &[Arg::I(org), Arg::T(&from_ts), Arg::T(&end_ts)],
            muni,
            move |r: &dyn Cells| {
                let at = instant(r, "occurred_at")?;
                Ok((r.int("municipality_id")?, tz3.to_datetime(at).date()))
            },
        );
        let occupancy = self.occupancy_facts(org, muni, &from, &to);
        let (placed, ended, later, extensions, overdue_now, no_place, occupancy) = tokio::try_join!(
            placed, ended, later, extensions, overdue, no_place, occupancy
        )?;
        let mut later: Vec<(i64, i64, Date)> = later.into_iter().flatten().collect();
        later.sort_unstable_by_key(|l| l.0);
        later.dedup_by_key(|l| l.0);
        let mut later_starts: Vec<(i64, Date)> = later.into_iter().map(|l| (l.1, l.2)).collect();
        later_starts.sort_unstable();
        Ok(Facts {
            placed: placed.into_iter().flatten().collect(),
            ended: ended.into_iter().flatten().collect(),
            later_starts,
            extensions: extensions.into_iter().flatten().collect(),
            overdue_now: overdue_now.into_iter().flatten().collect(),
            no_place,
            ..occupancy
        })
    }

    /// Runs a report query: on SQLite straight from the file on a blocking thread, on
    /// PostgreSQL through the read pool, decoding each row as it arrives.
    pub(crate) fn decoded<'s, T, F>(
        &'s self,
        sql: String,
        args: &[Arg<'_>],
        municipality: Option<i64>,
        decode: F,
    ) -> impl Future<Output = Result<Vec<T>>> + Send + use<'s, T, F>
    where
        T: Send + Unpin + 'static,
        F: Fn(&dyn Cells) -> Result<T> + Send + Sync + 'static,
    {
        // The arguments are owned before the query starts, so the caller's may be temporaries.
        let mut owned: Vec<Owned> = args
            .iter()
            .map(|a| match a {
                Arg::I(i) => Owned::I(*i),
                Arg::T(t) => Owned::T(t.to_string()),
            })
            .collect();
        if let Some(m) = municipality {
            owned.push(Owned::I(m));
        }
        async move {
            // Report queries take at most REPORT_CONNECTIONS threads (SQLite) or pool
            // connections (PostgreSQL, where reads and writes share the pool) at once,
            // however many reports run: placements and pages always find a core and a
            // connection.
            let _slot = REPORT_SLOTS
                .acquire()
                .await
                .map_err(|e| crate::StoreError::Config(e.to_string()))?;
            if let Some(path) = self.sqlite_path() {
                let path = path.to_owned();
                return crate::report_threads::run(move || {
                    read_sqlite(&path, &sql, &owned, &decode)
                })
                .await?;
            }
            self.pooled(&sql, &owned, &decode).await
        }
    }

    /// A page's read of a thousand rows or more (the people ready to move on, ranked for
    /// an offer): on SQLite straight from the file on a blocking thread at the server's own
    /// priority, without the pool's cost per row; on PostgreSQL through the read pool.
    pub(crate) fn read_many<'s, T, F>(
        &'s self,
        sql: String,
        args: &[Arg<'_>],
        decode: F,
    ) -> impl Future<Output = Result<Vec<T>>> + Send + use<'s, T, F>
    where
        T: Send + Unpin + 'static,
        F: Fn(&dyn Cells) -> Result<T> + Send + Sync + 'static,
    {
        let owned: Vec<Owned> = args
            .iter()
            .map(|a| match a {
                Arg::I(i) => Owned::I(*i),
                Arg::T(t) => Owned::T(t.to_string()),
            })
            .collect();
        async move {
            if let Some(path) = self.sqlite_path() {
                let path = path.to_owned();
                return tokio::task::spawn_blocking(move || {
                    read_sqlite(&path, &sql, &owned, &decode)
                })
                .await
                .map_err(|e| crate::StoreError::Writer(format!("read thread: {e}")))?;
            }
            self.pooled(&sql, &owned, &decode).await
        }
    }

    async fn pooled<T, F>(&self, sql: &str, args: &[Owned], decode: &F) -> Result<Vec<T>>
    where
        T: Send + Unpin + 'static,
        F: Fn(&dyn Cells) -> Result<T> + Send + Sync + 'static,
    {
        let mut q = sqlx::query(sql);
        for a in args {
            q = match a {
                Owned::I(i) => q.bind(*i),
                Owned::T(t) => q.bind(t.as_str()),
            };
        }
        Ok(
            q.try_map(|r: AnyRow| decode(&r).map_err(|e| sqlx::Error::Decode(Box::new(e))))
                .fetch_all(self.reader())
                .await?,
        )
    }

    /// The places in service during `[from, to]` (dates as text, inclusive), the stays
    /// holding them and the blocks on them.
    async fn occupancy_facts(
        &self,
        org: i64,
        muni: Option<i64>,
        from: &str,
        to: &str,
    ) -> Result<Facts> {
        let hs = HomesScope(muni);
        let args = [Arg::I(org), Arg::T(from), Arg::T(to)];
        let places = self.decoded(
            format!(
                "SELECT p.id, p.home_id, p.opened_on, p.retired_on, h.opened_on AS home_opened, h.closed_on \
                 FROM places p JOIN homes h ON h.id = p.home_id WHERE {} \
                 AND p.opened_on <= $3 AND h.opened_on <= $3 \
                 AND (p.retired_on IS NULL OR p.retired_on > $2) AND (h.closed_on IS NULL OR h.closed_on > $2)",
                hs.homes_in_scope(4)
            ),
            &args,
            muni,
            move |r: &dyn Cells| {
                let retired = opt_day(r, "retired_on")?;
                let closed = opt_day(r, "closed_on")?;
                Ok(PlaceSpan {
                    place: r.int("id")?,
                    home: r.int("home_id")?,
                    from: day(r, "opened_on")?.max(day(r, "home_opened")?),
                    until: match (retired, closed) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                })
            },
        );
        // Stays that ended in or after the period, or run still, read through the exit-date
        // index (the start date compared as an expression, so no index on it competes).
        // Rows of places outside the scope are passed over where the places are counted.
        let held = |cond: &str| {
            self.decoded(
                format!(
                    "SELECT sp.place_id, s.start_date, sp.released_on FROM stays s \
                     CROSS JOIN stay_places sp \
                     WHERE {cond} AND sp.stay_id = s.id \
                     AND (sp.released_on IS NULL OR sp.released_on > $1)"
                ),
                &[Arg::T(from), Arg::T(to)],
                None,
                move |r: &dyn Cells| {
                    Ok(OnPlace {
                        place: r.int("place_id")?,
                        from: day(r, "start_date")?,
                        until: opt_day(r, "released_on")?,
                    })
                },
            )
        };
        let held_ended = held("s.exit_date >= $1 AND s.start_date || '' <= $2");
        let held_running = held("s.exit_date IS NULL AND s.start_date || '' <= $2");
        let blocks = self.decoded(
            format!(
                "SELECT b.place_id, b.from_date, b.until_date FROM place_blocks b \
                 JOIN places p ON p.id = b.place_id JOIN homes h ON h.id = p.home_id \
                 WHERE {} AND b.from_date <= $3 AND (b.until_date IS NULL OR b.until_date >= $2)",
                hs.homes_in_scope(4)
            ),
            &args,
            muni,
            move |r: &dyn Cells| {
                Ok(OnPlace {
                    place: r.int("place_id")?,
                    from: day(r, "from_date")?,
                    // A block's until date is inclusive.
                    until: opt_day(r, "until_date")?.map(|d| d.tomorrow().unwrap_or(d)),
                })
            },
        );
        let (places, mut held, running, blocks) =
            tokio::try_join!(places, held_ended, held_running, blocks)?;
        held.extend(running);
        Ok(Facts {
            places,
            held,
            blocks,
            ..Facts::default()
        })
    }
}
