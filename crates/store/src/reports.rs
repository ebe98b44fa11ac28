//! Facts for the dashboard and the measures: the store gathers rows, the domain computes.

use crate::convert::*;
use crate::stays::parse_proximity;
use crate::{Db, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::home::HomeKind;
use nabij_domain::ids::*;
use nabij_domain::measures::{PlacementFact, StayFact, nights_in_period};
use nabij_domain::stay::Destination;
use serde::Serialize;
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

    /// Occupied, available and blocked place-nights per home in `[from, to)`.
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
        let (f, t) = (date_text(from), date_text(to));
        let occupied = sqlx::query(
            "SELECT p.home_id, s.start_date, sp.released_on FROM stay_places sp JOIN stays s ON s.id = sp.stay_id \
             JOIN places p ON p.id = sp.place_id WHERE s.start_date < $2 AND (sp.released_on IS NULL OR sp.released_on > $1)",
        )
        .bind(&f)
        .bind(&t)
        .fetch_all(self.reader())
        .await?;
        let blocked = sqlx::query(
            "SELECT p.home_id, b.from_date, b.until_date FROM place_blocks b JOIN places p ON p.id = b.place_id \
             WHERE b.from_date < $2 AND (b.until_date IS NULL OR b.until_date >= $1)",
        )
        .bind(&f)
        .bind(&t)
        .fetch_all(self.reader())
        .await?;
        let mut occ: HashMap<i64, i64> = HashMap::new();
        for r in &occupied {
            let until = get_opt_date(r, "released_on")?.unwrap_or(to);
            *occ.entry(get_i64(r, "home_id")?).or_default() +=
                nights_in_period(get_date(r, "start_date")?, until, from, to);
        }
        let mut blk: HashMap<i64, i64> = HashMap::new();
        for r in &blocked {
            // A block's until date is inclusive.
            let until = get_opt_date(r, "until_date")?
                .map(|d| d.tomorrow().unwrap_or(d))
                .unwrap_or(to);
            *blk.entry(get_i64(r, "home_id")?).or_default() +=
                nights_in_period(get_date(r, "from_date")?, until, from, to);
        }
        let nights = nabij_domain::stay::days_between(from, to);
        homes
            .iter()
            .map(|r| {
                let id = get_i64(r, "id")?;
                let places = get_i64(r, "places")?;
                Ok(HomeOccupancy {
                    home_id: HomeId(id),
                    home_name: get_string(r, "name")?,
                    kind: get_code(r, "kind", HomeKind::parse)?,
                    municipality_name: get_string(r, "municipality_name")?,
                    places,
                    place_nights: places * nights,
                    occupied_nights: occ.get(&id).copied().unwrap_or(0),
                    blocked_nights: blk.get(&id).copied().unwrap_or(0),
                })
            })
            .collect()
    }
}
