//! Regions, municipalities and neighbourhoods.

use crate::convert::*;
use crate::{Db, Result, StoreError};
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::{MunicipalityId, NeighbourhoodId, RegionId};
use nabij_domain::page::{Cursor, Page, PageRequest};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Municipality {
    pub id: MunicipalityId,
    pub region_id: Option<RegionId>,
    pub region_name: Option<String>,
    pub code: Option<String>,
    pub name: String,
    pub centroid: GeoPoint,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Neighbourhood {
    pub id: NeighbourhoodId,
    pub municipality_id: MunicipalityId,
    pub municipality_name: String,
    pub code: Option<String>,
    pub name: String,
    pub centroid: GeoPoint,
}

/// One validated row of a geography import.
#[derive(Debug, Clone)]
pub enum GeoRow {
    Municipality {
        code: String,
        name: String,
        region: Option<String>,
        centroid: GeoPoint,
    },
    Neighbourhood {
        code: String,
        name: String,
        municipality_code: String,
        centroid: GeoPoint,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub municipalities_added: usize,
    pub municipalities_updated: usize,
    pub neighbourhoods_added: usize,
    pub neighbourhoods_updated: usize,
}

fn municipality(row: &AnyRow) -> Result<Municipality> {
    Ok(Municipality {
        id: MunicipalityId(get_i64(row, "id")?),
        region_id: get_opt_i64(row, "region_id")?.map(RegionId),
        region_name: get_opt_string(row, "region_name")?,
        code: get_opt_string(row, "code")?,
        name: get_string(row, "name")?,
        centroid: GeoPoint {
            lat: get_f64(row, "lat")?,
            lon: get_f64(row, "lon")?,
        },
    })
}

fn neighbourhood(row: &AnyRow) -> Result<Neighbourhood> {
    Ok(Neighbourhood {
        id: NeighbourhoodId(get_i64(row, "id")?),
        municipality_id: MunicipalityId(get_i64(row, "municipality_id")?),
        municipality_name: get_string(row, "municipality_name")?,
        code: get_opt_string(row, "code")?,
        name: get_string(row, "name")?,
        centroid: GeoPoint {
            lat: get_f64(row, "lat")?,
            lon: get_f64(row, "lon")?,
        },
    })
}

/// An organisation's capacity in one municipality, today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MunicipalityFree {
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    /// Homes in service with at least one place in service.
    pub homes: i64,
    /// Places in service.
    pub places: i64,
    /// Places in service, not blocked and not occupied.
    pub free: i64,
}

/// `SELECT …` and `FROM …` of a select.
fn split_select(sql: &str) -> (&str, String) {
    let (select, from) = sql.split_once(" FROM ").expect("the select has a FROM");
    (select, format!("FROM {from}"))
}

const MUNICIPALITY_SELECT: &str = "SELECT m.id, m.region_id, r.name AS region_name, m.code, m.name, m.lat, m.lon \
     FROM municipalities m LEFT JOIN regions r ON r.id = m.region_id";
const NEIGHBOURHOOD_SELECT: &str = "SELECT n.id, n.municipality_id, m.name AS municipality_name, n.code, n.name, n.lat, n.lon \
     FROM neighbourhoods n JOIN municipalities m ON m.id = n.municipality_id";

impl Db {
    pub async fn create_region(&self, name: &str) -> Result<RegionId> {
        let mut tx = self.begin().await?;
        let id = region_id_for(&mut tx, name).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn create_municipality(
        &self,
        region: Option<RegionId>,
        code: Option<&str>,
        name: &str,
        centroid: GeoPoint,
    ) -> Result<MunicipalityId> {
        let row = sqlx::query(
            "INSERT INTO municipalities (region_id, code, name, lat, lon) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(region.map(|r| r.0))
        .bind(code)
        .bind(name)
        .bind(centroid.lat)
        .bind(centroid.lon)
        .fetch_one(&self.write)
        .await
        .map_err(|e| conflict_on_unique(e, "er is al een gemeente met deze CBS-code"))?;
        Ok(MunicipalityId(get_i64(&row, "id")?))
    }

    pub async fn create_neighbourhood(
        &self,
        municipality: MunicipalityId,
        code: Option<&str>,
        name: &str,
        centroid: GeoPoint,
    ) -> Result<NeighbourhoodId> {
        let row = sqlx::query(
            "INSERT INTO neighbourhoods (municipality_id, code, name, lat, lon) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(municipality.0)
        .bind(code)
        .bind(name)
        .bind(centroid.lat)
        .bind(centroid.lon)
        .fetch_one(&self.write)
        .await
        .map_err(|e| conflict_on_unique(e, "er is al een buurt met deze CBS-code"))?;
        Ok(NeighbourhoodId(get_i64(&row, "id")?))
    }

    pub async fn municipalities(&self) -> Result<Vec<Municipality>> {
        let sql = format!("{MUNICIPALITY_SELECT} ORDER BY m.name");
        sqlx::query(&sql)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(municipality)
            .collect()
    }

    /// One page of municipalities by name, with their exact number.
    pub async fn municipalities_page(&self, req: &PageRequest) -> Result<Page<Municipality>> {
        let (select, from) = split_select(MUNICIPALITY_SELECT);
        self.read_page(
            crate::paging::ListQuery {
                select,
                from: &from,
                count_from: None,
                filter: Default::default(),
                order: crate::paging::Order::by("m.name", "m.id", false),
            },
            req,
            municipality,
            |m| Cursor::new(m.name.clone(), m.id.0),
        )
        .await
    }

    /// One page of neighbourhoods by name (of one municipality, or all), with their exact
    /// number.
    pub async fn neighbourhoods_page(
        &self,
        of: Option<MunicipalityId>,
        req: &PageRequest,
    ) -> Result<Page<Neighbourhood>> {
        let (select, from) = split_select(NEIGHBOURHOOD_SELECT);
        let mut filter = crate::paging::Where::default();
        if let Some(m) = of {
            filter.int("n.municipality_id = {}", m.0);
        }
        self.read_page(
            crate::paging::ListQuery {
                select,
                from: &from,
                count_from: None,
                filter,
                order: crate::paging::Order::by("n.name", "n.id", false),
            },
            req,
            neighbourhood,
            |n| Cursor::new(n.name.clone(), n.id.0),
        )
        .await
    }

    /// Free places now per municipality of an organisation's homes: homes and places in
    /// service on `today`, and of those places the ones neither blocked nor occupied.
    pub async fn free_places_by_municipality(
        &self,
        organisation: i64,
        today: jiff::civil::Date,
    ) -> Result<Vec<MunicipalityFree>> {
        let sql = format!(
            "SELECT m.id, m.name, COUNT(DISTINCT h.id) AS homes, COUNT(p.id) AS places, \
             COALESCE(SUM(CASE WHEN NOT {blocked} AND NOT EXISTS (SELECT 1 FROM stay_places sp \
             WHERE sp.place_id = p.id AND sp.released_on IS NULL) THEN 1 ELSE 0 END), 0) AS free \
             FROM homes h JOIN places p ON p.home_id = h.id JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             JOIN municipalities m ON m.id = n.municipality_id \
             WHERE h.organisation_id = $2 AND {in_service} GROUP BY m.id, m.name ORDER BY m.name, m.id",
            blocked = crate::homes::blocked_on("$1"),
            in_service = crate::homes::in_service_on("$1"),
        );
        sqlx::query(&sql)
            .bind(date_text(today))
            .bind(organisation)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| {
                Ok(MunicipalityFree {
                    municipality_id: MunicipalityId(get_i64(r, "id")?),
                    municipality: get_string(r, "name")?,
                    homes: get_i64(r, "homes")?,
                    places: get_i64(r, "places")?,
                    free: get_i64(r, "free")?,
                })
            })
            .collect()
    }

    pub async fn municipality(&self, id: MunicipalityId) -> Result<Municipality> {
        let sql = format!("{MUNICIPALITY_SELECT} WHERE m.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("municipality"))?;
        municipality(&row)
    }

    pub async fn neighbourhoods(&self) -> Result<Vec<Neighbourhood>> {
        let sql = format!("{NEIGHBOURHOOD_SELECT} ORDER BY m.name, n.name");
        sqlx::query(&sql)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(neighbourhood)
            .collect()
    }

    pub async fn neighbourhood(&self, id: NeighbourhoodId) -> Result<Neighbourhood> {
        let sql = format!("{NEIGHBOURHOOD_SELECT} WHERE n.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("neighbourhood"))?;
        neighbourhood(&row)
    }

    /// Imports validated rows in one transaction: added by CBS code or updated in place.
    /// A neighbourhood whose municipality is neither in the file nor in the database fails
    /// the whole import.
    #[tracing::instrument(skip_all, fields(rows = rows.len()))]
    pub async fn import_geography(&self, rows: &[(usize, GeoRow)]) -> Result<ImportSummary> {
        let mut tx = self.begin().await?;
        let mut summary = ImportSummary::default();
        for (_, row) in rows {
            if let GeoRow::Municipality {
                code,
                name,
                region,
                centroid,
            } = row
            {
                let region_id = match region {
                    Some(r) => Some(region_id_for(&mut tx, r).await?.0),
                    None => None,
                };
                let existing = sqlx::query("SELECT id FROM municipalities WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(e) = existing {
                    sqlx::query("UPDATE municipalities SET name = $1, lat = $2, lon = $3, region_id = COALESCE($4, region_id) WHERE id = $5")
                        .bind(name).bind(centroid.lat).bind(centroid.lon).bind(region_id).bind(get_i64(&e, "id")?)
                        .execute(&mut *tx).await?;
                    summary.municipalities_updated += 1;
                } else {
                    sqlx::query("INSERT INTO municipalities (region_id, code, name, lat, lon) VALUES ($1, $2, $3, $4, $5)")
                        .bind(region_id).bind(code).bind(name).bind(centroid.lat).bind(centroid.lon)
                        .execute(&mut *tx).await?;
                    summary.municipalities_added += 1;
                }
            }
        }
        for (line, row) in rows {
            if let GeoRow::Neighbourhood {
                code,
                name,
                municipality_code,
                centroid,
            } = row
            {
                let m = sqlx::query("SELECT id FROM municipalities WHERE code = $1")
                    .bind(municipality_code)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Invalid(format!(
                            "regel {line}: gemeente {municipality_code} van buurt {code} staat niet in het bestand en niet in de database"
                        ))
                    })?;
                let m = get_i64(&m, "id")?;
                let existing = sqlx::query("SELECT id FROM neighbourhoods WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(e) = existing {
                    sqlx::query("UPDATE neighbourhoods SET municipality_id = $1, name = $2, lat = $3, lon = $4 WHERE id = $5")
                        .bind(m).bind(name).bind(centroid.lat).bind(centroid.lon).bind(get_i64(&e, "id")?)
                        .execute(&mut *tx).await?;
                    summary.neighbourhoods_updated += 1;
                } else {
                    sqlx::query("INSERT INTO neighbourhoods (municipality_id, code, name, lat, lon) VALUES ($1, $2, $3, $4, $5)")
                        .bind(m).bind(code).bind(name).bind(centroid.lat).bind(centroid.lon)
                        .execute(&mut *tx).await?;
                    summary.neighbourhoods_added += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}

async fn region_id_for(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    name: &str,
) -> Result<RegionId> {
    if let Some(r) = sqlx::query("SELECT id FROM regions WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(RegionId(get_i64(&r, "id")?));
    }
    let r = sqlx::query("INSERT INTO regions (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
    Ok(RegionId(get_i64(&r, "id")?))
}

/// Turns a unique violation into a Dutch conflict message; other errors pass through.
pub(crate) fn conflict_on_unique(e: sqlx::Error, message: &str) -> StoreError {
    if StoreError::is_unique_violation(&e) {
        StoreError::Conflict(message.to_string())
    } else {
        e.into()
    }
}
