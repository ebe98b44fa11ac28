//! What the coordinator's overview reads beside the lists: this month's no-place events.

use crate::convert::*;
use crate::reports::NoPlaceCount;
use crate::{Db, Result};
use jiff::Timestamp;
use nabij_domain::ids::MunicipalityId;

impl Db {
    /// *Geen plek in eigen gebied* events of an organisation's referrals since `since`, per
    /// month and municipality, the most first. Starts at the events since `since` (their
    /// time index) and looks up each one's referral: the unary plus keeps SQLite from
    /// starting at every referral the organisation ever had.
    #[tracing::instrument(skip_all)]
    pub async fn recent_no_place_counts(
        &self,
        organisation: i64,
        since: Timestamp,
    ) -> Result<Vec<NoPlaceCount>> {
        sqlx::query(
            "SELECT SUBSTR(e.occurred_at, 1, 7) AS month, e.municipality_id, m.name, COUNT(*) AS n \
             FROM no_place_events e JOIN referrals r ON r.id = e.referral_id \
             JOIN municipalities m ON m.id = e.municipality_id \
             WHERE e.occurred_at >= $1 AND +r.organisation_id = $2 \
             GROUP BY SUBSTR(e.occurred_at, 1, 7), e.municipality_id, m.name \
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
}
