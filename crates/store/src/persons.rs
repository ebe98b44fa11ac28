//! Persons: who needs a place, their own area, household, needs and areas to avoid.

use crate::convert::*;
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::*;
use nabij_domain::page::{Cursor, Page, PageRequest};
use nabij_domain::person::{AvoidArea, Bsn, Gender, HouseholdSize, Needs};
use nabij_domain::placement::PlacementRequest;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub organisation_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    pub date_of_birth: Option<Date>,
    pub bsn: Option<Bsn>,
    pub phone: Option<String>,
    pub household: HouseholdSize,
    pub needs: Needs,
    pub own_municipality: MunicipalityId,
    pub own_neighbourhood: Option<NeighbourhoodId>,
    pub avoid: Vec<AvoidArea>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub organisation_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    pub date_of_birth: Option<Date>,
    #[serde(skip)]
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub household: HouseholdSize,
    pub needs: Needs,
    pub own_municipality_id: MunicipalityId,
    pub own_municipality_name: String,
    pub own_neighbourhood_id: Option<NeighbourhoodId>,
    pub own_neighbourhood_name: Option<String>,
    /// Centroid of the own neighbourhood, else of the own municipality.
    pub own_point: GeoPoint,
    pub avoid: Vec<AvoidArea>,
    pub avoid_names: Vec<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn placement_request(&self) -> PlacementRequest {
        PlacementRequest {
            household: self.household,
            gender: self.gender,
            needs: self.needs,
            own_municipality: self.own_municipality_id,
            own_neighbourhood: self.own_neighbourhood_id,
            own_point: self.own_point,
            avoid: self.avoid.clone(),
        }
    }
}

const PERSON_SELECT: &str = "SELECT p.id, p.organisation_id, p.first_name, p.last_name, p.gender, p.date_of_birth, p.bsn, p.phone, \
     p.household_size, p.needs_accessible, p.needs_pets, p.needs_women_only, \
     p.own_municipality_id, m.name AS municipality_name, p.own_neighbourhood_id, n.name AS neighbourhood_name, \
     COALESCE(n.lat, m.lat) AS lat, COALESCE(n.lon, m.lon) AS lon \
     FROM persons p JOIN municipalities m ON m.id = p.own_municipality_id \
     LEFT JOIN neighbourhoods n ON n.id = p.own_neighbourhood_id";

fn person(row: &AnyRow) -> Result<Person> {
    let household =
        HouseholdSize::new(get_i64(row, "household_size")?).map_err(|e| StoreError::Corrupt {
            column: "household_size",
            value: e.message,
        })?;
    Ok(Person {
        id: PersonId(get_i64(row, "id")?),
        organisation_id: get_i64(row, "organisation_id")?,
        first_name: get_string(row, "first_name")?,
        last_name: get_string(row, "last_name")?,
        gender: get_code(row, "gender", Gender::parse)?,
        date_of_birth: get_opt_date(row, "date_of_birth")?,
        bsn: get_opt_string(row, "bsn")?,
        phone: get_opt_string(row, "phone")?,
        household,
        needs: Needs {
            accessible: get_bool(row, "needs_accessible")?,
            pets: get_bool(row, "needs_pets")?,
            women_only: get_bool(row, "needs_women_only")?,
        },
        own_municipality_id: MunicipalityId(get_i64(row, "own_municipality_id")?),
        own_municipality_name: get_string(row, "municipality_name")?,
        own_neighbourhood_id: get_opt_i64(row, "own_neighbourhood_id")?.map(NeighbourhoodId),
        own_neighbourhood_name: get_opt_string(row, "neighbourhood_name")?,
        own_point: GeoPoint {
            lat: get_f64(row, "lat")?,
            lon: get_f64(row, "lon")?,
        },
        avoid: Vec::new(),
        avoid_names: Vec::new(),
    })
}

pub(crate) async fn insert_person(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    p: &NewPerson,
    now: Timestamp,
) -> Result<PersonId> {
    if let Some(n) = p.own_neighbourhood {
        let row = sqlx::query("SELECT municipality_id FROM neighbourhoods WHERE id = $1")
            .bind(n.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::Invalid("onbekende buurt".into()))?;
        if get_i64(&row, "municipality_id")? != p.own_municipality.0 {
            return Err(StoreError::Invalid(
                "de eigen buurt ligt niet in de eigen gemeente".into(),
            ));
        }
    }
    let row = sqlx::query(
        "INSERT INTO persons (first_name, last_name, gender, date_of_birth, bsn, phone, household_size, \
         needs_accessible, needs_pets, needs_women_only, own_municipality_id, own_neighbourhood_id, created_at, organisation_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(p.gender.code())
    .bind(stored_opt_date("date_of_birth", p.date_of_birth)?)
    .bind(p.bsn.as_ref().map(|b| b.as_str().to_string()))
    .bind(p.phone.as_deref())
    .bind(i64::from(p.household))
    .bind(flag(p.needs.accessible))
    .bind(flag(p.needs.pets))
    .bind(flag(p.needs.women_only))
    .bind(p.own_municipality.0)
    .bind(p.own_neighbourhood.map(|n| n.0))
    .bind(ts_text(now))
    .bind(p.organisation_id)
    .fetch_one(&mut **tx)
    .await?;
    let id = get_i64(&row, "id")?;
    for a in &p.avoid {
        let (m, n) = match *a {
            AvoidArea::Municipality(m) => (Some(m.0), None),
            AvoidArea::Neighbourhood(n) => (None, Some(n.0)),
        };
        sqlx::query(
            "INSERT INTO person_avoid_areas (person_id, municipality_id, neighbourhood_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(m)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    }
    Ok(PersonId(id))
}

impl Db {
    pub async fn person(&self, id: PersonId) -> Result<Person> {
        let sql = format!("{PERSON_SELECT} WHERE p.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("person"))?;
        let mut p = person(&row)?;
        self.load_avoid_areas(&mut p).await?;
        Ok(p)
    }

    /// The referral's state, whether its link to a known file still waits for the
    /// coordinator, and its person, in as few reads as placement can afford.
    pub async fn placement_subject(
        &self,
        referral: ReferralId,
    ) -> Result<(nabij_domain::referral::ReferralState, bool, Person)> {
        let sql = format!(
            "{PERSON_SELECT} JOIN referrals r ON r.person_id = p.id WHERE r.id = $1"
        )
        .replace(
            "FROM persons p",
            ", r.state AS referral_state, r.link_to_confirm, (SELECT COUNT(*) FROM person_avoid_areas a WHERE a.person_id = p.id) AS n_avoid FROM persons p",
        );
        let row = sqlx::query(&sql)
            .bind(referral.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("referral"))?;
        let state = get_code(
            &row,
            "referral_state",
            nabij_domain::referral::ReferralState::parse,
        )?;
        let link_to_confirm = get_bool(&row, "link_to_confirm")?;
        let mut p = person(&row)?;
        if get_i64(&row, "n_avoid")? > 0 {
            self.load_avoid_areas(&mut p).await?;
        }
        Ok((state, link_to_confirm, p))
    }

    async fn load_avoid_areas(&self, p: &mut Person) -> Result<()> {
        let id = p.id;
        let avoid = sqlx::query(
            "SELECT a.municipality_id, a.neighbourhood_id, COALESCE(m.name, n.name) AS name \
             FROM person_avoid_areas a LEFT JOIN municipalities m ON m.id = a.municipality_id \
             LEFT JOIN neighbourhoods n ON n.id = a.neighbourhood_id WHERE a.person_id = $1 ORDER BY a.id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?;
        for a in &avoid {
            match (
                get_opt_i64(a, "municipality_id")?,
                get_opt_i64(a, "neighbourhood_id")?,
            ) {
                (Some(m), _) => p.avoid.push(AvoidArea::Municipality(MunicipalityId(m))),
                (_, Some(n)) => p.avoid.push(AvoidArea::Neighbourhood(NeighbourhoodId(n))),
                _ => continue,
            }
            p.avoid_names.push(get_string(a, "name")?);
        }
        Ok(())
    }

    /// One page of an organisation's persons, the most recently registered first, with the
    /// exact number that match; `only` limits them further (a professional's caseload) and
    /// `search` matches a part of the full name.
    #[tracing::instrument(skip_all)]
    pub async fn persons_page(
        &self,
        organisation: i64,
        only: Option<&[PersonId]>,
        search: Option<&str>,
        req: &PageRequest,
    ) -> Result<Page<Person>> {
        let mut w = crate::paging::Where::default();
        w.int("p.organisation_id = {}", organisation);
        match only {
            None => {}
            Some([]) => {
                w.plain("1 = 0");
            }
            Some(ids) => {
                w.plain(&format!(
                    "p.id IN ({})",
                    ids.iter()
                        .map(|i| i.0.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let s = search.unwrap_or("").trim().to_lowercase();
        if !s.is_empty() {
            // The same match on both backends, each over its trigram index (0048).
            w.text(
                if self.backend == crate::Backend::Postgres {
                    "LOWER(p.first_name || ' ' || p.last_name) LIKE {}"
                } else {
                    "p.id IN (SELECT rowid FROM person_names WHERE name LIKE {})"
                },
                format!("%{s}%"),
            );
        }
        let (select, from) = PERSON_SELECT
            .split_once(" FROM ")
            .expect("the select has a FROM");
        let from = format!("FROM {from}");
        // All of an organisation's persons: the kept count (0042) answers the total.
        let kept = (only.is_none() && s.is_empty()).then(|| {
            let mut c = crate::paging::Where::default();
            c.int("c.organisation_id = {}", organisation);
            (
                "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS n FROM person_counts c",
                c,
            )
        });
        let page = self
            .read_page_counted(
                crate::paging::ListQuery {
                    select,
                    from: &from,
                    count_from: None,
                    filter: w,
                    order: crate::paging::Order::by_id("p.id", true),
                },
                kept,
                req,
                person,
                |p| Cursor::new("", p.id.0),
            )
            .await?;
        Ok(page)
    }
}
