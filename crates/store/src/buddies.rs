//! Buddies: the registry, residents' wishes, matches (capacity held by a counter updated in
//! the same statement that checks it), check-ins, and the agreement to share a number.

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::paging::{ListQuery, Order, Where};
use crate::{Db, Result, StoreError};
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::buddy::{BuddyStatus, Interests, MatchPurpose};
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::PersonId;
use nabij_domain::page::{Cursor, Page, PageRequest};
use sqlx::any::AnyRow;

/// A buddy in the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Buddy {
    pub id: i64,
    pub organisation_id: i64,
    pub user_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub interests: Interests,
    pub neighbourhood_id: i64,
    pub neighbourhood_name: String,
    pub location: GeoPoint,
    pub hours_per_week: i64,
    pub availability: String,
    pub capacity: i64,
    pub active_matches: i64,
    pub status: BuddyStatus,
    pub vog_screened_on: Option<Date>,
}

/// A buddy to register or the new state of one.
#[derive(Debug, Clone)]
pub struct BuddyInput {
    pub organisation_id: i64,
    pub user_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub interests: Interests,
    pub neighbourhood_id: i64,
    pub hours_per_week: i64,
    pub availability: String,
    pub capacity: i64,
    pub status: BuddyStatus,
    pub vog_screened_on: Option<Date>,
}

/// What a resident would like from a buddy, with where they live now.
#[derive(Debug, Clone, PartialEq)]
pub struct Wish {
    pub person_id: PersonId,
    pub first_name: String,
    pub purpose: MatchPurpose,
    pub interests: Interests,
    /// The home of the resident's current stay.
    pub location: Option<GeoPoint>,
    pub home_name: Option<String>,
}

/// A match of a resident and a buddy.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: i64,
    pub organisation_id: i64,
    pub person_id: PersonId,
    pub first_name: String,
    /// The resident's own number: shown to the buddy only under an agreement.
    pub person_phone: Option<String>,
    pub buddy_id: i64,
    pub buddy_name: String,
    pub buddy_user_id: Option<i64>,
    pub purpose: MatchPurpose,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub check_in_weeks: i64,
    pub contact_agreed_on: Option<Date>,
    pub contact_agreed_by: Option<String>,
    pub contact_revoked_on: Option<Date>,
    pub contact_revoked_by: Option<String>,
    pub coordinator_name: Option<String>,
    pub coordinator_phone: Option<String>,
    pub last_check_in: Option<Date>,
}

impl Match {
    /// The resident agreed, and has not revoked, that the buddy may have their number.
    pub fn contact_agreed(&self) -> bool {
        self.contact_agreed_on.is_some() && self.contact_revoked_on.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct NewMatch {
    pub organisation_id: i64,
    pub person_id: PersonId,
    pub buddy_id: i64,
    pub purpose: MatchPurpose,
    pub started_on: Date,
    pub check_in_weeks: i64,
    pub coordinator_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewCheckIn {
    pub match_id: i64,
    pub on_date: Date,
    pub went: String,
    pub hours: i64,
    pub note: Option<String>,
}

/// A check-in as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub id: i64,
    pub on_date: Date,
    pub went: String,
    pub hours: i64,
    pub note: Option<String>,
}

fn check_in_row(r: &AnyRow) -> Result<CheckIn> {
    Ok(CheckIn {
        id: get_i64(r, "id")?,
        on_date: get_date(r, "on_date")?,
        went: get_string(r, "went")?,
        hours: get_i64(r, "hours")?,
        note: get_opt_string(r, "note")?,
    })
}

const BUDDY_SELECT: &str = "SELECT b.id, b.organisation_id, b.user_id, b.name, b.phone, b.interests, b.neighbourhood_id, \
    n.name AS neighbourhood_name, n.lat, n.lon, b.hours_per_week, b.availability, b.capacity, b.active_matches, b.status, \
    b.vog_screened_on FROM buddies b JOIN neighbourhoods n ON n.id = b.neighbourhood_id";

fn buddy_row(r: &AnyRow) -> Result<Buddy> {
    Ok(Buddy {
        id: get_i64(r, "id")?,
        organisation_id: get_i64(r, "organisation_id")?,
        user_id: get_opt_i64(r, "user_id")?,
        name: get_string(r, "name")?,
        phone: get_opt_string(r, "phone")?,
        interests: Interests::from_codes(&get_string(r, "interests")?),
        neighbourhood_id: get_i64(r, "neighbourhood_id")?,
        neighbourhood_name: get_string(r, "neighbourhood_name")?,
        location: GeoPoint {
            lat: get_f64(r, "lat")?,
            lon: get_f64(r, "lon")?,
        },
        hours_per_week: get_i64(r, "hours_per_week")?,
        availability: get_string(r, "availability")?,
        capacity: get_i64(r, "capacity")?,
        active_matches: get_i64(r, "active_matches")?,
        status: get_code(r, "status", BuddyStatus::parse)?,
        vog_screened_on: get_opt_date(r, "vog_screened_on")?,
    })
}

const MATCH_SELECT: &str = "SELECT m.id, m.organisation_id, m.person_id, p.first_name, p.phone AS person_phone, m.buddy_id, \
    b.name AS buddy_name, b.user_id AS buddy_user_id, m.purpose, m.started_on, m.ended_on, m.check_in_weeks, \
    m.contact_agreed_on, m.contact_agreed_by, m.contact_revoked_on, m.contact_revoked_by, \
    cu.display_name AS coordinator_name, cu.phone AS coordinator_phone, \
    (SELECT MAX(c.on_date) FROM buddy_check_ins c WHERE c.match_id = m.id) AS last_check_in";

const MATCH_FROM: &str = "FROM buddy_matches m JOIN persons p ON p.id = m.person_id \
    JOIN buddies b ON b.id = m.buddy_id \
    LEFT JOIN users cu ON cu.id = m.coordinator_id AND cu.active = 1 AND cu.phone IS NOT NULL AND cu.phone <> ''";

fn match_row(r: &AnyRow) -> Result<Match> {
    Ok(Match {
        id: get_i64(r, "id")?,
        organisation_id: get_i64(r, "organisation_id")?,
        person_id: PersonId(get_i64(r, "person_id")?),
        first_name: get_string(r, "first_name")?,
        person_phone: get_opt_string(r, "person_phone")?,
        buddy_id: get_i64(r, "buddy_id")?,
        buddy_name: get_string(r, "buddy_name")?,
        buddy_user_id: get_opt_i64(r, "buddy_user_id")?,
        purpose: get_code(r, "purpose", MatchPurpose::parse)?,
        started_on: get_date(r, "started_on")?,
        ended_on: get_opt_date(r, "ended_on")?,
        check_in_weeks: get_i64(r, "check_in_weeks")?,
        contact_agreed_on: get_opt_date(r, "contact_agreed_on")?,
        contact_agreed_by: get_opt_string(r, "contact_agreed_by")?,
        contact_revoked_on: get_opt_date(r, "contact_revoked_on")?,
        contact_revoked_by: get_opt_string(r, "contact_revoked_by")?,
        coordinator_name: get_opt_string(r, "coordinator_name")?,
        coordinator_phone: get_opt_string(r, "coordinator_phone")?,
        last_check_in: get_opt_date(r, "last_check_in")?,
    })
}

impl Db {
    /// An active coordinator of the organisation with a phone number, by name: whom a buddy
    /// calls when the coordinator who made their match has no number or has left.
    pub async fn coordinator_to_call(&self, organisation: i64) -> Result<Option<(String, String)>> {
        let r = sqlx::query(
            "SELECT display_name, phone FROM users WHERE organisation_id = $1 AND role = 'coordinator' \
             AND active = 1 AND phone IS NOT NULL AND phone <> '' ORDER BY id LIMIT 1",
        )
        .bind(organisation)
        .fetch_optional(self.reader())
        .await?;
        r.map(|r| Ok((get_string(&r, "display_name")?, get_string(&r, "phone")?)))
            .transpose()
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_buddy(&self, b: &BuddyInput, actor: &Actor) -> Result<i64> {
        let vog = stored_opt_date("vog_screened_on", b.vog_screened_on)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO buddies (organisation_id, user_id, name, phone, interests, neighbourhood_id, hours_per_week, \
             availability, capacity, status, vog_screened_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(b.organisation_id)
        .bind(b.user_id)
        .bind(&b.name)
        .bind(&b.phone)
        .bind(b.interests.codes())
        .bind(b.neighbourhood_id)
        .bind(b.hours_per_week)
        .bind(&b.availability)
        .bind(b.capacity)
        .bind(b.status.code())
        .bind(vog)
        .bind(ts_text(actor.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict("dit account is al aan een ander maatje gekoppeld".into())
            } else {
                e.into()
            }
        })?;
        let id = get_i64(&row, "id")?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a buddy; a capacity below the open matches is refused.
    #[tracing::instrument(skip_all)]
    pub async fn update_buddy(&self, id: i64, b: &BuddyInput) -> Result<()> {
        let vog = stored_opt_date("vog_screened_on", b.vog_screened_on)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE buddies SET name = $1, phone = $2, interests = $3, neighbourhood_id = $4, hours_per_week = $5, \
             availability = $6, capacity = $7, status = $8, vog_screened_on = $9 \
             WHERE id = $10 AND organisation_id = $11 AND active_matches <= $7",
        )
        .bind(&b.name)
        .bind(&b.phone)
        .bind(b.interests.codes())
        .bind(b.neighbourhood_id)
        .bind(b.hours_per_week)
        .bind(&b.availability)
        .bind(b.capacity)
        .bind(b.status.code())
        .bind(vog)
        .bind(id)
        .bind(b.organisation_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "het maximum aantal koppelingen is lager dan het aantal lopende koppelingen".into(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn buddy(&self, id: i64) -> Result<Buddy> {
        let sql = format!("{BUDDY_SELECT} WHERE b.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("buddy"))?;
        buddy_row(&row)
    }

    /// The buddy whose account this is.
    pub async fn buddy_of_user(&self, user: i64) -> Result<Option<Buddy>> {
        let sql = format!("{BUDDY_SELECT} WHERE b.user_id = $1");
        sqlx::query(&sql)
            .bind(user)
            .fetch_optional(self.reader())
            .await?
            .map(|r| buddy_row(&r))
            .transpose()
    }

    /// One page of an organisation's buddies by name.
    pub async fn buddies(&self, organisation: i64, req: &PageRequest) -> Result<Page<Buddy>> {
        let mut filter = Where::default();
        filter.int("b.organisation_id = {}", organisation);
        self.read_page(
            ListQuery {
                select: &BUDDY_SELECT.replace(
                    " FROM buddies b JOIN neighbourhoods n ON n.id = b.neighbourhood_id",
                    "",
                ),
                from: "FROM buddies b JOIN neighbourhoods n ON n.id = b.neighbourhood_id",
                count_from: Some("FROM buddies b"),
                filter,
                order: Order::by("b.name", "b.id", false),
            },
            req,
            buddy_row,
            |b| Cursor::new(b.name.clone(), b.id),
        )
        .await
    }

    /// Buddies whose VOG was screened within `[from, to]` (the window that expires soon).
    pub async fn buddies_screened_between(
        &self,
        organisation: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<Buddy>> {
        let sql = format!(
            "{BUDDY_SELECT} WHERE b.organisation_id = $1 AND b.vog_screened_on >= $2 AND b.vog_screened_on <= $3 \
             ORDER BY b.vog_screened_on, b.id"
        );
        sqlx::query(&sql)
            .bind(organisation)
            .bind(date_text(from))
            .bind(date_text(to))
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(buddy_row)
            .collect()
    }

    /// Active buddies with room for another match and a VOG screened after `screened_after`.
    pub async fn free_buddies(
        &self,
        organisation: i64,
        screened_after: Date,
    ) -> Result<Vec<Buddy>> {
        let sql = format!(
            "{BUDDY_SELECT} WHERE b.organisation_id = $1 AND b.status = 'active' AND b.active_matches < b.capacity \
             AND b.vog_screened_on > $2 ORDER BY b.id"
        );
        sqlx::query(&sql)
            .bind(organisation)
            .bind(date_text(screened_after))
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(buddy_row)
            .collect()
    }

    /// Records (or replaces) a resident's wish.
    #[tracing::instrument(skip_all)]
    pub async fn set_wish(
        &self,
        person: PersonId,
        purpose: MatchPurpose,
        interests: Interests,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO buddy_wishes (person_id, purpose, interests, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (person_id) DO UPDATE SET purpose = excluded.purpose, interests = excluded.interests, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(person.0)
        .bind(purpose.code())
        .bind(interests.codes())
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .execute(&mut *tx)
        .await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::BuddyMatch,
            AuditAction::Change,
            "wens voor een maatje",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    const WISH_SELECT: &'static str = "SELECT w.person_id, p.first_name, w.purpose, w.interests, h.lat, h.lon, h.name AS home_name \
        FROM buddy_wishes w JOIN persons p ON p.id = w.person_id \
        LEFT JOIN stays s ON s.person_id = w.person_id AND s.exit_date IS NULL \
        LEFT JOIN homes h ON h.id = s.home_id";

    pub async fn wish(&self, person: PersonId) -> Result<Option<Wish>> {
        let sql = format!("{} WHERE w.person_id = $1", Self::WISH_SELECT);
        sqlx::query(&sql)
            .bind(person.0)
            .fetch_optional(self.reader())
            .await?
            .map(|r| wish_row(&r))
            .transpose()
    }

    /// Residents of an organisation with a wish, in a stay now, and without an open match.
    pub async fn waiting_wishes(&self, organisation: i64) -> Result<Vec<Wish>> {
        let sql = format!(
            "{} WHERE p.organisation_id = $1 AND s.id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM buddy_matches m WHERE m.person_id = w.person_id AND m.ended_on IS NULL) \
             ORDER BY w.person_id",
            Self::WISH_SELECT
        );
        sqlx::query(&sql)
            .bind(organisation)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(wish_row)
            .collect()
    }

    /// Makes a match: refused when the buddy is full or paused (checked and counted in one
    /// statement) or the resident has an open match already.
    #[tracing::instrument(skip_all)]
    pub async fn create_match(&self, m: &NewMatch, actor: &Actor) -> Result<i64> {
        let started = stored_date("started_on", m.started_on)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE buddies SET active_matches = active_matches + 1 \
             WHERE id = $1 AND organisation_id = $2 AND status = 'active' AND active_matches < capacity",
        )
        .bind(m.buddy_id)
        .bind(m.organisation_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "dit maatje heeft geen ruimte voor nog een koppeling".into(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO buddy_matches (organisation_id, person_id, buddy_id, purpose, started_on, check_in_weeks, \
             coordinator_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(m.organisation_id)
        .bind(m.person_id.0)
        .bind(m.buddy_id)
        .bind(m.purpose.code())
        .bind(started)
        .bind(m.check_in_weeks)
        .bind(m.coordinator_id)
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict("deze bewoner heeft al een maatje".into())
            } else {
                e.into()
            }
        })?;
        let id = get_i64(&row, "id")?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            m.person_id,
            DataCategory::BuddyMatch,
            AuditAction::Create,
            format!("koppeling {id} met maatje {}", m.buddy_id),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends an open match on `on`, freeing the buddy's slot.
    #[tracing::instrument(skip_all)]
    pub async fn end_match(&self, id: i64, on: Date, actor: &Actor) -> Result<()> {
        let on = stored_date("ended_on", on)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE buddy_matches SET ended_on = $1 WHERE id = $2 AND ended_on IS NULL AND started_on <= $1 \
             RETURNING buddy_id, person_id",
        )
        .bind(&on)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict("deze koppeling is al beëindigd".into()))?;
        sqlx::query("UPDATE buddies SET active_matches = active_matches - 1 WHERE id = $1")
            .bind(get_i64(&row, "buddy_id")?)
            .execute(&mut *tx)
            .await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            PersonId(get_i64(&row, "person_id")?),
            DataCategory::BuddyMatch,
            AuditAction::Change,
            format!("koppeling {id} beëindigd"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn buddy_match(&self, id: i64) -> Result<Match> {
        let sql = format!("{MATCH_SELECT} {MATCH_FROM} WHERE m.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("match"))?;
        match_row(&row)
    }

    /// The open matches of a buddy.
    pub async fn open_matches_of_buddy(&self, buddy: i64) -> Result<Vec<Match>> {
        let sql = format!(
            "{MATCH_SELECT} {MATCH_FROM} WHERE m.buddy_id = $1 AND m.ended_on IS NULL ORDER BY m.id"
        );
        sqlx::query(&sql)
            .bind(buddy)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(match_row)
            .collect()
    }

    /// One page of an organisation's matches, newest first (open ones only when asked).
    pub async fn matches(
        &self,
        organisation: i64,
        open_only: bool,
        req: &PageRequest,
    ) -> Result<Page<Match>> {
        let mut filter = Where::default();
        filter.int("m.organisation_id = {}", organisation);
        if open_only {
            filter.plain("m.ended_on IS NULL");
        }
        self.read_page(
            ListQuery {
                select: MATCH_SELECT,
                from: MATCH_FROM,
                count_from: Some("FROM buddy_matches m"),
                filter,
                order: Order::by_id("m.id", true),
            },
            req,
            match_row,
            |m| Cursor::new("", m.id),
        )
        .await
    }

    /// One page of a match's check-ins, newest first.
    pub async fn check_ins(&self, match_id: i64, req: &PageRequest) -> Result<Page<CheckIn>> {
        let mut filter = Where::default();
        filter.int("c.match_id = {}", match_id);
        self.read_page(
            ListQuery {
                select: "SELECT c.id, c.on_date, c.went, c.hours, c.note",
                from: "FROM buddy_check_ins c",
                count_from: None,
                filter,
                order: Order::by_id("c.id", true),
            },
            req,
            check_in_row,
            |c| Cursor::new("", c.id),
        )
        .await
    }

    /// Records a check-in of a match.
    #[tracing::instrument(skip_all)]
    pub async fn add_check_in(
        &self,
        c: &NewCheckIn,
        person: PersonId,
        actor: &Actor,
    ) -> Result<i64> {
        let on = stored_date("on_date", c.on_date)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO buddy_check_ins (match_id, on_date, went, hours, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(c.match_id)
        .bind(on)
        .bind(&c.went)
        .bind(c.hours)
        .bind(&c.note)
        .bind(ts_text(actor.at))
        .fetch_one(&mut *tx)
        .await?;
        let id = get_i64(&row, "id")?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::BuddyMatch,
            AuditAction::Create,
            format!("contactmoment {id} van koppeling {}", c.match_id),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records or revokes the resident's agreement that the buddy may have their number;
    /// logged like a consent.
    #[tracing::instrument(skip_all)]
    pub async fn set_contact_agreement(
        &self,
        id: i64,
        person: PersonId,
        agreed: bool,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let on = stored_date("on", on)?;
        let mut tx = self.begin().await?;
        let r = if agreed {
            sqlx::query(
                "UPDATE buddy_matches SET contact_agreed_on = $1, contact_agreed_by = $2, contact_revoked_on = NULL, \
                 contact_revoked_by = NULL WHERE id = $3 AND ended_on IS NULL",
            )
        } else {
            sqlx::query(
                "UPDATE buddy_matches SET contact_revoked_on = $1, contact_revoked_by = $2 \
                 WHERE id = $3 AND contact_agreed_on IS NOT NULL AND contact_revoked_on IS NULL",
            )
        }
        .bind(on)
        .bind(&actor.username)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "er is niets te veranderen aan deze afspraak".into(),
            ));
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Consent,
            AuditAction::Change,
            if agreed {
                format!("toestemming: maatje mag eigen nummer hebben (koppeling {id})")
            } else {
                format!("toestemming ingetrokken: eigen nummer voor maatje (koppeling {id})")
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Db {
    /// The residents of an organisation in a stay now, by person: (person, first name).
    pub async fn current_residents(&self, organisation: i64) -> Result<Vec<(PersonId, String)>> {
        sqlx::query(
            "SELECT s.person_id, p.first_name FROM stays s JOIN persons p ON p.id = s.person_id \
             WHERE p.organisation_id = $1 AND s.exit_date IS NULL ORDER BY s.person_id",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok((
                PersonId(get_i64(r, "person_id")?),
                get_string(r, "first_name")?,
            ))
        })
        .collect()
    }
}

fn wish_row(r: &AnyRow) -> Result<Wish> {
    let lat = r.try_get::<Option<f64>, _>("lat")?;
    let lon = r.try_get::<Option<f64>, _>("lon")?;
    Ok(Wish {
        person_id: PersonId(get_i64(r, "person_id")?),
        first_name: get_string(r, "first_name")?,
        purpose: get_code(r, "purpose", MatchPurpose::parse)?,
        interests: Interests::from_codes(&get_string(r, "interests")?),
        location: lat.zip(lon).map(|(lat, lon)| GeoPoint { lat, lon }),
        home_name: get_opt_string(r, "home_name")?,
    })
}

use sqlx::Row;
