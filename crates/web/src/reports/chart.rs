//! Charts for the reports: SVG drawn on the server, no JavaScript, readable in greyscale.
//!
//! Series are told apart by line pattern and marker shape, not by colour alone; every chart
//! carries a title and a text description for screen readers, and the page shows the same
//! numbers as a table beside it. Text is escaped; values that are missing (`None`) leave a
//! gap in the line instead of a false zero.

use nabij_domain::table::decimal;
use std::fmt::Write;

/// One line of a time series: `(x label, value)` per point, e.g. `("2026-01", Some(12.0))`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(String, Option<f64>)>,
}

/// Finished SVG markup, safe to place in a page (`{{ svg.0|safe }}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Svg(pub String);

const WIDTH: f64 = 640.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
/// Line patterns, in the order series are drawn: solid, dashed, dotted, dash-dot.
const DASHES: [&str; 4] = ["", "8 4", "2 4", "10 4 2 4"];
/// Greys from dark to mid, all readable on white.
const GREYS: [&str; 4] = ["#1a1a1a", "#4d4d4d", "#333333", "#666666"];

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round step for about `ticks` grid lines up to `max`: 1, 2 or 5 times a power of ten.
fn nice_step(max: f64, ticks: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / ticks;
    let power = 10f64.powf(raw.log10().floor());
    let unit = raw / power;
    let nice = if unit <= 1.0 {
        1.0
    } else if unit <= 2.0 {
        2.0
    } else if unit <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// The top of the y axis and its step, starting at zero.
fn y_scale(max: f64) -> (f64, f64) {
    let step = nice_step(max, 5.0);
    let top = (max / step).ceil().max(1.0) * step;
    (top, step)
}

fn label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        nabij_domain::table::thousands(v.round() as i64)
    } else {
        decimal(v, 1)
    }
}

fn open(out: &mut String, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="sans-serif" font-size="12"><title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc><rect width="{WIDTH}" height="{height}" fill="#fff"/><text x="{LEFT}" y="20" font-size="14" font-weight="bold" fill="#1a1a1a">{t}</text>"##,
        id = chart_id(title),
        t = escape(title),
        d = escape(desc),
    );
}

/// A stable id for the chart's title and description, from its title.
fn chart_id(title: &str) -> String {
    let mut h: u32 = 2166136261;
    for b in title.bytes() {
        h = (h ^ b as u32).wrapping_mul(16777619);
    }
    format!("chart-{h:08x}")
}

/// Draws the axes, grid and series of one plot inside the box `(x, y, w, h)`.
#[allow(clippy::too_many_arguments)]
fn plot(
    out: &mut String,
    (x0, y0, w, h): (f64, f64, f64, f64),
    series: &[Series],
    top: f64,
    step: f64,
    x_labels: &[String],
    x_label_every: usize,
    markers: bool,
) {
    // Horizontal grid with the values at the left.
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let y = y0 + h - v / top * h;
        let _ = write!(
            out,
            r##"<line x1="{x0}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#d0d0d0"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#333">{l}</text>"##,
            x2 = x0 + w,
            tx = x0 - 6.0,
            ty = y + 4.0,
            l = label(v),
        );
        v += step;
    }
    let n = x_labels.len().max(1);
    let dx = if n > 1 { w / (n - 1) as f64 } else { 0.0 };
    let x_at = |i: usize| {
        if n > 1 {
            x0 + i as f64 * dx
        } else {
            x0 + w / 2.0
        }
    };
    for (i, l) in x_labels.iter().enumerate() {
        if i % x_label_every.max(1) == 0 || i + 1 == n {
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" fill="#333">{l}</text>"##,
                x = x_at(i),
                y = y0 + h + 16.0,
                l = escape(l),
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{x0}" y1="{y}" x2="{x2}" y2="{y}" stroke="#1a1a1a"/>"##,
        y = y0 + h,
        x2 = x0 + w,
    );
    for (k, s) in series.iter().enumerate() {
        let (dash, grey) = (DASHES[k % DASHES.len()], GREYS[k % GREYS.len()]);
        let mut path = String::new();
        let mut pen_down = false;
        for (i, (_, value)) in s.points.iter().enumerate() {
            match value {
                Some(v) if v.is_finite() => {
                    let (x, y) = (x_at(i), y0 + h - v.max(0.0) / top * h);
                    let _ = write!(path, "{}{x:.1} {y:.1} ", if pen_down { "L" } else { "M" });
                    pen_down = true;
                    if markers {
                        marker(out, k, x, y, grey);
                    }
                }
                _ => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                out,
                r#"<path d="{}" fill="none" stroke="{grey}" stroke-width="2"{}/>"#,
                path.trim_end(),
                if dash.is_empty() {
                    String::new()
                } else {
                    format!(r#" stroke-dasharray="{dash}""#)
                },
            );
        }
    }
}

/// Circle, square, triangle, diamond: one shape per series.
fn marker(out: &mut String, k: usize, x: f64, y: f64, grey: &str) {
    let _ = match k % 4 {
        0 => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{grey}"/>"#
        ),
        1 => write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="6" height="6" fill="#fff" stroke="{grey}" stroke-width="1.5"/>"##,
            x - 3.0,
            y - 3.0
        ),
        2 => write!(
            out,
            r#"<path d="M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{grey}"/>"#,
            y - 4.0,
            x + 4.0,
            y + 3.0,
            x - 4.0,
            y + 3.0
        ),
        _ => write!(
            out,
            r##"<path d="M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z" fill="#fff" stroke="{grey}" stroke-width="1.5"/>"##,
            y - 4.0,
            x + 4.0,
            y + 4.0,
            x - 4.0
        ),
    };
}

fn max_value<'a>(series: impl Iterator<Item = &'a Series>) -> f64 {
    series
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// The x labels of the longest series.
fn x_labels(series: &[Series]) -> Vec<String> {
    series
        .iter()
        .max_by_key(|s| s.points.len())
        .map(|s| s.points.iter().map(|p| p.0.clone()).collect())
        .unwrap_or_default()
}

fn describe(series: &[Series], unit: &str) -> String {
    let mut d = String::new();
    for s in series {
        let known: Vec<f64> = s.points.iter().filter_map(|p| p.1).collect();
        let (first, last) = (s.points.first(), s.points.last());
        let _ = write!(
            d,
            "{}: {} punten{}; hoogste {} {unit}. ",
            s.name,
            s.points.len(),
            match (first, last) {
                (Some(f), Some(l)) => format!(" van {} tot {}", f.0, l.0),
                _ => String::new(),
            },
            label(known.iter().copied().fold(0.0, f64::max)),
        );
    }
    d.trim_end().to_string()
}

/// A time series with one line per series and a legend; `unit` names the y axis.
pub fn line_chart(title: &str, unit: &str, series: &[Series]) -> Svg {
    let legend_rows = series.len().div_ceil(3) as f64;
    let height = TOP + 200.0 + 28.0 + legend_rows * 18.0 + 8.0;
    let mut out = String::new();
    open(&mut out, height, title, &describe(series, unit));
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="{y}" fill="#333">{u}</text>"##,
        y = TOP - 2.0,
        u = escape(unit)
    );
    let labels = x_labels(series);
    let (top, step) = y_scale(max_value(series.iter()));
    let w = WIDTH - LEFT - RIGHT;
    plot(
        &mut out,
        (LEFT, TOP + 8.0, w, 192.0),
        series,
        top,
        step,
        &labels,
        labels.len().div_ceil(8),
        labels.len() <= 40,
    );
    // Legend: pattern and marker beside each name, three to a row.
    for (k, s) in series.iter().enumerate() {
        let (col, row) = ((k % 3) as f64, (k / 3) as f64);
        let (x, y) = (LEFT + col * 190.0, TOP + 200.0 + 34.0 + row * 18.0);
        let (dash, grey) = (DASHES[k % DASHES.len()], GREYS[k % GREYS.len()]);
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="{grey}" stroke-width="2"{d}/>"#,
            x2 = x + 28.0,
            d = if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            },
        );
        marker(&mut out, k, x + 14.0, y, grey);
        let _ = write!(
            out,
            r##"<text x="{tx}" y="{ty}" fill="#1a1a1a">{n}</text>"##,
            tx = x + 34.0,
            ty = y + 4.0,
            n = escape(&s.name)
        );
    }
    out.push_str("</svg>");
    Svg(out)
}

/// Horizontal bars, one per label, with the value written at the end of each bar: names of
/// municipalities fit, and the order given is kept.
pub fn bar_chart(title: &str, unit: &str, bars: &[(String, f64)]) -> Svg {
    const ROW: f64 = 20.0;
    let label_width = 160.0;
    let height = TOP + 12.0 + bars.len().max(1) as f64 * ROW + 12.0;
    let mut out = String::new();
    let desc = bars
        .iter()
        .map(|(l, v)| format!("{l}: {} {unit}", label(*v)))
        .collect::<Vec<_>>()
        .join("; ");
    open(&mut out, height, title, &desc);
    let max = bars
        .iter()
        .map(|b| b.1)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let (top, _) = y_scale(max);
    let w = WIDTH - label_width - RIGHT - 56.0;
    for (i, (name, value)) in bars.iter().enumerate() {
        let y = TOP + 12.0 + i as f64 * ROW;
        let v = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let len = v / top * w;
        let _ = write!(
            out,
            r##"<text x="{lx}" y="{ty:.1}" text-anchor="end" fill="#1a1a1a">{n}</text><rect x="{label_width}" y="{y:.1}" width="{len:.1}" height="{bh}" fill="#4d4d4d"/><text x="{vx:.1}" y="{ty:.1}" fill="#1a1a1a">{v}</text>"##,
            lx = label_width - 6.0,
            ty = y + 13.0,
            n = escape(&truncate(name, 24)),
            bh = ROW - 6.0,
            vx = label_width + len + 4.0,
            v = if value.is_finite() {
                format!("{} {}", label(*value), escape(unit))
            } else {
                "–".into()
            },
        );
    }
    out.push_str("</svg>");
    Svg(out)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// One small line chart per panel in a grid of `columns`, all on the same y scale so the
/// panels can be compared at a glance.
pub fn small_multiples(title: &str, unit: &str, panels: &[Series], columns: usize) -> Svg {
    let columns = columns.clamp(1, 6);
    let rows = panels.len().div_ceil(columns).max(1);
    let (panel_w, panel_h) = ((WIDTH - 16.0) / columns as f64, 110.0);
    let height = TOP + 8.0 + rows as f64 * panel_h;
    let mut out = String::new();
    let desc = format!(
        "{} panelen, elk één reeks in {unit}, op dezelfde schaal. {}",
        panels.len(),
        describe(panels, unit)
    );
    open(&mut out, height, title, &desc);
    let (top, _) = y_scale(max_value(panels.iter()));
    for (i, p) in panels.iter().enumerate() {
        let (col, row) = ((i % columns) as f64, (i / columns) as f64);
        let (x, y) = (8.0 + col * panel_w, TOP + 8.0 + row * panel_h);
        let _ = write!(
            out,
            r##"<text x="{tx:.1}" y="{ty:.1}" font-weight="bold" fill="#1a1a1a">{n}</text>"##,
            tx = x + 32.0,
            ty = y + 12.0,
            n = escape(&truncate(&p.name, 22)),
        );
        let labels: Vec<String> = p.points.iter().map(|q| q.0.clone()).collect();
        plot(
            &mut out,
            (x + 32.0, y + 20.0, panel_w - 44.0, panel_h - 44.0),
            std::slice::from_ref(p),
            top,
            top,
            &labels,
            labels.len().max(1),
            false,
        );
    }
    out.push_str("</svg>");
    Svg(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(values: &[Option<f64>]) -> Vec<(String, Option<f64>)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("2026-{:02}", i + 1), *v))
            .collect()
    }

    #[test]
    fn a_line_chart_names_itself_and_escapes_what_it_shows() {
        let svg = line_chart(
            "Plaatsingen <per maand>",
            "plaatsingen",
            &[Series {
                name: "Leiden & Katwijk".into(),
                points: months(&[Some(3.0), Some(7.0), Some(5.0)]),
            }],
        )
        .0;
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"chart-"));
        assert!(svg.contains("Plaatsingen &lt;per maand&gt;"));
        assert!(svg.contains("Leiden &amp; Katwijk"));
        assert!(!svg.contains("<per maand>"));
        assert!(!svg.contains("<script"));
        // One line through the three months.
        assert_eq!(svg.matches("<path d=\"M").count(), 1);
        assert_eq!(svg.matches(" L").count(), 2);
    }

    #[test]
    fn a_missing_value_breaks_the_line_instead_of_dropping_to_zero() {
        let svg = line_chart(
            "Bezetting",
            "%",
            &[Series {
                name: "Leiden".into(),
                points: months(&[Some(50.0), None, Some(60.0), Some(70.0)]),
            }],
        )
        .0;
        // Two pieces: month 1 alone, then months 3–4.
        let path = svg
            .split("<path d=\"")
            .nth(1)
            .and_then(|p| p.split('"').next())
            .unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
    }

    #[test]
    fn series_differ_by_pattern_not_only_by_colour() {
        let s = |n: &str| Series {
            name: n.into(),
            points: months(&[Some(1.0), Some(2.0)]),
        };
        let svg = line_chart("Twee reeksen", "n", &[s("a"), s("b")]).0;
        assert!(svg.contains("stroke-dasharray=\"8 4\""));
    }

    #[test]
    fn bars_keep_their_order_and_show_their_value() {
        let svg = bar_chart(
            "Geen plek in eigen gebied",
            "keer",
            &[("Leiden".into(), 12.0), ("Katwijk".into(), 1234.0)],
        )
        .0;
        let (leiden, katwijk) = (svg.find("Leiden").unwrap(), svg.find("Katwijk").unwrap());
        assert!(leiden < katwijk);
        assert!(svg.contains("1.234 keer"));
    }

    #[test]
    fn small_multiples_share_one_scale() {
        let panels = vec![
            Series {
                name: "Leiden".into(),
                points: months(&[Some(10.0), Some(100.0)]),
            },
            Series {
                name: "Katwijk".into(),
                points: months(&[Some(10.0), Some(10.0)]),
            },
        ];
        let svg = small_multiples("Bezetting per gemeente", "%", &panels, 2).0;
        // Both panels' axes top out at the largest value of all panels.
        assert_eq!(svg.matches(">100</text>").count(), 2);
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(y_scale(87.0), (100.0, 20.0));
        assert_eq!(y_scale(0.0), (1.0, 1.0));
        assert_eq!(y_scale(16845.0), (20000.0, 5000.0));
    }
}
