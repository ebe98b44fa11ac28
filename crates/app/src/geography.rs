//! Geography: regions, municipalities and neighbourhoods with their centroids. Public
//! reference data: every signed-in user may read it; only administrators and the system
//! change it.

use crate::{App, AppError, Caller, Result};
use nabij_domain::access::Role;
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::*;
use nabij_domain::limits;
use nabij_domain::page::{Page, PageRequest};

pub use nabij_store::geography::{GeoRow, ImportSummary, Municipality, Neighbourhood};

#[tracing::instrument(skip_all)]
pub async fn municipalities(app: &App) -> Result<Vec<Municipality>> {
    Ok(app.db.municipalities().await?)
}

#[tracing::instrument(skip_all)]
pub async fn neighbourhoods(app: &App) -> Result<Vec<Neighbourhood>> {
    Ok(app.db.neighbourhoods().await?)
}

/// One page of municipalities by name, with their exact number.
#[tracing::instrument(skip_all)]
pub async fn municipalities_page(app: &App, page: &PageRequest) -> Result<Page<Municipality>> {
    Ok(app.db.municipalities_page(page).await?)
}

/// One page of neighbourhoods by name (of one municipality, or all), with their exact
/// number.
#[tracing::instrument(skip_all)]
pub async fn neighbourhoods_page(
    app: &App,
    of: Option<MunicipalityId>,
    page: &PageRequest,
) -> Result<Page<Neighbourhood>> {
    Ok(app.db.neighbourhoods_page(of, page).await?)
}

/// Municipalities as choices in a form: (id, name).
#[tracing::instrument(skip_all)]
pub async fn municipality_choices(app: &App) -> Result<Vec<crate::persons::Choice>> {
    Ok(municipalities(app)
        .await?
        .into_iter()
        .map(|m| (m.id.to_string(), m.name))
        .collect())
}

fn require_admin(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "de indeling in gemeenten en buurten beheert de beheerder".into(),
        ))
    }
}

/// A region (found by name, or made).
#[tracing::instrument(skip_all)]
pub async fn region(app: &App, caller: &Caller, name: &str) -> Result<RegionId> {
    require_admin(caller)?;
    Ok(app.db.create_region(name).await?)
}

#[tracing::instrument(skip_all)]
pub async fn add_municipality(
    app: &App,
    caller: &Caller,
    region: Option<RegionId>,
    code: Option<&str>,
    name: &str,
    centroid: GeoPoint,
) -> Result<MunicipalityId> {
    require_admin(caller)?;
    limits::check("name", name, limits::AREA_NAME)?;
    Ok(app
        .db
        .create_municipality(region, code, name, centroid)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn add_neighbourhood(
    app: &App,
    caller: &Caller,
    municipality: MunicipalityId,
    code: Option<&str>,
    name: &str,
    centroid: GeoPoint,
) -> Result<NeighbourhoodId> {
    require_admin(caller)?;
    limits::check("name", name, limits::AREA_NAME)?;
    Ok(app
        .db
        .create_neighbourhood(municipality, code, name, centroid)
        .await?)
}

/// Imports checked rows (line number, row) as a whole, or nothing.
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn import(app: &App, caller: &Caller, rows: &[(usize, GeoRow)]) -> Result<ImportSummary> {
    require_admin(caller)?;
    Ok(app.db.import_geography(rows).await?)
}
