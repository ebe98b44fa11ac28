//! Homes, their places, and blocking a place for a period.

use crate::convert::*;
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::placement::HomeAvailability;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewHome {
    pub organisation_id: i64,
    pub name: String,
    pub kind: HomeKind,
    pub address: String,
    pub neighbourhood: NeighbourhoodId,
    /// Where the house stands; the neighbourhood's centroid when unknown.
    pub point: Option<GeoPoint>,
    pub rules: HouseRules,
    pub max_stay_months: i8,
    pub landlord: Option<String>,
    pub places: usize,
    /// The first night the home (and its first places) can be used; the date of `now`
    /// when `None`.
    pub opened_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Home {
    pub id: HomeId,
    pub organisation_id: i64,
    pub name: String,
    pub kind: HomeKind,
    pub address: String,
    pub neighbourhood_id: NeighbourhoodId,
    pub neighbourhood_name: String,
    pub municipality_id: MunicipalityId,
    pub municipality_name: String,
    pub point: GeoPoint,
    pub rules: HouseRules,
    pub max_stay_months: i8,
    pub landlord: Option<String>,
    /// Open from this date…
    pub opened_on: Date,
    /// …up to, not including, this one.
    pub closed_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub id: i64,
    pub from: Date,
    pub until: Option<Date>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Occupant {
    pub stay_id: StayId,
    pub person_id: PersonId,
    pub first_name: String,
    pub start: Date,
}

/// A place as it stands today.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceStatus {
    pub id: PlaceId,
    pub label: String,
    /// Counts from this date…
    pub opened_on: Date,
    /// …up to, not including, this one.
    pub retired_on: Option<Date>,
    pub occupant: Option<Occupant>,
    pub block: Option<Block>,
    pub upcoming_blocks: Vec<Block>,
}

impl PlaceStatus {
    pub fn is_free(&self) -> bool {
        self.occupant.is_none() && self.block.is_none()
    }
}

const HOME_SELECT: &str = "SELECT h.id, h.organisation_id, h.name, h.kind, h.address, h.neighbourhood_id, n.name AS neighbourhood_name, \
     n.municipality_id, m.name AS municipality_name, h.lat, h.lon, h.women_only, h.accessible, h.pets_allowed, \
     h.max_stay_months, h.landlord, h.opened_on, h.closed_on \
     FROM homes h JOIN neighbourhoods n ON n.id = h.neighbourhood_id JOIN municipalities m ON m.id = n.municipality_id";

fn home(row: &AnyRow) -> Result<Home> {
    Ok(Home {
        id: HomeId(get_i64(row, "id")?),
        organisation_id: get_i64(row, "organisation_id")?,
        name: get_string(row, "name")?,
        kind: get_code(row, "kind", HomeKind::parse)?,
        address: get_string(row, "address")?,
        neighbourhood_id: NeighbourhoodId(get_i64(row, "neighbourhood_id")?),
        neighbourhood_name: get_string(row, "neighbourhood_name")?,
        municipality_id: MunicipalityId(get_i64(row, "municipality_id")?),
        municipality_name: get_string(row, "municipality_name")?,
        point: GeoPoint {
            lat: get_f64(row, "lat")?,
            lon: get_f64(row, "lon")?,
        },
        rules: HouseRules {
            women_only: get_bool(row, "women_only")?,
            accessible: get_bool(row, "accessible")?,
            pets_allowed: get_bool(row, "pets_allowed")?,
        },
        max_stay_months: get_i64(row, "max_stay_months")? as i8,
        landlord: get_opt_string(row, "landlord")?,
        opened_on: get_date(row, "opened_on")?,
        closed_on: get_opt_date(row, "closed_on")?,
    })
}

fn block(row: &AnyRow) -> Result<Block> {
    Ok(Block {
        id: get_i64(row, "block_id")?,
        from: get_date(row, "from_date")?,
        until: get_opt_date(row, "until_date")?,
        reason: get_string(row, "reason")?,
    })
}

/// SQL condition: home `h` and place `p` are in service on the date bound to `date_param`:
/// the home is open and the place added and not retired. Shared by availability, the
/// placement guard and every capacity count.
pub(crate) fn in_service_on(date_param: &str) -> String {
    format!(
        "h.opened_on <= {date_param} AND (h.closed_on IS NULL OR h.closed_on > {date_param}) \
         AND p.opened_on <= {date_param} AND (p.retired_on IS NULL OR p.retired_on > {date_param})"
    )
}

/// SQL condition: place `p` is blocked on the date bound to `date_param` (e.g. `"$1"`).
/// Shared by the availability query and the placement guard, so both mean the same by
/// "blocked" (a block's until date is inclusive).
pub(crate) fn blocked_on(date_param: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM place_blocks b WHERE b.place_id = p.id \
         AND b.from_date <= {date_param} AND (b.until_date IS NULL OR b.until_date >= {date_param}))"
    )
}

impl Db {
    #[tracing::instrument(skip_all, fields(name = %new.name))]
    pub async fn create_home(&self, new: &NewHome, now: Timestamp) -> Result<HomeId> {
        let opened_on = stored_date(
            "opened_on",
            new.opened_on
                .unwrap_or_else(|| jiff::tz::TimeZone::UTC.to_datetime(now).date()),
        )?;
        let mut tx = self.begin().await?;
        let point = match new.point {
            Some(p) => p,
            None => {
                let n = sqlx::query("SELECT lat, lon FROM neighbourhoods WHERE id = $1")
                    .bind(new.neighbourhood.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Invalid("onbekende buurt".into()))?;
                GeoPoint {
                    lat: get_f64(&n, "lat")?,
                    lon: get_f64(&n, "lon")?,
                }
            }
        };
        let row = sqlx::query(
            "INSERT INTO homes (name, kind, address, neighbourhood_id, lat, lon, women_only, accessible, pets_allowed, \
             max_stay_months, landlord, created_at, organisation_id, opened_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.kind.code())
        .bind(&new.address)
        .bind(new.neighbourhood.0)
        .bind(point.lat)
        .bind(point.lon)
        .bind(flag(new.rules.women_only))
        .bind(flag(new.rules.accessible))
        .bind(flag(new.rules.pets_allowed))
        .bind(new.max_stay_months as i64)
        .bind(new.landlord.as_deref())
        .bind(ts_text(now))
        .bind(new.organisation_id)
        .bind(&opened_on)
        .fetch_one(&mut *tx)
        .await?;
        let id = get_i64(&row, "id")?;
        for n in 1..=new.places {
            sqlx::query("INSERT INTO places (home_id, label, opened_on) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(format!("Plek {n}"))
                .bind(&opened_on)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(HomeId(id))
    }

    pub async fn homes(&self, organisation: i64) -> Result<Vec<Home>> {
        let sql = format!("{HOME_SELECT} WHERE h.organisation_id = $1 ORDER BY m.name, h.name");
        sqlx::query(&sql)
            .bind(organisation)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(home)
            .collect()
    }

    pub async fn home(&self, id: HomeId) -> Result<Home> {
        let sql = format!("{HOME_SELECT} WHERE h.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("home"))?;
        home(&row)
    }

    /// Every home of an organisation with its free places today: the input of the
    /// placement ranking. With `only` set, just that home (if it is the organisation's).
    #[tracing::instrument(skip_all)]
    pub async fn availability(
        &self,
        today: Date,
        organisation: i64,
        only: Option<HomeId>,
    ) -> Result<Vec<HomeAvailability>> {
        let blocked = blocked_on("$1");
        let in_service = in_service_on("$1");
        let sql = format!(
            "SELECT h.id, h.name, h.kind, h.lat, h.lon, h.women_only, h.accessible, h.pets_allowed, h.max_stay_months, \
             n.id AS neighbourhood_id, n.name AS neighbourhood_name, m.id AS municipality_id, m.name AS municipality_name, \
             p.id AS place_id, \
             CASE WHEN sp.place_id IS NULL AND NOT {blocked} THEN 1 ELSE 0 END AS free \
             FROM homes h JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             JOIN municipalities m ON m.id = n.municipality_id \
             JOIN places p ON p.home_id = h.id \
             LEFT JOIN stay_places sp ON sp.place_id = p.id AND sp.released_on IS NULL \
             {} AND {in_service} ORDER BY h.id, p.id",
            // A separate statement for one home, so it is an index lookup, not a scan.
            if only.is_some() {
                "WHERE h.organisation_id = $2 AND h.id = $3"
            } else {
                "WHERE h.organisation_id = $2"
            }
        );
        let mut query = sqlx::query(&sql).bind(date_text(today)).bind(organisation);
        if let Some(h) = only {
            query = query.bind(h.0);
        }
        let rows = query.fetch_all(self.reader()).await?;
        let mut out: Vec<HomeAvailability> = Vec::new();
        for row in &rows {
            let id = HomeId(get_i64(row, "id")?);
            if out.last().map(|h| h.home) != Some(id) {
                out.push(HomeAvailability {
                    home: id,
                    home_name: get_string(row, "name")?.into(),
                    kind: get_code(row, "kind", HomeKind::parse)?,
                    rules: HouseRules {
                        women_only: get_bool(row, "women_only")?,
                        accessible: get_bool(row, "accessible")?,
                        pets_allowed: get_bool(row, "pets_allowed")?,
                    },
                    municipality: MunicipalityId(get_i64(row, "municipality_id")?),
                    municipality_name: get_string(row, "municipality_name")?.into(),
                    neighbourhood: NeighbourhoodId(get_i64(row, "neighbourhood_id")?),
                    neighbourhood_name: get_string(row, "neighbourhood_name")?.into(),
                    point: GeoPoint {
                        lat: get_f64(row, "lat")?,
                        lon: get_f64(row, "lon")?,
                    },
                    total_places: 0,
                    max_stay_months: get_i64(row, "max_stay_months")? as i8,
                    free_places: Vec::new(),
                });
            }
            let h = out.last_mut().expect("pushed above");
            h.total_places += 1;
            if get_bool(row, "free")? {
                h.free_places.push(PlaceId(get_i64(row, "place_id")?));
            }
        }
        Ok(out)
    }

    /// The places of one home with occupant and blocks as of `today`.
    pub async fn places_of_home(&self, home: HomeId, today: Date) -> Result<Vec<PlaceStatus>> {
        let places = sqlx::query(
            "SELECT p.id, p.label, p.opened_on, p.retired_on, s.id AS stay_id, s.person_id, pe.first_name, s.start_date \
             FROM places p LEFT JOIN stay_places sp ON sp.place_id = p.id AND sp.released_on IS NULL \
             LEFT JOIN stays s ON s.id = sp.stay_id LEFT JOIN persons pe ON pe.id = s.person_id \
             WHERE p.home_id = $1 ORDER BY p.id",
        )
        .bind(home.0)
        .fetch_all(self.reader())
        .await?;
        let blocks = sqlx::query(
            "SELECT b.id AS block_id, b.place_id, b.from_date, b.until_date, b.reason FROM place_blocks b \
             JOIN places p ON p.id = b.place_id WHERE p.home_id = $1 \
             AND (b.until_date IS NULL OR b.until_date >= $2) ORDER BY b.from_date",
        )
        .bind(home.0)
        .bind(date_text(today))
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::with_capacity(places.len());
        for row in &places {
            let id = get_i64(row, "id")?;
            let occupant = match get_opt_i64(row, "stay_id")? {
                Some(stay) => Some(Occupant {
                    stay_id: StayId(stay),
                    person_id: PersonId(get_i64(row, "person_id")?),
                    first_name: get_string(row, "first_name")?,
                    start: get_date(row, "start_date")?,
                }),
                None => None,
            };
            let mut current = None;
            let mut upcoming = Vec::new();
            for b in blocks
                .iter()
                .filter(|b| get_i64(b, "place_id").ok() == Some(id))
            {
                let b = block(b)?;
                if b.from <= today {
                    current = Some(b);
                } else {
                    upcoming.push(b);
                }
            }
            out.push(PlaceStatus {
                id: PlaceId(id),
                label: get_string(row, "label")?,
                opened_on: get_date(row, "opened_on")?,
                retired_on: get_opt_date(row, "retired_on")?,
                occupant,
                block: current,
                upcoming_blocks: upcoming,
            });
        }
        Ok(out)
    }

    /// Blocks a place from `from` up to and including `until` (open-ended when `None`).
    pub async fn block_place(
        &self,
        place: PlaceId,
        from: Date,
        until: Option<Date>,
        reason: &str,
        now: Timestamp,
    ) -> Result<i64> {
        if until.is_some_and(|u| u < from) {
            return Err(StoreError::Invalid(
                "de einddatum van de blokkade ligt vóór de begindatum".into(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO place_blocks (place_id, from_date, until_date, reason, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(place.0)
        .bind(stored_date("from", from)?)
        .bind(stored_opt_date("until", until)?)
        .bind(reason)
        .bind(ts_text(now))
        .fetch_one(&self.write)
        .await?;
        get_i64(&row, "id")
    }

    /// Ends a block so the place is free from `today`; a block that had not begun is removed.
    pub async fn end_block(&self, block_id: i64, today: Date) -> Result<()> {
        let last_day = date_text(today.yesterday().unwrap_or(today));
        let mut tx = self.begin().await?;
        let removed = sqlx::query("DELETE FROM place_blocks WHERE id = $1 AND from_date > $2")
            .bind(block_id)
            .bind(&last_day)
            .execute(&mut *tx)
            .await?;
        let shortened = sqlx::query(
            "UPDATE place_blocks SET until_date = $1 WHERE id = $2 AND (until_date IS NULL OR until_date > $1)",
        )
        .bind(&last_day)
        .bind(block_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if removed.rows_affected() + shortened.rows_affected() == 0 {
            return Err(StoreError::NotFound("block"));
        }
        Ok(())
    }

    /// The home whose place a block is on.
    pub async fn home_of_block(&self, block: i64) -> Result<HomeId> {
        let row = sqlx::query(
            "SELECT p.home_id FROM place_blocks b JOIN places p ON p.id = b.place_id WHERE b.id = $1",
        )
        .bind(block)
        .fetch_optional(self.reader())
        .await?
        .ok_or(StoreError::NotFound("block"))?;
        Ok(HomeId(get_i64(&row, "home_id")?))
    }

    /// The home a place belongs to.
    pub async fn home_of_place(&self, place: PlaceId) -> Result<HomeId> {
        let row = sqlx::query("SELECT home_id FROM places WHERE id = $1")
            .bind(place.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("place"))?;
        Ok(HomeId(get_i64(&row, "home_id")?))
    }
}

/// What changes about a home when it is edited.
#[derive(Debug, Clone)]
pub struct HomeEdit {
    pub name: String,
    pub kind: HomeKind,
    pub address: String,
    pub neighbourhood: NeighbourhoodId,
    /// Where the house stands; the neighbourhood's centroid when unknown.
    pub point: Option<GeoPoint>,
    pub rules: HouseRules,
    pub max_stay_months: i8,
    pub landlord: Option<String>,
    pub opened_on: Date,
}

/// Which homes a list shows.
#[derive(Debug, Clone, Default)]
pub struct HomeFilter {
    pub municipality: Option<MunicipalityId>,
    pub kind: Option<HomeKind>,
    /// Also homes closed on or before today.
    pub also_closed: bool,
}

/// A home in a list, with its places in service today and how many of them are free.
#[derive(Debug, Clone)]
pub struct HomeListRow {
    pub home: Home,
    pub places: i64,
    pub free_places: i64,
    /// Occupied, available and blocked place-nights over the occupancy window.
    pub occupied_nights: i64,
    pub place_nights: i64,
    pub blocked_nights: i64,
}

/// One recorded change of a home or one of its places.
#[derive(Debug, Clone, Serialize)]
pub struct HomeChange {
    pub what: String,
    pub place_label: Option<String>,
    pub effective_on: Option<Date>,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

/// A change refused by a rule on the home's dates (Dutch, for the field named).
pub type Checked<T> = std::result::Result<T, Vec<nabij_domain::RuleViolation>>;

fn period(row: &AnyRow, from: &'static str, to: &'static str) -> Result<ServicePeriod> {
    Ok(ServicePeriod {
        opened_on: get_date(row, from)?,
        closed_on: get_opt_date(row, to)?,
    })
}

use nabij_domain::home::ServicePeriod;
use nabij_domain::page::{Cursor, Page, PageRequest};

async fn record_change(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    home: HomeId,
    place: Option<PlaceId>,
    what: &str,
    effective_on: Option<Date>,
    by: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO home_changes (home_id, place_id, what, effective_on, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(home.0)
    .bind(place.map(|p| p.0))
    .bind(what)
    .bind(effective_on.map(date_text))
    .bind(by)
    .bind(ts_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The planned ends of the running stays holding places of a home (`place` set: that place).
async fn stays_end(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    home: HomeId,
    place: Option<PlaceId>,
) -> Result<Vec<Date>> {
    let sql = format!(
        "SELECT s.planned_end FROM stay_places sp JOIN stays s ON s.id = sp.stay_id \
         JOIN places p ON p.id = sp.place_id \
         WHERE sp.released_on IS NULL AND s.exit_date IS NULL AND p.home_id = $1{}",
        if place.is_some() {
            " AND p.id = $2"
        } else {
            ""
        }
    );
    let mut q = sqlx::query(&sql).bind(home.0);
    if let Some(p) = place {
        q = q.bind(p.0);
    }
    q.fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| get_date(r, "planned_end"))
        .collect()
}

async fn home_period(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    home: HomeId,
) -> Result<ServicePeriod> {
    let row = sqlx::query("SELECT opened_on, closed_on FROM homes WHERE id = $1")
        .bind(home.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("home"))?;
    period(&row, "opened_on", "closed_on")
}

impl Db {
    /// Keeps placements out while a place is retired or a home closed, so a resident
    /// placed meanwhile is either seen by the check or finds the place out of service.
    /// SQLite has one writer already; PostgreSQL locks the table placements write to.
    async fn hold_placements(&self, tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
        if self.backend() == crate::Backend::Postgres {
            sqlx::query("LOCK TABLE stay_places IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Records who opened a home (after [`Db::create_home`]).
    pub async fn record_home_opened(
        &self,
        home: HomeId,
        opened_on: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.record_home_change(home, None, "geopend", Some(opened_on), by, now)
            .await
    }

    /// Records a change of a home or one of its places made elsewhere (a block set or
    /// ended): who, when, from which date.
    pub async fn record_home_change(
        &self,
        home: HomeId,
        place: Option<PlaceId>,
        what: &str,
        effective_on: Option<Date>,
        by: &str,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        record_change(&mut tx, home, place, what, effective_on, by, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a home's details and opening date. A new opening date moves the places that
    /// opened with the home along; it may not fall after a stay in the home began, nor on
    /// or after its closing date.
    #[tracing::instrument(skip_all, fields(home = id.0))]
    pub async fn update_home(
        &self,
        id: HomeId,
        edit: &HomeEdit,
        by: &str,
        now: Timestamp,
    ) -> Result<Checked<()>> {
        let opened = stored_date("opened_on", edit.opened_on)?;
        let mut tx = self.begin().await?;
        let before = home_period(&mut tx, id).await?;
        let mut errors = Vec::new();
        if let Some(c) = before.closed_on
            && edit.opened_on >= c
        {
            errors.push(nabij_domain::RuleViolation::new(
                "opened_on",
                format!(
                    "het huis sluit op {}; de openingsdatum moet daarvoor liggen",
                    nabij_domain::labels::date(c)
                ),
            ));
        }
        let first = sqlx::query("SELECT MIN(start_date) AS first FROM stays WHERE home_id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(first) = get_opt_date(&first, "first")?
            && first < edit.opened_on
        {
            errors.push(nabij_domain::RuleViolation::new(
                "opened_on",
                format!(
                    "er woont al iemand sinds {}; de openingsdatum kan niet later liggen",
                    nabij_domain::labels::date(first)
                ),
            ));
        }
        let point = match edit.point {
            Some(p) => p,
            None => {
                let n = sqlx::query("SELECT lat, lon FROM neighbourhoods WHERE id = $1")
                    .bind(edit.neighbourhood.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Invalid("onbekende buurt".into()))?;
                GeoPoint {
                    lat: get_f64(&n, "lat")?,
                    lon: get_f64(&n, "lon")?,
                }
            }
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        sqlx::query(
            "UPDATE homes SET name = $1, kind = $2, address = $3, neighbourhood_id = $4, lat = $5, lon = $6, \
             women_only = $7, accessible = $8, pets_allowed = $9, max_stay_months = $10, landlord = $11, \
             opened_on = $12 WHERE id = $13",
        )
        .bind(&edit.name)
        .bind(edit.kind.code())
        .bind(&edit.address)
        .bind(edit.neighbourhood.0)
        .bind(point.lat)
        .bind(point.lon)
        .bind(flag(edit.rules.women_only))
        .bind(flag(edit.rules.accessible))
        .bind(flag(edit.rules.pets_allowed))
        .bind(edit.max_stay_months as i64)
        .bind(edit.landlord.as_deref())
        .bind(&opened)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if edit.opened_on != before.opened_on {
            sqlx::query(
                "UPDATE places SET opened_on = $1 WHERE home_id = $2 AND opened_on = $3 \
                 AND (retired_on IS NULL OR retired_on > $1)",
            )
            .bind(&opened)
            .bind(id.0)
            .bind(date_text(before.opened_on))
            .execute(&mut *tx)
            .await?;
        }
        let what = if edit.opened_on != before.opened_on {
            "gewijzigd (openingsdatum)"
        } else {
            "gewijzigd"
        };
        record_change(&mut tx, id, None, what, Some(edit.opened_on), by, now).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Adds `count` places to a home, counting from `from`.
    #[tracing::instrument(skip_all, fields(home = home.0))]
    pub async fn add_places(
        &self,
        home: HomeId,
        count: i64,
        from: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<Checked<Vec<PlaceId>>> {
        let mut tx = self.begin().await?;
        let p = home_period(&mut tx, home).await?;
        let errors = nabij_domain::home::check_new_places(p, from, count);
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let labels: std::collections::HashSet<String> =
            sqlx::query("SELECT label FROM places WHERE home_id = $1")
                .bind(home.0)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| get_string(r, "label"))
                .collect::<Result<_>>()?;
        let from_text = stored_date("from", from)?;
        let mut ids = Vec::new();
        let mut n = 0;
        while (ids.len() as i64) < count {
            n += 1;
            let label = format!("Plek {n}");
            if labels.contains(&label) {
                continue;
            }
            let row = sqlx::query(
                "INSERT INTO places (home_id, label, opened_on) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(home.0)
            .bind(&label)
            .bind(&from_text)
            .fetch_one(&mut *tx)
            .await?;
            let id = PlaceId(get_i64(&row, "id")?);
            record_change(
                &mut tx,
                home,
                Some(id),
                "plek toegevoegd",
                Some(from),
                by,
                now,
            )
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Ok(ids))
    }

    /// Retires a place from `on`: from that night it no longer counts.
    #[tracing::instrument(skip_all, fields(place = place.0))]
    pub async fn retire_place(
        &self,
        place: PlaceId,
        on: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        self.hold_placements(&mut tx).await?;
        let row = sqlx::query("SELECT home_id, opened_on, retired_on FROM places WHERE id = $1")
            .bind(place.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("place"))?;
        let home = HomeId(get_i64(&row, "home_id")?);
        let place_period = period(&row, "opened_on", "retired_on")?;
        let home_p = home_period(&mut tx, home).await?;
        let ends = stays_end(&mut tx, home, Some(place)).await?;
        if let Err(e) = nabij_domain::home::check_retire(place_period, home_p, on, &ends) {
            return Ok(Err(vec![e]));
        }
        sqlx::query("UPDATE places SET retired_on = $1 WHERE id = $2")
            .bind(stored_date("retired_on", on)?)
            .bind(place.0)
            .execute(&mut *tx)
            .await?;
        record_change(
            &mut tx,
            home,
            Some(place),
            "plek buiten gebruik",
            Some(on),
            by,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Closes a home from `on`: from that night none of its places counts.
    #[tracing::instrument(skip_all, fields(home = home.0))]
    pub async fn close_home(
        &self,
        home: HomeId,
        on: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        self.hold_placements(&mut tx).await?;
        let p = home_period(&mut tx, home).await?;
        let ends = stays_end(&mut tx, home, None).await?;
        if let Err(e) = nabij_domain::home::check_close(p, on, &ends) {
            return Ok(Err(vec![e]));
        }
        sqlx::query("UPDATE homes SET closed_on = $1 WHERE id = $2")
            .bind(stored_date("closed_on", on)?)
            .bind(home.0)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, home, None, "gesloten", Some(on), by, now).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Undoes a closing that has not taken effect on `today`.
    #[tracing::instrument(skip_all, fields(home = home.0))]
    pub async fn reopen_home(
        &self,
        home: HomeId,
        today: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        let p = home_period(&mut tx, home).await?;
        if let Err(e) = nabij_domain::home::check_reopen(p, today) {
            return Ok(Err(vec![e]));
        }
        sqlx::query("UPDATE homes SET closed_on = NULL WHERE id = $1")
            .bind(home.0)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, home, None, "sluiting teruggedraaid", None, by, now).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The recorded changes of a home, newest first.
    pub async fn home_changes(&self, home: HomeId) -> Result<Vec<HomeChange>> {
        sqlx::query(
            "SELECT c.what, p.label, c.effective_on, c.changed_by, c.changed_at FROM home_changes c \
             LEFT JOIN places p ON p.id = c.place_id WHERE c.home_id = $1 ORDER BY c.id DESC",
        )
        .bind(home.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(HomeChange {
                what: get_string(r, "what")?,
                place_label: get_opt_string(r, "label")?,
                effective_on: get_opt_date(r, "effective_on")?,
                changed_by: get_string(r, "changed_by")?,
                changed_at: get_ts(r, "changed_at")?,
            })
        })
        .collect()
    }

    /// One page of an organisation's homes by name, with their places in service `today`,
    /// the free ones, and place-nights over `[occupancy_from, today)`. The count is exact;
    /// only the conditions set are in the query, so each one can use its index.
    #[tracing::instrument(skip_all)]
    pub async fn home_page(
        &self,
        organisation: i64,
        filter: &HomeFilter,
        req: &PageRequest,
        today: Date,
        occupancy_from: Date,
    ) -> Result<Page<HomeListRow>> {
        // $1 organisation, $2 today; the rest numbered as they are added.
        let mut conditions = vec!["h.organisation_id = $1".to_string()];
        let mut texts: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        // Bound in order: ints first ($3…), then texts.
        if let Some(m) = filter.municipality {
            ints.push(m.0);
            conditions.push(format!("n.municipality_id = ${}", 2 + ints.len()));
        }
        let mut next = 3 + ints.len();
        if let Some(k) = filter.kind {
            texts.push(k.code().to_string());
            conditions.push(format!("h.kind = ${next}"));
            next += 1;
        }
        if !filter.also_closed {
            conditions.push("(h.closed_on IS NULL OR h.closed_on > $2)".into());
        }
        let filtered = conditions.join(" AND ");
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM homes h JOIN neighbourhoods n ON n.id = h.neighbourhood_id WHERE {filtered}"
        );
        let mut page_conditions = filtered.clone();
        if req.after.is_some() {
            page_conditions.push_str(&format!(
                " AND (h.name > ${a} OR (h.name = ${a} AND h.id > ${b}))",
                a = next,
                b = next + 1
            ));
        }
        let page_sql = format!(
            "{HOME_SELECT} WHERE {page_conditions} ORDER BY h.name, h.id LIMIT {}",
            req.fetch()
        );
        let today_text = date_text(today);
        fn bind_all<'q>(
            sql: &'q str,
            organisation: i64,
            today_text: &str,
            ints: &[i64],
            texts: &[String],
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
            let mut q = sqlx::query(sql)
                .bind(organisation)
                .bind(today_text.to_owned());
            for i in ints {
                q = q.bind(*i);
            }
            for t in texts {
                q = q.bind(t.clone());
            }
            q
        }
        let total = get_i64(
            &bind_all(&count_sql, organisation, &today_text, &ints, &texts)
                .fetch_one(self.reader())
                .await?,
            "n",
        )?;
        let mut q = bind_all(&page_sql, organisation, &today_text, &ints, &texts);
        if let Some(after) = &req.after {
            q = q.bind(after.key.clone()).bind(after.id);
        }
        let homes = q
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(home)
            .collect::<Result<Vec<_>>>()?;
        let counts = self
            .place_counts(
                &homes.iter().map(|h| h.id).collect::<Vec<_>>(),
                today,
                occupancy_from,
            )
            .await?;
        let rows = homes
            .into_iter()
            .map(|h| {
                let c = counts.get(&h.id).copied().unwrap_or_default();
                HomeListRow {
                    home: h,
                    places: c.places,
                    free_places: c.free,
                    occupied_nights: c.occupied_nights,
                    place_nights: c.place_nights,
                    blocked_nights: c.blocked_nights,
                }
            })
            .collect();
        Ok(Page::from_rows(rows, req.size, total, |r: &HomeListRow| {
            Cursor::new(r.home.name.clone(), r.home.id.0)
        }))
    }

    /// Places in service on `today` and free ones, and place-nights over
    /// `[from, today)`, for a few homes.
    pub async fn place_counts(
        &self,
        homes: &[HomeId],
        today: Date,
        from: Date,
    ) -> Result<std::collections::HashMap<HomeId, PlaceCounts>> {
        use nabij_domain::measures::nights_in_period;
        let mut out: std::collections::HashMap<HomeId, PlaceCounts> = Default::default();
        if homes.is_empty() {
            return Ok(out);
        }
        let list = (0..homes.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        // Places in service on some night of the window or today; $1 today, $2 the window's start.
        let sql = format!(
            "SELECT p.id, p.home_id, p.opened_on, p.retired_on, h.opened_on AS home_opened_on, h.closed_on, \
             CASE WHEN sp.place_id IS NULL AND NOT {blocked} THEN 1 ELSE 0 END AS free \
             FROM places p JOIN homes h ON h.id = p.home_id \
             LEFT JOIN stay_places sp ON sp.place_id = p.id AND sp.released_on IS NULL \
             WHERE p.home_id IN ({list}) AND (p.retired_on IS NULL OR p.retired_on > $2)",
            blocked = blocked_on("$1")
        );
        let mut q = sqlx::query(&sql)
            .bind(date_text(today))
            .bind(date_text(from));
        for h in homes {
            q = q.bind(h.0);
        }
        let mut service: std::collections::HashMap<i64, (HomeId, Date, Date)> = Default::default();
        for r in &q.fetch_all(self.reader()).await? {
            let home_id = HomeId(get_i64(r, "home_id")?);
            let place = period(r, "opened_on", "retired_on")?;
            let home = period(r, "home_opened_on", "closed_on")?;
            let c = out.entry(home_id).or_default();
            if place.in_service_on(today) && home.in_service_on(today) {
                c.places += 1;
                if get_bool(r, "free")? {
                    c.free += 1;
                }
            }
            // Nights in the window this place counted: both it and its home in service.
            let start = place.opened_on.max(home.opened_on).max(from);
            let end = [place.closed_on, home.closed_on, Some(today)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(today);
            if start < end {
                c.place_nights += nights_in_period(start, end, from, today);
                service.insert(get_i64(r, "id")?, (home_id, start, end));
            }
        }
        let (f, t) = (date_text(from), date_text(today));
        let occupied_sql = format!(
            "SELECT sp.place_id, s.start_date, sp.released_on FROM stay_places sp JOIN stays s ON s.id = sp.stay_id \
             JOIN places p ON p.id = sp.place_id WHERE p.home_id IN ({list}) \
             AND s.start_date < $2 AND (sp.released_on IS NULL OR sp.released_on > $1)"
        );
        let mut q = sqlx::query(&occupied_sql).bind(&f).bind(&t);
        for h in homes {
            q = q.bind(h.0);
        }
        for r in &q.fetch_all(self.reader()).await? {
            let Some((home, start, end)) = service.get(&get_i64(r, "place_id")?).copied() else {
                continue;
            };
            let until = get_opt_date(r, "released_on")?.unwrap_or(today);
            out.entry(home).or_default().occupied_nights +=
                nights_in_period(get_date(r, "start_date")?, until, start, end);
        }
        let blocked_sql = format!(
            "SELECT b.place_id, b.from_date, b.until_date FROM place_blocks b JOIN places p ON p.id = b.place_id \
             WHERE p.home_id IN ({list}) AND b.from_date < $2 AND (b.until_date IS NULL OR b.until_date >= $1)"
        );
        let mut q = sqlx::query(&blocked_sql).bind(&f).bind(&t);
        for h in homes {
            q = q.bind(h.0);
        }
        for r in &q.fetch_all(self.reader()).await? {
            let Some((home, start, end)) = service.get(&get_i64(r, "place_id")?).copied() else {
                continue;
            };
            // A block's until date is inclusive.
            let until = get_opt_date(r, "until_date")?
                .map(|d| d.tomorrow().unwrap_or(d))
                .unwrap_or(today);
            out.entry(home).or_default().blocked_nights +=
                nights_in_period(get_date(r, "from_date")?, until, start, end);
        }
        Ok(out)
    }

    /// Municipalities with their neighbourhoods, by name: the choices of a home's area.
    pub async fn neighbourhoods_by_municipality(
        &self,
    ) -> Result<Vec<(String, Vec<(i64, String)>)>> {
        let rows = sqlx::query(
            "SELECT m.id AS municipality_id, m.name AS municipality_name, n.id, n.name \
             FROM neighbourhoods n JOIN municipalities m ON m.id = n.municipality_id \
             ORDER BY m.name, m.id, n.name, n.id",
        )
        .fetch_all(self.reader())
        .await?;
        let mut out: Vec<(i64, AreaGroup)> = Vec::new();
        for r in &rows {
            let m = get_i64(r, "municipality_id")?;
            if out.last().map(|o| o.0) != Some(m) {
                out.push((m, (get_string(r, "municipality_name")?, Vec::new())));
            }
            out.last_mut()
                .expect("pushed above")
                .1
                .1
                .push((get_i64(r, "id")?, get_string(r, "name")?));
        }
        Ok(out.into_iter().map(|(_, g)| g).collect())
    }
}

/// A municipality's name and its neighbourhoods (id, name).
pub type AreaGroup = (String, Vec<(i64, String)>);

/// Places of a home today and its place-nights over a window.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlaceCounts {
    pub places: i64,
    pub free: i64,
    pub occupied_nights: i64,
    pub place_nights: i64,
    pub blocked_nights: i64,
}
