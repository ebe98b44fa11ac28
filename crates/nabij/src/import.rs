//! `nabij import geography FILE.csv`: municipalities and neighbourhoods from a CSV in the
//! shape of the CBS "wijken en buurten" table, with a centroid per row.
//!
//! Columns (by header, any order, `;` or `,` separated): `gwb_code_10` or `gwb_code` (GM…,
//! WK… or BU… code), `regio` (name), `lat` and `lon` (centroid, WGS84), optional `gm_code`
//! (taken from the code when absent) and `regio_naam`/`region` (a shelter region for a
//! municipality). District (WK) rows are read for validity but not stored: Nabij places
//! homes in neighbourhoods. One bad row and nothing is written.

use nabij_app::geography::GeoRow;
use nabij_domain::geo::{CbsLevel, GeoPoint, parse_cbs_code};

/// A problem with one cell of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "regel {}, kolom {}: {}",
            self.line, self.column, self.reason
        )
    }
}

fn find(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        names.iter().any(|n| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(n)
        })
    })
}

/// Parses and validates the whole file; every problem is reported, not just the first.
pub fn parse_geography(text: &str) -> Result<Vec<(usize, GeoRow)>, Vec<RowError>> {
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let err = |line, column: &str, reason: String| RowError {
        line,
        column: column.into(),
        reason,
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![err(1, "-", format!("kopregel onleesbaar: {e}"))]),
    };
    let code_col = find(&headers, &["gwb_code_10", "gwb_code", "code"]);
    let name_col = find(&headers, &["regio", "naam", "name"]);
    let lat_col = find(&headers, &["lat", "latitude", "breedtegraad"]);
    let lon_col = find(&headers, &["lon", "longitude", "lengtegraad"]);
    let gm_col = find(&headers, &["gm_code"]);
    let region_col = find(&headers, &["regio_naam", "region"]);
    let mut missing = Vec::new();
    for (col, name) in [
        (code_col, "gwb_code_10"),
        (name_col, "regio"),
        (lat_col, "lat"),
        (lon_col, "lon"),
    ] {
        if col.is_none() {
            missing.push(err(1, name, "deze kolom ontbreekt in de kopregel".into()));
        }
    }
    let (Some(code_col), Some(name_col), Some(lat_col), Some(lon_col)) =
        (code_col, name_col, lat_col, lon_col)
    else {
        return Err(missing);
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(line, "-", format!("onleesbare regel: {e}")));
                continue;
            }
        };
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let raw_code = cell(code_col).to_ascii_uppercase();
        let level = match raw_code.get(..2) {
            Some("GM") => CbsLevel::Municipality,
            Some("WK") => CbsLevel::District,
            Some("BU") => CbsLevel::Neighbourhood,
            _ => {
                errors.push(err(
                    line,
                    headers.get(code_col).unwrap_or("code"),
                    format!("'{raw_code}' is geen GM-, WK- of BU-code"),
                ));
                continue;
            }
        };
        let code = match parse_cbs_code(level, &raw_code) {
            Ok(c) => c,
            Err(e) => {
                errors.push(err(
                    line,
                    headers.get(code_col).unwrap_or("code"),
                    e.message,
                ));
                continue;
            }
        };
        if let Some(prev) = seen.insert(code.clone(), line) {
            errors.push(err(
                line,
                headers.get(code_col).unwrap_or("code"),
                format!("{code} staat ook op regel {prev}"),
            ));
        }
        let name = cell(name_col).to_string();
        if name.is_empty() {
            errors.push(err(
                line,
                headers.get(name_col).unwrap_or("regio"),
                "naam ontbreekt".into(),
            ));
        }
        let number = |c: usize, col: &str, errors: &mut Vec<RowError>| -> Option<f64> {
            let v = cell(c).replace(',', ".");
            match v.parse::<f64>() {
                Ok(x) => Some(x),
                Err(_) => {
                    errors.push(err(line, col, format!("'{}' is geen getal", cell(c))));
                    None
                }
            }
        };
        let lat = number(lat_col, headers.get(lat_col).unwrap_or("lat"), &mut errors);
        let lon = number(lon_col, headers.get(lon_col).unwrap_or("lon"), &mut errors);
        let centroid = match (lat, lon) {
            (Some(lat), Some(lon)) => match GeoPoint::new(lat, lon) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(err(line, e.field, e.message));
                    continue;
                }
            },
            _ => continue,
        };
        if name.is_empty() {
            continue;
        }
        match level {
            CbsLevel::Municipality => rows.push((
                line,
                GeoRow::Municipality {
                    code,
                    name,
                    region: region_col
                        .map(|c| cell(c).to_string())
                        .filter(|r| !r.is_empty()),
                    centroid,
                },
            )),
            CbsLevel::Neighbourhood => {
                let derived = format!("GM{}", &code[2..6]);
                let gm = gm_col
                    .map(|c| cell(c).to_ascii_uppercase())
                    .filter(|g| !g.is_empty())
                    .unwrap_or(derived.clone());
                if gm != derived {
                    errors.push(err(
                        line,
                        "gm_code",
                        format!("{code} hoort bij {derived}, niet bij {gm}"),
                    ));
                    continue;
                }
                rows.push((
                    line,
                    GeoRow::Neighbourhood {
                        code,
                        name,
                        municipality_code: gm,
                        centroid,
                    },
                ));
            }
            CbsLevel::District => {}
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cbs_shaped_rows_with_semicolons() {
        let csv = "gwb_code_10;regio;lat;lon\nGM0356;Nieuwegein;52,029;5,08\nWK035601;Wijk 01;52.03;5.08\nBU03560101;Centrum;52.03;5.081\n";
        let rows = parse_geography(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            matches!(&rows[1].1, GeoRow::Neighbourhood { municipality_code, .. } if municipality_code == "GM0356")
        );
        assert_eq!(rows[1].0, 4);
    }

    #[test]
    fn every_bad_cell_is_reported_with_line_and_column() {
        let csv = "gwb_code,regio,lat,lon\nGM0356,Nieuwegein,52.0,5.0\nGM035,Kort,52.0,5.0\nBU03560101,,abc,5.0\nGM0356,Dubbel,52.0,5.0\n";
        let errs = parse_geography(csv).unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(text[0].starts_with("regel 3, kolom gwb_code:"), "{text:?}");
        assert!(
            text.iter().any(|t| t.starts_with("regel 4, kolom regio")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("regel 4, kolom lat: 'abc' is geen getal")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("regel 5") && t.contains("ook op regel 2")),
            "{text:?}"
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let errs = parse_geography("gwb_code,regio,lat\nGM0356,X,52\n").unwrap_err();
        assert_eq!(errs[0].column, "lon");
    }
}
