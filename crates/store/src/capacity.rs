//! The history the capacity planner is calibrated on: arrivals per municipality, stays with
//! their start, ready-to-move-on and exit dates, and today's usable places.

use crate::convert::*;
use crate::homes::blocked_on;
use crate::{Db, Result};
use jiff::civil::Date;
use nabij_domain::ids::MunicipalityId;
use nabij_domain::stay::Destination;

#[derive(Debug, Clone)]
pub struct MunicipalityCapacity {
    pub id: MunicipalityId,
    pub code: Option<String>,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Places in homes other than the central shelter, not blocked today.
    pub places: i64,
    /// Referrals of people whose own municipality this is.
    pub referrals: i64,
}

#[derive(Debug, Clone)]
pub struct StaySpan {
    pub own_municipality: MunicipalityId,
    pub start: Date,
    pub ready_on: Option<Date>,
    pub exit: Option<Date>,
    pub destination: Option<Destination>,
}

#[derive(Debug, Clone)]
pub struct CapacityHistory {
    /// Municipalities with places or referrals, by name.
    pub municipalities: Vec<MunicipalityCapacity>,
    /// Places in central shelters, not blocked today.
    pub central_places: i64,
    pub first_referral: Option<Date>,
    pub stays: Vec<StaySpan>,
}

impl Db {
    /// The history of one organisation's network.
    pub async fn capacity_history(
        &self,
        organisation: i64,
        today: Date,
    ) -> Result<CapacityHistory> {
        let today_text = date_text(today);
        let municipalities = sqlx::query(&format!(
            "SELECT m.id, m.code, m.name, m.lat, m.lon, \
               (SELECT COUNT(*) FROM places p JOIN homes h ON h.id = p.home_id \
                  JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
                  WHERE n.municipality_id = m.id AND h.kind <> 'centrale_opvang' \
                  AND h.organisation_id = $2 AND NOT {blocked}) AS places, \
               (SELECT COUNT(*) FROM referrals r JOIN persons pe ON pe.id = r.person_id \
                  WHERE pe.own_municipality_id = m.id AND r.organisation_id = $2) AS referrals \
             FROM municipalities m ORDER BY m.name, m.id",
            blocked = blocked_on("$1")
        ))
        .bind(&today_text)
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(MunicipalityCapacity {
                id: MunicipalityId(get_i64(r, "id")?),
                code: get_opt_string(r, "code")?,
                name: get_string(r, "name")?,
                lat: get_f64(r, "lat")?,
                lon: get_f64(r, "lon")?,
                places: get_i64(r, "places")?,
                referrals: get_i64(r, "referrals")?,
            })
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|m| m.places > 0 || m.referrals > 0)
        .collect();

        let central = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM places p JOIN homes h ON h.id = p.home_id \
             WHERE h.kind = 'centrale_opvang' AND h.organisation_id = $2 AND NOT {}",
            blocked_on("$1")
        ))
        .bind(&today_text)
        .bind(organisation)
        .fetch_one(self.reader())
        .await?;
        let first = sqlx::query(
            "SELECT MIN(SUBSTR(received_at, 1, 10)) AS first FROM referrals WHERE organisation_id = $1",
        )
        .bind(organisation)
        .fetch_one(self.reader())
            .await?;

        let stays = sqlx::query(
            "SELECT p.own_municipality_id, s.start_date, s.ready_on, s.exit_date, s.destination \
             FROM stays s JOIN persons p ON p.id = s.person_id WHERE p.organisation_id = $1 ORDER BY s.id",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(StaySpan {
                own_municipality: MunicipalityId(get_i64(r, "own_municipality_id")?),
                start: get_date(r, "start_date")?,
                ready_on: get_opt_date(r, "ready_on")?,
                exit: get_opt_date(r, "exit_date")?,
                destination: get_opt_code(r, "destination", Destination::parse)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        Ok(CapacityHistory {
            municipalities,
            central_places: get_i64(&central, "n")?,
            first_referral: get_opt_date(&first, "first")?,
            stays,
        })
    }
}
