//! Report tables as files: CSV for any program, XLSX for a spreadsheet.
//!
//! Exports leave the organisation, so both functions suppress small numbers themselves
//! ([`Table::suppressed`]): no caller can forget it. CSV follows Dutch spreadsheet habits
//! (semicolon, decimal comma, a byte-order mark so the accents survive), and a text that
//! a spreadsheet would run as a formula is written as plain text.

use nabij_domain::table::{Cell, HIDDEN_TEXT, SUPPRESSED_TEXT, Table, decimal};
use rust_xlsxwriter::{Format, Workbook};

#[derive(Debug, thiserror::Error)]
#[error("het Excel-bestand kon niet worden gemaakt: {0}")]
pub struct ExportError(String);

/// The legend printed under every exported table.
pub const LEGEND: &str = "<5: minder dan 5, niet getoond zodat niemand herkenbaar is; \
     –: verborgen (berekend uit minder dan 5) of niet te berekenen.";

/// A text a spreadsheet would read as a formula gets a leading apostrophe.
fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A cell as CSV text: plain digits for counts (no thousands separator), a decimal comma.
fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text { text } => defuse(text),
        Cell::Count { count } => count.to_string(),
        Cell::Share { part, whole } if *whole > 0 => {
            format!("{}%", decimal(*part as f64 * 100.0 / *whole as f64, 1))
        }
        Cell::Figure {
            value: Some(v),
            decimals,
            ..
        } => decimal(*v, *decimals),
        Cell::Suppressed => SUPPRESSED_TEXT.into(),
        _ => HIDDEN_TEXT.into(),
    }
}

/// The table, suppressed, as CSV (UTF-8 with a byte-order mark, semicolons).
pub fn csv(table: &Table) -> Vec<u8> {
    let table = table.suppressed();
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_writer(&mut out);
        let _ = w.write_record(table.columns.iter().map(|c| defuse(c)));
        for row in &table.rows {
            let _ = w.write_record(row.iter().map(csv_text));
        }
        let _ = w.write_record([LEGEND]);
        let _ = w.flush();
    }
    out
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let clean = if clean.trim().is_empty() {
        "Tabel".to_string()
    } else {
        clean.trim().to_string()
    };
    let mut name = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{clean} {n}");
        n += 1;
    }
    name
}

/// The tables, suppressed, as one XLSX workbook: a sheet per table with its title, the
/// column names, numbers as numbers (percentages formatted as such) and the legend.
pub fn xlsx(title: &str, tables: &[Table]) -> Result<Vec<u8>, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExportError(e.to_string());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let heading = Format::new().set_bold().set_font_size(14);
    let percent = Format::new().set_num_format("0.0%");
    let whole = Format::new().set_num_format("#,##0");
    let mut taken = Vec::new();
    for table in tables {
        let table = table.suppressed();
        let name = sheet_name(&table.title, &taken);
        taken.push(name.clone());
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(err)?;
        sheet
            .write_string_with_format(0, 0, defuse(&table.title), &heading)
            .map_err(err)?;
        sheet.write_string(1, 0, defuse(title)).map_err(err)?;
        for (c, column) in table.columns.iter().enumerate() {
            sheet
                .write_string_with_format(3, c as u16, defuse(column), &bold)
                .map_err(err)?;
            sheet
                .set_column_width(c as u16, if c == 0 { 28 } else { 14 })
                .map_err(err)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = 4 + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text { text } => sheet.write_string(r, c, defuse(text)),
                    Cell::Count { count } => {
                        sheet.write_number_with_format(r, c, *count as f64, &whole)
                    }
                    Cell::Share { part, whole } if *whole > 0 => {
                        sheet.write_number_with_format(r, c, *part as f64 / *whole as f64, &percent)
                    }
                    Cell::Figure {
                        value: Some(v),
                        decimals,
                        ..
                    } => {
                        let format = Format::new().set_num_format(if *decimals == 0 {
                            "#,##0".to_string()
                        } else {
                            format!("#,##0.{}", "0".repeat(*decimals as usize))
                        });
                        sheet.write_number_with_format(r, c, *v, &format)
                    }
                    Cell::Suppressed => sheet.write_string(r, c, SUPPRESSED_TEXT),
                    _ => sheet.write_string(r, c, HIDDEN_TEXT),
                }
                .map_err(err)?;
            }
        }
        sheet
            .write_string(4 + table.rows.len() as u32 + 1, 0, LEGEND)
            .map_err(err)?;
    }
    if tables.is_empty() {
        book.add_worksheet()
            .write_string(0, 0, "Geen tabellen in deze periode.")
            .map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn table() -> Table {
        let mut t = Table::new(
            "per-gemeente",
            "Per gemeente",
            &["Gemeente", "Plaatsingen", "Eigen buurt"],
        );
        t.push(vec![
            Cell::text("Leiden"),
            Cell::count(1234),
            Cell::share(617, 1234),
        ]);
        t.push(vec![
            Cell::text("Katwijk"),
            Cell::count(3),
            Cell::share(2, 3),
        ]);
        t.push(vec![
            Cell::text("=HYPERLINK(\"x\")"),
            Cell::count(7),
            Cell::share(3, 7),
        ]);
        t
    }

    #[test]
    fn csv_suppresses_small_counts_and_reads_the_dutch_way() {
        let text = String::from_utf8(csv(&table())).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Gemeente;Plaatsingen;Eigen buurt");
        assert_eq!(lines[1], "Leiden;1234;50,0%");
        assert_eq!(lines[2], "Katwijk;<5;–");
        // A formula is written as text; the share from 3 of 7 is hidden.
        assert_eq!(lines[3], "\"'=HYPERLINK(\"\"x\"\")\";7;–");
        assert!(lines[4].contains("<5: minder dan 5"));
    }

    /// The text of every cell of the first sheet, read back from the XLSX file.
    fn sheet_strings(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut shared = String::new();
        if let Ok(mut f) = zip.by_name("xl/sharedStrings.xml") {
            f.read_to_string(&mut shared).unwrap();
        }
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        shared + &sheet
    }

    #[test]
    fn xlsx_holds_one_sheet_per_table_suppressed() {
        let mut second = table();
        second.id = "per-soort".into();
        let bytes = xlsx("Rapportage 2025-12-01 t/m 2026-11-30", &[table(), second]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
        assert!(zip.by_name("xl/worksheets/sheet2.xml").is_ok());
        let text = sheet_strings(&bytes);
        assert!(text.contains("&lt;5"), "suppressed count");
        assert!(text.contains("Leiden"));
        let cell = |r: &str| {
            let start = text.find(&format!("<c r=\"{r}\"")).expect(r);
            text[start..].split("</c>").next().unwrap().to_string()
        };
        // Row 5 is Leiden, row 6 Katwijk: a count stays a number, the small one is text.
        assert!(cell("B5").contains("<v>1234</v>") && !cell("B5").contains("t=\"s\""));
        assert!(cell("B6").contains("t=\"s\""), "{}", cell("B6"));
    }

    /// A period with seven persons assessed again, two of whom left with an exit assessment,
    /// and three running episodes.
    fn recovery() -> Vec<Table> {
        use nabij_app::guidance::{DomainChange, HoursMonth, RecoveryReport, recovery_tables};
        recovery_tables(&RecoveryReport {
            from: jiff::civil::date(2026, 1, 1),
            to: jiff::civil::date(2026, 12, 31),
            persons_assessed: 9,
            domains: nabij_domain::guidance::ZrmDomain::ALL
                .iter()
                .map(|d| DomainChange {
                    domain: *d,
                    persons: 7,
                    mean_to_latest: Some(0.5),
                    improved: 3,
                    same: 3,
                    worse: 1,
                    exits: 2,
                    mean_to_exit: Some(1.0),
                    improved_at_exit: 2,
                })
                .collect(),
            months: vec![HoursMonth {
                month: "2026-01".into(),
                episodes: 3,
                hours_per_week: 12.0,
                mean_hours_per_week: Some(4.0),
                resumptions: 1,
            }],
            resumptions: 1,
        })
    }

    #[test]
    fn recovery_exports_show_small_counts_as_fewer_than_five() {
        let tables = recovery();
        let text = String::from_utf8(csv(&tables[0])).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("Financiën;"))
            .expect("a line per domain");
        // Seven persons and their mean stay; 3, 3, 1, the share of 3 and both exit figures not.
        assert_eq!(line, "Financiën;7;0,50;<5;<5;<5;–;<5;–;<5");
        let text = String::from_utf8(csv(&tables[1])).unwrap();
        assert!(text.contains("2026-01;<5;–;–;<5"), "{text}");
        let strings = sheet_strings(&xlsx("Herstel", &tables).unwrap());
        assert!(strings.contains("&lt;5"), "suppressed in the workbook");
        assert!(strings.contains("Financiën"));
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let taken = vec!["Per gemeente".to_string()];
        assert_eq!(sheet_name("Per gemeente", &taken), "Per gemeente 2");
        assert_eq!(sheet_name("a/b:c*d?", &[]), "abcd");
        assert!(sheet_name(&"x".repeat(60), &[]).chars().count() <= 31);
    }
}
