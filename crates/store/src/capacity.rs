//! The history the capacity planner is calibrated on: arrivals per municipality, stays with
//! their start, ready-to-move-on and exit dates, and today's usable places.

use crate::convert::*;
use crate::homes::{blocked_on, in_service_on};
use crate::reports::{Arg, Cells, corrupt, day, opt_day};
use crate::{Db, Result};
use jiff::civil::Date;
use nabij_domain::ids::MunicipalityId;
use nabij_domain::stay::Destination;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct MunicipalityCapacity {
    pub id: MunicipalityId,
    pub code: Option<String>,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Places in service today in homes other than the central shelter, not blocked.
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
    /// Places in service today in central shelters, not blocked.
    pub central_places: i64,
    pub first_referral: Option<Date>,
    pub stays: Vec<StaySpan>,
}

/// `municipality|start|ready|exit|destination`, the optional ones empty when absent.
impl Db {
    /// The history of one organisation's network.
    pub async fn capacity_history(
        &self,
        organisation: i64,
        today: Date,
    ) -> Result<CapacityHistory> {
        let today_text = date_text(today);
        // One grouped query per measure, each over its organisation's rows through an index,
        // instead of a count per municipality.
        let in_service = in_service_on("$1");
        let blocked = blocked_on("$1");
        let mut places: HashMap<i64, i64> = HashMap::new();
        let mut central = 0;
        for r in sqlx::query(&format!(
            "SELECT n.municipality_id, CASE WHEN h.kind = 'centrale_opvang' THEN 1 ELSE 0 END AS central, COUNT(*) AS n \
             FROM homes h JOIN places p ON p.home_id = h.id \
             JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             WHERE h.organisation_id = $2 AND {in_service} AND NOT {blocked} \
             GROUP BY n.municipality_id, CASE WHEN h.kind = 'centrale_opvang' THEN 1 ELSE 0 END"
        ))
        .bind(&today_text)
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        {
            let n = get_i64(r, "n")?;
            if get_i64(r, "central")? == 1 {
                central += n;
            } else {
                *places.entry(get_i64(r, "municipality_id")?).or_default() += n;
            }
        }
        // Per person first, in the (organisation, person) index's order, then per
        // municipality: one person lookup per person instead of one per referral.
        let referrals: HashMap<i64, i64> = sqlx::query(
            "SELECT pe.own_municipality_id, CAST(SUM(c.n) AS BIGINT) AS n FROM \
             (SELECT r.person_id, COUNT(*) AS n FROM referrals r WHERE r.organisation_id = $1 \
             GROUP BY r.person_id) c JOIN persons pe ON pe.id = c.person_id \
             GROUP BY pe.own_municipality_id",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "own_municipality_id")?, get_i64(r, "n")?)))
        .collect::<Result<_>>()?;
        let municipalities = sqlx::query(
            "SELECT m.id, m.code, m.name, m.lat, m.lon FROM municipalities m ORDER BY m.name, m.id",
        )
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let id = get_i64(r, "id")?;
            Ok(MunicipalityCapacity {
                id: MunicipalityId(id),
                code: get_opt_string(r, "code")?,
                name: get_string(r, "name")?,
                lat: get_f64(r, "lat")?,
                lon: get_f64(r, "lon")?,
                places: places.get(&id).copied().unwrap_or(0),
                referrals: referrals.get(&id).copied().unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|m| m.places > 0 || m.referrals > 0)
        .collect();
        let first = sqlx::query(
            "SELECT SUBSTR(MIN(received_at), 1, 10) AS first FROM referrals WHERE organisation_id = $1",
        )
        .bind(organisation)
        .fetch_one(self.reader())
            .await?;

        // Half a million stays at national scale: read through the report path, which on
        // SQLite reads the file directly instead of decoding each row through the pool.
        let stays = self
            .decoded(
                "SELECT p.own_municipality_id, s.start_date, s.ready_on, s.exit_date, s.destination \
                 FROM persons p JOIN stays s ON s.person_id = p.id WHERE p.organisation_id = $1"
                    .into(),
                &[Arg::I(organisation)],
                None,
                |r: &dyn Cells| {
                    Ok(StaySpan {
                        own_municipality: MunicipalityId(r.int("own_municipality_id")?),
                        start: day(r, "start_date")?,
                        ready_on: opt_day(r, "ready_on")?,
                        exit: opt_day(r, "exit_date")?,
                        destination: match r.text("destination")? {
                            None => None,
                            Some(c) => Some(
                                Destination::parse(c).ok_or_else(|| corrupt("destination", c))?,
                            ),
                        },
                    })
                },
            )
            .await?;

        Ok(CapacityHistory {
            municipalities,
            central_places: central,
            first_referral: get_opt_date(&first, "first")?,
            stays,
        })
    }
}

/// A cheap summary of what calibration reads: when it is unchanged, so is the calibration.
/// Every part is a maximum over a primary key or a count over an index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CapacityFingerprint(pub Vec<i64>);

impl Db {
    /// Changes when a stay begins or ends, a referral arrives, a home or place is added,
    /// changed, closed or retired, a block is set or ended (every such change is a
    /// `home_changes` row), or a stay's start, ready, exit date or destination changes (a
    /// trigger counts those in `data_revisions`, in the change's own transaction).
    pub async fn capacity_fingerprint(&self) -> Result<CapacityFingerprint> {
        let r = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM stays) AS stays, \
             (SELECT COUNT(*) FROM stays WHERE exit_date IS NULL) AS running, \
             (SELECT COALESCE(MAX(id), 0) FROM referrals) AS referrals, \
             (SELECT COALESCE(MAX(id), 0) FROM homes) AS homes, \
             (SELECT COALESCE(MAX(id), 0) FROM places) AS places, \
             (SELECT COALESCE(MAX(id), 0) FROM home_changes) AS changes, \
             (SELECT COALESCE(MAX(id), 0) FROM place_blocks) AS blocks, \
             (SELECT COALESCE(MAX(revision), 0) FROM data_revisions WHERE name = 'stay_dates') AS stay_dates, \
             (SELECT COALESCE(MAX(id), 0) FROM offers) AS offers, \
             (SELECT COUNT(*) FROM offers WHERE state = 'withdrawn') AS withdrawn, \
             (SELECT COUNT(*) FROM flips WHERE flipped_on IS NOT NULL) AS flipped",
        )
        .fetch_one(self.reader())
        .await?;
        Ok(CapacityFingerprint(
            [
                "stays",
                "running",
                "referrals",
                "homes",
                "places",
                "changes",
                "blocks",
                "stay_dates",
                "offers",
                "withdrawn",
                "flipped",
            ]
            .into_iter()
            .map(|c| get_i64(&r, c))
            .collect::<Result<_>>()?,
        ))
    }
}
