//! Geography: points, distances and CBS area codes.

use crate::RuleViolation;
use serde::{Deserialize, Serialize};

/// A WGS84 coordinate in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// Checks that the point lies on earth (and, loosely, near the Netherlands is not required:
    /// organisations near the border may use places across it).
    pub fn new(lat: f64, lon: f64) -> Result<Self, RuleViolation> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(RuleViolation::new(
                "lat",
                "breedtegraad moet tussen -90 en 90 liggen",
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(RuleViolation::new(
                "lon",
                "lengtegraad moet tussen -180 en 180 liggen",
            ));
        }
        Ok(Self { lat, lon })
    }

    /// Great-circle distance in kilometres (haversine).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0088;
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

/// The kinds of CBS area code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CbsLevel {
    Municipality,
    District,
    Neighbourhood,
}

impl CbsLevel {
    fn prefix_and_digits(self) -> (&'static str, usize) {
        match self {
            CbsLevel::Municipality => ("GM", 4),
            CbsLevel::District => ("WK", 6),
            CbsLevel::Neighbourhood => ("BU", 8),
        }
    }
}

/// Validates a CBS code such as `GM0356`, `WK035601` or `BU03560101` and returns it upper-cased.
pub fn parse_cbs_code(level: CbsLevel, raw: &str) -> Result<String, RuleViolation> {
    let code = raw.trim().to_ascii_uppercase();
    let (prefix, digits) = level.prefix_and_digits();
    let ok = code.len() == prefix.len() + digits
        && code.starts_with(prefix)
        && code[prefix.len()..].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(code)
    } else {
        Err(RuleViolation::new(
            "code",
            format!(
                "'{}' is geen geldige CBS-code: verwacht {prefix} gevolgd door {digits} cijfers",
                raw.trim()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_between_leiden_and_katwijk_is_about_eight_km() {
        let leiden = GeoPoint::new(52.15833, 4.49306).unwrap();
        let katwijk = GeoPoint::new(52.20333, 4.39861).unwrap();
        let d = leiden.distance_km(katwijk);
        assert!((7.5..8.5).contains(&d), "{d}");
        assert_eq!(leiden.distance_km(leiden), 0.0);
    }

    #[test]
    fn points_off_the_globe_are_refused() {
        assert_eq!(GeoPoint::new(91.0, 4.0).unwrap_err().field, "lat");
        assert_eq!(GeoPoint::new(52.0, f64::NAN).unwrap_err().field, "lon");
    }

    #[test]
    fn cbs_codes_are_checked_per_level() {
        assert_eq!(
            parse_cbs_code(CbsLevel::Municipality, " gm0356 ").unwrap(),
            "GM0356"
        );
        assert!(parse_cbs_code(CbsLevel::Municipality, "GM356").is_err());
        assert!(parse_cbs_code(CbsLevel::Neighbourhood, "BU0356010A").is_err());
        assert_eq!(
            parse_cbs_code(CbsLevel::District, "WK035601").unwrap(),
            "WK035601"
        );
    }
}
