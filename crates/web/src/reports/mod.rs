//! Reports: the measures over a period, by municipality, kind of home, home and month;
//! their definitions, exports and API.

pub mod api;
pub mod chart;
pub mod export;
pub mod pages;

use crate::routes::{PLANNING, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::reports::ReportAnswer;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/rapportage", PLANNING, "Rapportage", pages::show).menu("Rapportage", "rapportage")
        .page(M::GET, "/rapportage/per-gemeente", PLANNING, "Rapportage per gemeente", pages::municipalities)
        .page(M::GET, "/rapportage/per-soort", PLANNING, "Rapportage per soort huis", pages::kinds)
        .page(M::GET, "/rapportage/per-huis", PLANNING, "Rapportage per huis", pages::homes)
        .page(M::GET, "/rapportage/per-maand", PLANNING, "Rapportage per maand", pages::months)
        .page(M::GET, "/rapportage/definities", PLANNING, "Definities van de rapportage", pages::definitions)
        .page(M::GET, "/rapportage/export.csv", PLANNING, "Rapportagetabel als CSV", pages::export_csv)
        .page(M::GET, "/rapportage/export.xlsx", PLANNING, "Rapportagepagina als Excel", pages::export_xlsx)
        .api(M::GET, "/api/v1/reports/summary", PLANNING, "The measures beside the previous period, per municipality and per month (small numbers suppressed)", doc::<ReportAnswer>("reports", 200).query::<api::ReportParams>(), api::summary)
        .api(M::GET, "/api/v1/reports/municipalities", PLANNING, "The measures per municipality, occupancy and no-place events per municipality per month (small numbers suppressed)", doc::<ReportAnswer>("reports", 200).query::<api::ReportParams>(), api::municipalities)
        .api(M::GET, "/api/v1/reports/kinds", PLANNING, "The measures per kind of home (small numbers suppressed)", doc::<ReportAnswer>("reports", 200).query::<api::ReportParams>(), api::kinds)
        .api(M::GET, "/api/v1/reports/homes", PLANNING, "The measures per home, a page at a time (small numbers suppressed)", doc::<ReportAnswer>("reports", 200).query::<api::HomeReportParams>(), api::homes)
        .api(M::GET, "/api/v1/reports/months", PLANNING, "The measures per month (small numbers suppressed)", doc::<ReportAnswer>("reports", 200).query::<api::ReportParams>(), api::months)
}
