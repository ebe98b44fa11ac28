//! Bulk loading of a whole network's history in one go: the path of the national demo data.
//!
//! Beside the use cases, not instead of them: every row is the row the use cases would
//! write (same columns, same codes, dates as `YYYY-MM-DD` and instants as RFC 3339 UTC via
//! the store's own [`date_text`] and [`ts_text`]); a test compares the two paths column by
//! column. Rows carry their ids, so a generator can link them before anything is written;
//! the tables must be empty. Rows go in as multi-row INSERTs in large transactions; on
//! SQLite the load runs with `synchronous = OFF` and restores the normal setting after.
//! The load itself is one entry in the access log, written like every other entry.

use crate::audit::{Access, Actor, append};
use crate::convert::*;
use crate::{Backend, Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::person::Gender;
use nabij_domain::placement::Proximity;
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency};
use nabij_domain::stay::Destination;

#[derive(Debug, Clone, PartialEq)]
pub struct BulkRegion {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkMunicipality {
    pub id: i64,
    pub region_id: Option<i64>,
    pub code: Option<String>,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkNeighbourhood {
    pub id: i64,
    pub municipality_id: i64,
    pub code: Option<String>,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkHome {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub kind: HomeKind,
    pub address: String,
    pub neighbourhood_id: i64,
    pub lat: f64,
    pub lon: f64,
    pub rules: HouseRules,
    pub max_stay_months: i8,
    pub landlord: Option<String>,
    pub created_at: Timestamp,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkPlace {
    pub id: i64,
    pub home_id: i64,
    pub label: String,
    pub opened_on: Date,
    pub retired_on: Option<Date>,
}

/// A place blocked from `from` up to and including `until` (open-ended when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkBlock {
    pub place_id: i64,
    pub from: Date,
    pub until: Option<Date>,
    pub reason: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkPerson {
    pub id: i64,
    pub organisation_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    pub date_of_birth: Option<Date>,
    pub phone: Option<String>,
    pub household_size: i64,
    pub needs_accessible: bool,
    pub needs_pets: bool,
    pub needs_women_only: bool,
    pub own_municipality_id: i64,
    pub own_neighbourhood_id: Option<i64>,
    /// Neighbourhoods the person must not be placed in.
    pub avoid_neighbourhoods: Vec<i64>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkReferral {
    pub id: i64,
    pub person_id: i64,
    pub organisation_id: i64,
    pub referred_by: Option<i64>,
    pub source: ReferralSource,
    pub urgency: Urgency,
    pub situation: String,
    pub received_at: Timestamp,
    pub state: ReferralState,
    /// When it was placed or closed; `None` while it is open.
    pub closed_at: Option<Timestamp>,
    pub close_reason: Option<String>,
    /// *Geen plek in eigen gebied*: when and for which municipality it was recorded.
    pub no_place: Option<(i64, Timestamp)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkExtension {
    pub decided_by: String,
    pub reason: String,
    pub previous_end: Date,
    pub new_end: Date,
    pub decided_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkStay {
    pub id: i64,
    pub person_id: i64,
    pub home_id: i64,
    pub referral_id: Option<i64>,
    pub places: Vec<i64>,
    pub start: Date,
    /// The planned end as it stands after the extensions.
    pub planned_end: Date,
    pub placed_at: Timestamp,
    pub proximity: Proximity,
    pub distance_km: f64,
    pub ready_on: Option<Date>,
    /// Exit date, destination and reason; `None` while the stay runs.
    pub exit: Option<(Date, Destination, String)>,
    pub plan_done_on: Option<Date>,
    pub evaluation_done_on: Option<Date>,
    pub exit_preparation_done_on: Option<Date>,
    /// Oldest first; each moves the planned end from its `previous_end`.
    pub extensions: Vec<BulkExtension>,
}

/// A whole network's history, linked by the ids it carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkData {
    pub regions: Vec<BulkRegion>,
    pub municipalities: Vec<BulkMunicipality>,
    pub neighbourhoods: Vec<BulkNeighbourhood>,
    pub homes: Vec<BulkHome>,
    pub places: Vec<BulkPlace>,
    pub blocks: Vec<BulkBlock>,
    pub persons: Vec<BulkPerson>,
    pub referrals: Vec<BulkReferral>,
    pub stays: Vec<BulkStay>,
}

/// What a load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkSummary {
    pub rows: u64,
}

/// One bound value of a row.
pub(crate) enum V {
    I(i64),
    F(f64),
    T(String),
    NI(Option<i64>),
    NT(Option<String>),
}

fn t(s: &str) -> V {
    V::T(s.to_owned())
}
fn d(x: Date) -> V {
    V::T(date_text(x))
}
fn nd(x: Option<Date>) -> V {
    V::NT(x.map(date_text))
}
fn ts(x: Timestamp) -> V {
    V::T(ts_text(x))
}
fn nts(x: Option<Timestamp>) -> V {
    V::NT(x.map(ts_text))
}

/// The tables a load writes, which must be empty before it.
const LOADED: &[&str] = &[
    "regions",
    "municipalities",
    "neighbourhoods",
    "homes",
    "places",
    "persons",
    "referrals",
    "stays",
];

/// Rows per INSERT statement: below SQLite's and PostgreSQL's limits on bound values.
fn rows_per_statement(columns: usize) -> usize {
    (16_000 / columns).clamp(1, 1000)
}

impl Db {
    /// True when the database holds no network data and no persons (a fresh installation:
    /// only the organisation it starts with, and perhaps accounts).
    pub async fn holds_no_data(&self) -> Result<bool> {
        for table in LOADED {
            let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(self.reader())
                .await?;
            if get_i64(&row, "n")? > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// True when the database holds no data at all beyond what every installation starts
    /// with: no accounts, no network, no persons.
    pub async fn is_fresh(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.reader())
            .await?;
        Ok(get_i64(&row, "n")? == 0 && self.holds_no_data().await?)
    }

    /// PostgreSQL only: removes every table of the database (`--replace` of the demo); the
    /// next connection migrates it afresh. A SQLite demo replaces its file instead.
    pub async fn drop_everything(&self) -> Result<()> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::Config(
                "only a PostgreSQL database is emptied in place; remove the SQLite file".into(),
            ));
        }
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Writes `data` into empty tables, and one entry for the load in the access log.
    #[tracing::instrument(skip_all, fields(persons = data.persons.len(), stays = data.stays.len()))]
    pub async fn bulk_load(&self, data: &BulkData, actor: &Actor) -> Result<BulkSummary> {
        if !self.holds_no_data().await? {
            return Err(StoreError::Conflict(
                "de database bevat al huizen of personen; laad alleen in een lege database".into(),
            ));
        }
        check_dates(data)?;
        let sqlite = self.backend == Backend::Sqlite;
        if sqlite {
            sqlx::query("PRAGMA synchronous = OFF")
                .execute(&self.write)
                .await?;
        }
        let loaded = self.write_all(data, actor).await;
        if sqlite {
            sqlx::query("PRAGMA synchronous = NORMAL")
                .execute(&self.write)
                .await?;
        }
        loaded
    }

    async fn write_all(&self, data: &BulkData, actor: &Actor) -> Result<BulkSummary> {
        let mut rows = 0u64;
        let mut tx = self.begin().await?;
        rows += self
            .insert(
                &mut tx,
                "regions",
                &["id", "name"],
                true,
                data.regions.iter().map(|r| vec![V::I(r.id), t(&r.name)]),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "municipalities",
                &["id", "region_id", "code", "name", "lat", "lon"],
                true,
                data.municipalities.iter().map(|m| {
                    vec![
                        V::I(m.id),
                        V::NI(m.region_id),
                        V::NT(m.code.clone()),
                        t(&m.name),
                        V::F(m.lat),
                        V::F(m.lon),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "neighbourhoods",
                &["id", "municipality_id", "code", "name", "lat", "lon"],
                true,
                data.neighbourhoods.iter().map(|n| {
                    vec![
                        V::I(n.id),
                        V::I(n.municipality_id),
                        V::NT(n.code.clone()),
                        t(&n.name),
                        V::F(n.lat),
                        V::F(n.lon),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "homes",
                &[
                    "id",
                    "name",
                    "kind",
                    "address",
                    "neighbourhood_id",
                    "lat",
                    "lon",
                    "women_only",
                    "accessible",
                    "pets_allowed",
                    "max_stay_months",
                    "landlord",
                    "created_at",
                    "organisation_id",
                    "opened_on",
                    "closed_on",
                ],
                true,
                data.homes.iter().map(|h| {
                    vec![
                        V::I(h.id),
                        t(&h.name),
                        t(h.kind.code()),
                        t(&h.address),
                        V::I(h.neighbourhood_id),
                        V::F(h.lat),
                        V::F(h.lon),
                        V::I(flag(h.rules.women_only)),
                        V::I(flag(h.rules.accessible)),
                        V::I(flag(h.rules.pets_allowed)),
                        V::I(h.max_stay_months as i64),
                        V::NT(h.landlord.clone()),
                        ts(h.created_at),
                        V::I(h.organisation_id),
                        d(h.opened_on),
                        nd(h.closed_on),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "places",
                &["id", "home_id", "label", "opened_on", "retired_on"],
                true,
                data.places.iter().map(|p| {
                    vec![
                        V::I(p.id),
                        V::I(p.home_id),
                        t(&p.label),
                        d(p.opened_on),
                        nd(p.retired_on),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "place_blocks",
                &[
                    "place_id",
                    "from_date",
                    "until_date",
                    "reason",
                    "created_at",
                ],
                false,
                data.blocks.iter().map(|b| {
                    vec![
                        V::I(b.place_id),
                        d(b.from),
                        nd(b.until),
                        t(&b.reason),
                        ts(b.created_at),
                    ]
                }),
            )
            .await?;
        tx.commit().await?;

        let mut tx = self.begin().await?;
        rows += self
            .insert(
                &mut tx,
                "persons",
                &[
                    "id",
                    "first_name",
                    "last_name",
                    "gender",
                    "date_of_birth",
                    "bsn",
                    "phone",
                    "household_size",
                    "needs_accessible",
                    "needs_pets",
                    "needs_women_only",
                    "own_municipality_id",
                    "own_neighbourhood_id",
                    "created_at",
                    "organisation_id",
                ],
                true,
                data.persons.iter().map(|p| {
                    vec![
                        V::I(p.id),
                        t(&p.first_name),
                        t(&p.last_name),
                        t(p.gender.code()),
                        nd(p.date_of_birth),
                        V::NT(None),
                        V::NT(p.phone.clone()),
                        V::I(p.household_size),
                        V::I(flag(p.needs_accessible)),
                        V::I(flag(p.needs_pets)),
                        V::I(flag(p.needs_women_only)),
                        V::I(p.own_municipality_id),
                        V::NI(p.own_neighbourhood_id),
                        ts(p.created_at),
                        V::I(p.organisation_id),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "person_avoid_areas",
                &["person_id", "municipality_id", "neighbourhood_id"],
                false,
                data.persons.iter().flat_map(|p| {
                    p.avoid_neighbourhoods
                        .iter()
                        .map(|n| vec![V::I(p.id), V::NI(None), V::NI(Some(*n))])
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "referrals",
                &[
                    "id",
                    "person_id",
                    "source",
                    "urgency",
                    "situation",
                    "received_at",
                    "state",
                    "closed_at",
                    "close_reason",
                    "organisation_id",
                    "referred_by_organisation_id",
                ],
                true,
                data.referrals.iter().map(|r| {
                    vec![
                        V::I(r.id),
                        V::I(r.person_id),
                        t(r.source.code()),
                        t(r.urgency.code()),
                        t(&r.situation),
                        ts(r.received_at),
                        t(r.state.code()),
                        nts(r.closed_at),
                        V::NT(r.close_reason.clone()),
                        V::I(r.organisation_id),
                        V::NI(r.referred_by),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "no_place_events",
                &["referral_id", "municipality_id", "occurred_at"],
                false,
                data.referrals
                    .iter()
                    .filter_map(|r| r.no_place.map(|(m, at)| vec![V::I(r.id), V::I(m), ts(at)])),
            )
            .await?;
        tx.commit().await?;

        let mut tx = self.begin().await?;
        rows += self
            .insert(
                &mut tx,
                "stays",
                &[
                    "id",
                    "person_id",
                    "home_id",
                    "referral_id",
                    "start_date",
                    "planned_end",
                    "placed_at",
                    "proximity",
                    "distance_km",
                    "ready_on",
                    "exit_date",
                    "destination",
                    "exit_reason",
                    "plan_done_on",
                    "evaluation_done_on",
                    "exit_preparation_done_on",
                ],
                true,
                data.stays.iter().map(|s| {
                    vec![
                        V::I(s.id),
                        V::I(s.person_id),
                        V::I(s.home_id),
                        V::NI(s.referral_id),
                        d(s.start),
                        d(s.planned_end),
                        ts(s.placed_at),
                        t(crate::stays::proximity_code(s.proximity)),
                        V::F(s.distance_km),
                        nd(s.ready_on),
                        nd(s.exit.as_ref().map(|e| e.0)),
                        V::NT(s.exit.as_ref().map(|e| e.1.code().to_owned())),
                        V::NT(s.exit.as_ref().map(|e| e.2.clone())),
                        nd(s.plan_done_on),
                        nd(s.evaluation_done_on),
                        nd(s.exit_preparation_done_on),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "stay_places",
                &["stay_id", "place_id", "released_on"],
                false,
                data.stays.iter().flat_map(|s| {
                    let released = s.exit.as_ref().map(|e| e.0);
                    s.places
                        .iter()
                        .map(move |p| vec![V::I(s.id), V::I(*p), nd(released)])
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "stay_extensions",
                &[
                    "stay_id",
                    "decided_by",
                    "reason",
                    "previous_end",
                    "new_end",
                    "decided_at",
                ],
                false,
                data.stays.iter().flat_map(|s| {
                    s.extensions.iter().map(|e| {
                        vec![
                            V::I(s.id),
                            t(&e.decided_by),
                            t(&e.reason),
                            d(e.previous_end),
                            d(e.new_end),
                            ts(e.decided_at),
                        ]
                    })
                }),
            )
            .await?;
        if self.backend == Backend::Postgres {
            // Rows came with their ids: the identity columns continue after them.
            for table in LOADED {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        let entry = Access {
            person: None,
            category: DataCategory::File,
            action: AuditAction::Create,
            outcome: "allowed",
            detail: format!(
                "demogegevens geladen: {} personen, {} aanmeldingen, {} verblijven, {} huizen",
                data.persons.len(),
                data.referrals.len(),
                data.stays.len(),
                data.homes.len()
            ),
        };
        append(&mut tx, self.audit_key.as_ref(), actor, &[entry]).await?;
        tx.commit().await?;
        Ok(BulkSummary { rows })
    }

    /// Inserts `rows` into `table` as multi-row statements inside `tx`.
    pub(crate) async fn insert(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        table: &str,
        columns: &[&str],
        with_id: bool,
        rows: impl Iterator<Item = Vec<V>>,
    ) -> Result<u64> {
        let per = rows_per_statement(columns.len());
        let overriding = if with_id && self.backend == Backend::Postgres {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        let sqlite = self.backend == Backend::Sqlite;
        let statement = |n: usize| {
            let mut sql = format!(
                "INSERT INTO {table} ({}){overriding} VALUES ",
                columns.join(", ")
            );
            let mut k = 1;
            for r in 0..n {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..columns.len() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    // SQLite looks a numbered parameter's name up in a list for every bound
                    // value (quadratic in a long statement); plain `?` it binds by position.
                    if sqlite {
                        sql.push('?');
                    } else {
                        sql.push('$');
                        sql.push_str(&k.to_string());
                    }
                    k += 1;
                }
                sql.push(')');
            }
            sql
        };
        let full = statement(per);
        let mut written = 0u64;
        let mut batch: Vec<Vec<V>> = Vec::with_capacity(per);
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            batch.clear();
            batch.extend(rows.by_ref().take(per));
            let partial;
            let sql = if batch.len() == per {
                full.as_str()
            } else {
                partial = statement(batch.len());
                partial.as_str()
            };
            let mut q = sqlx::query(sql);
            for row in batch.drain(..) {
                debug_assert_eq!(row.len(), columns.len());
                for v in row {
                    q = match v {
                        V::I(x) => q.bind(x),
                        V::F(x) => q.bind(x),
                        V::T(x) => q.bind(x),
                        V::NI(x) => q.bind(x),
                        V::NT(x) => q.bind(x),
                    };
                }
            }
            written += q.execute(&mut **tx).await?.rows_affected();
        }
        Ok(written)
    }
}

/// Every date must be one the store can write and read back.
fn check_dates(data: &BulkData) -> Result<()> {
    let mut dates: Vec<(&'static str, Date)> = Vec::new();
    for h in &data.homes {
        dates.push(("opened_on", h.opened_on));
        dates.extend(h.closed_on.map(|x| ("closed_on", x)));
    }
    for s in &data.stays {
        dates.push(("start", s.start));
        dates.push(("planned_end", s.planned_end));
        dates.extend(s.exit.as_ref().map(|e| ("exit_date", e.0)));
    }
    for (field, x) in dates {
        stored_date(field, x)?;
    }
    Ok(())
}
