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
            "SELECT p.id, p.label, s.id AS stay_id, s.person_id, pe.first_name, s.start_date \
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
