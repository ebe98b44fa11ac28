//! Stays: placement (the one write that must never double-book), the clock's facts,
//! extensions, ready-to-move-on, milestones and exit.

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::home::HomeKind;
use nabij_domain::ids::*;
use nabij_domain::page::{Cursor, Page, PageRequest};
use nabij_domain::placement::Proximity;
use nabij_domain::stay::{Destination, ExtensionDecision, Milestone};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A placement to write: the referral becomes a stay on these places.
#[derive(Debug, Clone)]
pub struct NewStay {
    pub referral: Option<ReferralId>,
    pub person: PersonId,
    pub home: HomeId,
    pub places: Vec<PlaceId>,
    pub start: Date,
    pub planned_end: Date,
    pub placed_at: Timestamp,
    pub proximity: Proximity,
    pub distance_km: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stay {
    pub id: StayId,
    pub organisation_id: i64,
    pub person_id: PersonId,
    pub person_name: String,
    pub home_id: HomeId,
    pub home_name: String,
    pub home_kind: HomeKind,
    pub municipality_name: String,
    pub referral_id: Option<ReferralId>,
    pub start: Date,
    pub planned_end: Date,
    pub placed_at: Timestamp,
    pub proximity: Proximity,
    pub distance_km: f64,
    pub ready_on: Option<Date>,
    pub exit_date: Option<Date>,
    pub destination: Option<Destination>,
    pub exit_reason: Option<String>,
    pub plan_done_on: Option<Date>,
    pub evaluation_done_on: Option<Date>,
    pub exit_preparation_done_on: Option<Date>,
    pub extensions: i64,
    pub places: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Extension {
    pub decided_by: String,
    pub reason: String,
    pub previous_end: Date,
    pub new_end: Date,
    pub decided_at: Timestamp,
}

/// Which stays to list; every filter left `None` selects all.
#[derive(Debug, Clone, Copy, Default)]
pub struct StayFilter {
    /// `Some(true)`: active only; `Some(false)`: ended only.
    pub active: Option<bool>,
    pub home: Option<HomeId>,
    pub municipality: Option<MunicipalityId>,
    pub person: Option<PersonId>,
    /// Only stays of persons of this organisation.
    pub organisation: Option<i64>,
    /// Only active stays that need this attention (implies `active`).
    pub attention: Option<Attention>,
}

/// Active stays that need attention on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention {
    /// A milestone not done and due within a week, or overdue.
    Milestone { today: Date },
    /// Past the planned end.
    Overdue { today: Date },
    /// Ready to move on and still here: waiting for housing.
    WaitingForHousing,
}

impl StayFilter {
    /// The conditions of the filters that are set, and nothing else, so each uses its index.
    fn conditions(&self) -> crate::paging::Where {
        let mut w = crate::paging::Where::default();
        match (self.active, self.attention.is_some()) {
            (Some(true), _) | (None, true) => {
                w.plain("s.exit_date IS NULL");
            }
            (Some(false), true) => {
                w.plain("1 = 0");
            }
            (Some(false), false) => {
                w.plain("s.exit_date IS NOT NULL");
            }
            (None, false) => {}
        }
        if let Some(h) = self.home {
            w.int("s.home_id = {}", h.0);
        }
        if let Some(m) = self.municipality {
            w.int("n.municipality_id = {}", m.0);
        }
        if let Some(p) = self.person {
            w.int("s.person_id = {}", p.0);
        }
        if let Some(o) = self.organisation {
            // A stay carries its person's organisation (0023), so a list of an organisation
            // is one range of the stays' own (organisation, …) indexes, and so is its count.
            // For one person's or one home's stays, their own index is the narrower start:
            // the unary plus keeps SQLite from starting at the whole organisation.
            if self.person.is_some() || self.home.is_some() {
                w.int("+s.organisation_id = {}", o);
            } else {
                w.int("s.organisation_id = {}", o);
            }
        }
        match self.attention {
            Some(Attention::Overdue { today }) => {
                w.text("s.planned_end < {}", date_text(today));
            }
            Some(Attention::WaitingForHousing) => {
                w.plain("s.ready_on IS NOT NULL");
            }
            Some(Attention::Milestone { today }) => {
                let edge = |m: Milestone| date_text(m.pressing_if_started_by(today));
                // The recovery plan's edge is the latest: it bounds all three, so the
                // start-date index narrows the scan.
                w.texts(
                    "s.start_date <= {0} AND ((s.plan_done_on IS NULL) \
                     OR (s.evaluation_done_on IS NULL AND s.start_date <= {1}) \
                     OR (s.exit_preparation_done_on IS NULL AND s.start_date <= {2}))",
                    [
                        edge(Milestone::RecoveryPlan),
                        edge(Milestone::Evaluation),
                        edge(Milestone::ExitPreparation),
                    ],
                );
            }
            None => {}
        }
        w
    }

    /// The kept count that answers this list's total, when it is an organisation's
    /// running, ended or all stays with no other filter (0026): `(query, conditions)`.
    fn kept_count(&self) -> Option<(&'static str, crate::paging::Where)> {
        if self.home.is_some()
            || self.municipality.is_some()
            || self.person.is_some()
            || self.attention.is_some()
        {
            return None;
        }
        let org = self.organisation?;
        let select = match self.active {
            None => {
                "SELECT CAST(COALESCE(SUM(c.running + c.ended), 0) AS BIGINT) AS n FROM stay_counts c"
            }
            Some(true) => {
                "SELECT CAST(COALESCE(SUM(c.running), 0) AS BIGINT) AS n FROM stay_counts c"
            }
            Some(false) => {
                "SELECT CAST(COALESCE(SUM(c.ended), 0) AS BIGINT) AS n FROM stay_counts c"
            }
        };
        let mut w = crate::paging::Where::default();
        w.int("c.organisation_id = {}", org);
        Some((select, w))
    }

    /// The tables a count needs: the home and its neighbourhood only to filter by
    /// municipality; otherwise the stays' own indexes alone.
    fn count_from(&self) -> &'static str {
        if self.municipality.is_some() {
            "FROM stays s JOIN homes h ON h.id = s.home_id \
             JOIN neighbourhoods n ON n.id = h.neighbourhood_id"
        } else {
            "FROM stays s"
        }
    }

    /// The list's order: active stays by planned end (the most pressing first), ended stays
    /// by exit date (the latest first), all stays by start (the newest first).
    fn order(&self) -> crate::paging::Order {
        use crate::paging::Order;
        match (self.active, self.attention) {
            (Some(false), None) => Order::by("s.exit_date", "s.id", true),
            (None, None) => Order::by("s.start_date", "s.id", true),
            _ => Order::by("s.planned_end", "s.id", false),
        }
    }

    fn cursor_of(&self, s: &Stay) -> Cursor {
        let key = match (self.active, self.attention) {
            (Some(false), None) => s.exit_date.map(date_text).unwrap_or_default(),
            (None, None) => date_text(s.start),
            _ => date_text(s.planned_end),
        };
        Cursor::new(key, s.id.0)
    }
}

const STAY_COLUMNS: &str = "SELECT s.id, pe.organisation_id, s.person_id, pe.first_name || ' ' || pe.last_name AS person_name, \
     s.home_id, h.name AS home_name, h.kind AS home_kind, m.name AS municipality_name, s.referral_id, \
     s.start_date, s.planned_end, s.placed_at, s.proximity, s.distance_km, s.ready_on, s.exit_date, s.destination, \
     s.exit_reason, s.plan_done_on, s.evaluation_done_on, s.exit_preparation_done_on, \
     (SELECT COUNT(*) FROM stay_extensions x WHERE x.stay_id = s.id) AS extensions";
const STAY_FROM: &str = "FROM stays s JOIN persons pe ON pe.id = s.person_id JOIN homes h ON h.id = s.home_id \
     JOIN neighbourhoods n ON n.id = h.neighbourhood_id JOIN municipalities m ON m.id = n.municipality_id";

fn stay_select() -> String {
    format!("{STAY_COLUMNS} {STAY_FROM}")
}

fn stay(row: &AnyRow) -> Result<Stay> {
    Ok(Stay {
        id: StayId(get_i64(row, "id")?),
        organisation_id: get_i64(row, "organisation_id")?,
        person_id: PersonId(get_i64(row, "person_id")?),
        person_name: get_string(row, "person_name")?,
        home_id: HomeId(get_i64(row, "home_id")?),
        home_name: get_string(row, "home_name")?,
        home_kind: get_code(row, "home_kind", HomeKind::parse)?,
        municipality_name: get_string(row, "municipality_name")?,
        referral_id: get_opt_i64(row, "referral_id")?.map(ReferralId),
        start: get_date(row, "start_date")?,
        planned_end: get_date(row, "planned_end")?,
        placed_at: get_ts(row, "placed_at")?,
        proximity: get_code(row, "proximity", parse_proximity)?,
        distance_km: get_f64(row, "distance_km")?,
        ready_on: get_opt_date(row, "ready_on")?,
        exit_date: get_opt_date(row, "exit_date")?,
        destination: get_opt_code(row, "destination", Destination::parse)?,
        exit_reason: get_opt_string(row, "exit_reason")?,
        plan_done_on: get_opt_date(row, "plan_done_on")?,
        evaluation_done_on: get_opt_date(row, "evaluation_done_on")?,
        exit_preparation_done_on: get_opt_date(row, "exit_preparation_done_on")?,
        extensions: get_i64(row, "extensions")?,
        places: String::new(),
    })
}

fn stay_with_labels(r: &AnyRow) -> Result<Stay> {
    let mut s = stay(r)?;
    s.places = get_opt_string(r, "place_labels")?.unwrap_or_default();
    Ok(s)
}

pub(crate) fn proximity_code(p: Proximity) -> &'static str {
    match p {
        Proximity::OwnNeighbourhood => "own_neighbourhood",
        Proximity::OwnMunicipality => "own_municipality",
        Proximity::Elsewhere => "elsewhere",
    }
}

pub(crate) fn parse_proximity(s: &str) -> Option<Proximity> {
    match s {
        "own_neighbourhood" => Some(Proximity::OwnNeighbourhood),
        "own_municipality" => Some(Proximity::OwnMunicipality),
        "elsewhere" => Some(Proximity::Elsewhere),
        _ => None,
    }
}

/// The statements of a placement, shared by the transaction below and, on SQLite, by the
/// placement writer ([`crate::placer`]), so both write exactly the same.
pub(crate) const MARK_PLACED: &str = "UPDATE referrals SET state = 'placed', closed_at = $1 \
     WHERE id = $2 AND person_id = $3 AND state = 'received' AND link_to_confirm = 0";
pub(crate) const INSERT_STAY: &str = "INSERT INTO stays (person_id, home_id, referral_id, start_date, planned_end, placed_at, proximity, distance_km) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
pub(crate) fn take_place_sql() -> String {
    format!(
        "INSERT INTO stay_places (stay_id, place_id) SELECT $1, p.id FROM places p JOIN homes h ON h.id = p.home_id \
         WHERE p.id = $2 AND p.home_id = $3 AND {} AND NOT {}",
        crate::homes::in_service_on("$4"),
        crate::homes::blocked_on("$4")
    )
}
pub(crate) const ALREADY_HANDLED: &str =
    "deze aanmelding is al afgehandeld (geplaatst of gesloten)";
pub(crate) const ALREADY_STAYING: &str = "deze persoon verblijft al ergens";
pub(crate) const PLACE_TAKEN: &str = "deze plek is zojuist door iemand anders bezet";
pub(crate) const PLACE_UNAVAILABLE: &str =
    "deze plek is geblokkeerd, buiten gebruik of hoort niet bij dit huis";

impl Db {
    /// Places a referral: marks it placed, starts the stay and takes the places, in one
    /// transaction. A lost race (place just taken, person already placed, referral already
    /// handled) is a [`StoreError::Conflict`] and writes nothing.
    #[tracing::instrument(skip_all, fields(home = %new.home, person = %new.person))]
    pub async fn place(&self, new: &NewStay, actor: &Actor) -> Result<StayId> {
        // Checked before either write path, so the placement writer only sees good dates.
        stored_date("start", new.start)?;
        stored_date("planned_end", new.planned_end)?;
        if let Some(placer) = &self.placer {
            return placer.place(new.clone(), actor.clone()).await;
        }
        let mut tx = self.begin().await?;
        if let Some(referral) = new.referral {
            let r = sqlx::query(MARK_PLACED)
                .bind(ts_text(new.placed_at))
                .bind(referral.0)
                .bind(new.person.0)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(ALREADY_HANDLED.into()));
            }
        }
        let row = sqlx::query(INSERT_STAY)
            .bind(new.person.0)
            .bind(new.home.0)
            .bind(new.referral.map(|r| r.0))
            .bind(date_text(new.start))
            .bind(date_text(new.planned_end))
            .bind(ts_text(new.placed_at))
            .bind(proximity_code(new.proximity))
            .bind(new.distance_km)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::geography::conflict_on_unique(e, ALREADY_STAYING))?;
        let stay_id = get_i64(&row, "id")?;
        let take_place = take_place_sql();
        for place in &new.places {
            let r = sqlx::query(&take_place)
                .bind(stay_id)
                .bind(place.0)
                .bind(new.home.0)
                .bind(date_text(new.start))
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::geography::conflict_on_unique(e, PLACE_TAKEN))?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(PLACE_UNAVAILABLE.into()));
            }
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            new.person,
            DataCategory::Stay,
            AuditAction::Create,
            format!("plaatsing, verblijf {stay_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(StayId(stay_id))
    }

    pub async fn stay(&self, id: StayId) -> Result<Stay> {
        // One row per place of the stay: one round trip for the stay and its place labels.
        let sql = format!(
            "{} JOIN stay_places sp ON sp.stay_id = s.id JOIN places pl ON pl.id = sp.place_id \
             WHERE s.id = $1 ORDER BY pl.id",
            stay_select()
        )
        .replace(" FROM stays s", ", pl.label AS place_label FROM stays s");
        let rows = sqlx::query(&sql)
            .bind(id.0)
            .fetch_all(self.reader())
            .await?;
        let first = rows.first().ok_or(StoreError::NotFound("stay"))?;
        let mut s = stay(first)?;
        s.places = rows
            .iter()
            .map(|r| get_string(r, "place_label"))
            .collect::<Result<Vec<_>>>()?
            .join(", ");
        Ok(s)
    }

    /// Each stay's place labels, in place order, as `stay` reads them one by one.
    fn stay_list_columns(&self) -> String {
        let labels = match self.backend {
            crate::Backend::Sqlite => "group_concat(pl.label, ', ')",
            crate::Backend::Postgres => "string_agg(pl.label, ', ' ORDER BY pl.id)",
        };
        format!(
            "{STAY_COLUMNS}, (SELECT {labels} FROM stay_places sp JOIN places pl ON pl.id = sp.place_id \
             WHERE sp.stay_id = s.id) AS place_labels"
        )
    }

    /// Every stay that matches, in the list's order: for lists that are small by nature
    /// (one person's stays). Lists of an organisation are read with [`Db::stays_page`].
    pub async fn stays(&self, f: StayFilter) -> Result<Vec<Stay>> {
        let w = f.conditions();
        let sql = format!(
            "{} {STAY_FROM}{} ORDER BY s.exit_date IS NOT NULL, s.planned_end, s.id",
            self.stay_list_columns(),
            w.sql()
        );
        w.bind(sqlx::query(&sql))
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(stay_with_labels)
            .collect()
    }

    /// The running stays of some persons (a page of a caseload), in one query.
    pub async fn active_stays_of(&self, persons: &[PersonId]) -> Result<Vec<Stay>> {
        if persons.is_empty() {
            return Ok(Vec::new());
        }
        let list = persons
            .iter()
            .map(|p| p.0.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        // From the persons to their one running stay (the partial unique index): SQLite takes
        // `CROSS JOIN` as this join order, where it would otherwise walk every running stay in
        // id order. PostgreSQL plans it as a plain join.
        let sql = format!(
            "{} FROM persons pe CROSS JOIN stays s JOIN homes h ON h.id = s.home_id \
             JOIN neighbourhoods n ON n.id = h.neighbourhood_id JOIN municipalities m ON m.id = n.municipality_id \
             WHERE s.person_id = pe.id AND s.exit_date IS NULL AND pe.id IN ({list}) ORDER BY s.id",
            self.stay_list_columns(),
        );
        sqlx::query(&sql)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(stay_with_labels)
            .collect()
    }

    /// One page of the stays that match, with the exact number that match.
    #[tracing::instrument(skip_all)]
    pub async fn stays_page(&self, f: &StayFilter, req: &PageRequest) -> Result<Page<Stay>> {
        let columns = self.stay_list_columns();
        self.read_page_counted(
            crate::paging::ListQuery {
                select: &columns,
                from: STAY_FROM,
                count_from: Some(f.count_from()),
                filter: f.conditions(),
                order: f.order(),
            },
            f.kept_count(),
            req,
            stay_with_labels,
            |s| f.cursor_of(s),
        )
        .await
    }

    /// How many stays match.
    pub async fn count_stays(&self, f: &StayFilter) -> Result<i64> {
        match f.kept_count() {
            Some((select, filter)) => {
                let sql = format!("{select}{}", filter.sql());
                let row = filter
                    .bind(sqlx::query(&sql))
                    .fetch_one(self.reader())
                    .await?;
                crate::convert::get_i64(&row, "n")
            }
            None => self.count_rows(f.count_from(), &f.conditions()).await,
        }
    }

    pub async fn extensions(&self, stay: StayId) -> Result<Vec<Extension>> {
        sqlx::query(
            "SELECT decided_by, reason, previous_end, new_end, decided_at FROM stay_extensions WHERE stay_id = $1 ORDER BY id",
        )
        .bind(stay.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(Extension {
                decided_by: get_string(r, "decided_by")?,
                reason: get_string(r, "reason")?,
                previous_end: get_date(r, "previous_end")?,
                new_end: get_date(r, "new_end")?,
                decided_at: get_ts(r, "decided_at")?,
            })
        })
        .collect()
    }

    /// Records an extension decision and moves the planned end.
    pub async fn extend_stay(
        &self,
        id: StayId,
        d: &ExtensionDecision,
        actor: &Actor,
    ) -> Result<()> {
        let at = actor.at;
        let new_end = stored_date("new_end", d.new_end)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT planned_end, person_id FROM stays WHERE id = $1 AND exit_date IS NULL",
        )
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict("dit verblijf is al beëindigd".into()))?;
        let previous = get_string(&row, "planned_end")?;
        sqlx::query(
            "INSERT INTO stay_extensions (stay_id, decided_by, reason, previous_end, new_end, decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.0)
        .bind(&d.decided_by)
        .bind(&d.reason)
        .bind(&previous)
        .bind(&new_end)
        .bind(ts_text(at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE stays SET planned_end = $1 WHERE id = $2")
            .bind(&new_end)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        commit_stay_change(
            tx,
            self.audit_key.as_ref(),
            actor,
            &row,
            format!("verlenging, verblijf {id}"),
        )
        .await
    }

    pub async fn set_ready_on(&self, id: StayId, ready_on: Date, actor: &Actor) -> Result<()> {
        self.update_active_stay(
            "UPDATE stays SET ready_on = $1 WHERE id = $2 AND exit_date IS NULL RETURNING person_id",
            stored_date("ready_on", ready_on)?,
            id,
            actor,
            "uitstroomklaar",
        )
        .await
    }

    pub async fn complete_milestone(
        &self,
        id: StayId,
        m: Milestone,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let column = match m {
            Milestone::RecoveryPlan => "plan_done_on",
            Milestone::Evaluation => "evaluation_done_on",
            Milestone::ExitPreparation => "exit_preparation_done_on",
        };
        let sql = format!(
            "UPDATE stays SET {column} = $1 WHERE id = $2 AND exit_date IS NULL RETURNING person_id"
        );
        self.update_active_stay(&sql, stored_date("on", on)?, id, actor, "mijlpaal")
            .await
    }

    async fn update_active_stay(
        &self,
        sql: &str,
        value: String,
        id: StayId,
        actor: &Actor,
        what: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(sql)
            .bind(value)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            drop(tx);
            self.stay(id).await?;
            return Err(StoreError::Conflict("dit verblijf is al beëindigd".into()));
        };
        commit_stay_change(
            tx,
            self.audit_key.as_ref(),
            actor,
            &row,
            format!("{what}, verblijf {id}"),
        )
        .await
    }

    /// Ends a stay and frees its places from the exit date on; the person's running
    /// guidance ends with it.
    pub async fn exit_stay(
        &self,
        id: StayId,
        exit_date: Date,
        destination: Destination,
        reason: &str,
        actor: &Actor,
    ) -> Result<()> {
        let on = exit_date;
        let exit_date = stored_date("exit_date", exit_date)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE stays SET exit_date = $1, destination = $2, exit_reason = $3 WHERE id = $4 AND exit_date IS NULL \
             RETURNING person_id",
        )
        .bind(&exit_date)
        .bind(destination.code())
        .bind(reason)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = r else {
            drop(tx);
            self.stay(id).await?;
            return Err(StoreError::Conflict("dit verblijf is al beëindigd".into()));
        };
        sqlx::query(
            "UPDATE stay_places SET released_on = $1 WHERE stay_id = $2 AND released_on IS NULL",
        )
        .bind(&exit_date)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        crate::guidance::close_at_exit_in(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            PersonId(get_i64(&row, "person_id")?),
            on,
            None,
        )
        .await?;
        commit_stay_change(
            tx,
            self.audit_key.as_ref(),
            actor,
            &row,
            format!("vertrek, verblijf {id}"),
        )
        .await
    }
}

/// Logs a change of a stay for the stay's person (`row` holds `person_id`) and commits it.
async fn commit_stay_change(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    key: Option<&crate::audit::AuditKey>,
    actor: &Actor,
    row: &AnyRow,
    what: String,
) -> Result<()> {
    let person = PersonId(get_i64(row, "person_id")?);
    append_one(
        &mut tx,
        key,
        actor,
        person,
        DataCategory::Stay,
        AuditAction::Change,
        what,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
