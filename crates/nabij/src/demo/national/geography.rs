//! Synthetic municipalities and neighbourhoods from the populated places of the Netherlands.
//!
//! The largest places become municipal seats; every other place joins the nearest seat in
//! its province and becomes one of its neighbourhoods. Codes are synthetic (GM5000 on) so
//! they never pass for real CBS areas. Places: GeoNames (https://www.geonames.org), CC BY 4.0.

use nabij_domain::geo::GeoPoint;

const PLACES_CSV: &str = include_str!("../../../data/nl-places.csv");

/// Neighbourhoods per municipality at most.
const MAX_BUURTEN: usize = 6;

/// A populated place from the shipped GeoNames extract.
#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub province: String,
    pub point: GeoPoint,
    pub population: f64,
}

/// The places, largest first (ties by name), so every run groups them the same way.
pub fn places() -> Vec<Place> {
    let mut v: Vec<Place> = PLACES_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let [_, name, province, lat, lon, population] = f.as_slice() else {
                return None;
            };
            Some(Place {
                name: (*name).to_owned(),
                province: (*province).to_owned(),
                point: GeoPoint {
                    lat: lat.parse().ok()?,
                    lon: lon.parse().ok()?,
                },
                population: population.parse().ok()?,
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.population
            .total_cmp(&a.population)
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

#[derive(Debug, Clone)]
pub struct Buurt {
    /// Index in [`Geography::buurten`]; the id is this plus one.
    pub index: usize,
    pub municipality: usize,
    pub code: String,
    pub name: String,
    pub point: GeoPoint,
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub index: usize,
    pub region: usize,
    pub code: String,
    pub name: String,
    pub point: GeoPoint,
    /// Inhabitants of its places: sets how many homes and referrals it has.
    pub population: f64,
    /// Its neighbourhoods (indices into [`Geography::buurten`]); the seat's first.
    pub buurten: Vec<usize>,
    /// The other municipalities, nearest first (at most [`NEIGHBOURS`]).
    pub nearest: Vec<usize>,
}

/// How many nearby municipalities a placement looks at when the own area is full.
pub const NEIGHBOURS: usize = 8;

#[derive(Debug, Clone)]
pub struct Geography {
    /// Regions: the provinces.
    pub regions: Vec<String>,
    pub municipalities: Vec<Municipality>,
    pub buurten: Vec<Buurt>,
}

/// Groups the places into `count` municipalities.
pub fn build(count: usize) -> Geography {
    let places = places();
    let count = count.clamp(1, places.len());
    let mut regions: Vec<String> = places.iter().map(|p| p.province.clone()).collect();
    regions.sort();
    regions.dedup();
    let seats = &places[..count];
    // Every place joins the nearest seat of its province (any seat when its province has none).
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, p) in places.iter().enumerate() {
        let seat = if i < count {
            i
        } else {
            let nearest = |same_province: bool| {
                seats
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !same_province || s.province == p.province)
                    .min_by(|a, b| {
                        p.point
                            .distance_km(a.1.point)
                            .total_cmp(&p.point.distance_km(b.1.point))
                    })
                    .map(|(k, _)| k)
            };
            nearest(true).or_else(|| nearest(false)).unwrap_or(0)
        };
        members[seat].push(i);
    }
    let mut municipalities = Vec::with_capacity(count);
    let mut buurten = Vec::new();
    for (m, seat) in seats.iter().enumerate() {
        // A name twice in the country (e.g. Hengelo) gets its province.
        let name = if seats.iter().filter(|s| s.name == seat.name).count() > 1 {
            format!("{} ({})", seat.name, seat.province)
        } else {
            seat.name.clone()
        };
        let number = 5000 + m;
        let mut names: Vec<(String, GeoPoint)> = Vec::new();
        names.push((format!("{name}-Centrum"), seat.point));
        for &i in members[m].iter().skip(1).take(MAX_BUURTEN - 1) {
            names.push((places[i].name.clone(), places[i].point));
        }
        // A municipality of one place gets districts around its centre.
        for (suffix, dlat, dlon) in [("Noord", 0.012, 0.0), ("Zuid", -0.012, 0.004)] {
            if names.len() >= 3 {
                break;
            }
            names.push((
                format!("{name}-{suffix}"),
                GeoPoint {
                    lat: seat.point.lat + dlat,
                    lon: seat.point.lon + dlon,
                },
            ));
        }
        let mut ids = Vec::new();
        for (k, (bname, point)) in names.into_iter().enumerate() {
            let index = buurten.len();
            buurten.push(Buurt {
                index,
                municipality: m,
                code: format!("BU{number:04}{:04}", k + 1),
                name: bname,
                point,
            });
            ids.push(index);
        }
        municipalities.push(Municipality {
            index: m,
            region: regions.binary_search(&seat.province).unwrap_or(0),
            code: format!("GM{number:04}"),
            name,
            point: seat.point,
            population: members[m].iter().map(|&i| places[i].population).sum(),
            buurten: ids,
            nearest: Vec::new(),
        });
    }
    for m in 0..municipalities.len() {
        let here = municipalities[m].point;
        let mut others: Vec<(f64, usize)> = municipalities
            .iter()
            .filter(|o| o.index != m)
            .map(|o| (here.distance_km(o.point), o.index))
            .collect();
        others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        municipalities[m].nearest = others.iter().take(NEIGHBOURS).map(|o| o.1).collect();
    }
    Geography {
        regions,
        municipalities,
        buurten,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_is_read_and_grouped_into_named_municipalities() {
        assert!(places().len() > 1900);
        let g = build(350);
        assert_eq!(g.municipalities.len(), 350);
        assert_eq!(g.regions.len(), 12);
        let mut names: Vec<_> = g.municipalities.iter().map(|m| &m.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 350, "municipality names are unique");
        assert!(g.municipalities.iter().all(|m| m.buurten.len() >= 3));
        assert!(
            g.municipalities
                .iter()
                .all(|m| m.nearest.len() == NEIGHBOURS)
        );
        let codes: std::collections::HashSet<_> = g.buurten.iter().map(|b| &b.code).collect();
        assert_eq!(
            codes.len(),
            g.buurten.len(),
            "neighbourhood codes are unique"
        );
    }
}
