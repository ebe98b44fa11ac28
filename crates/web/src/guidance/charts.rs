//! Server-rendered SVG charts, no JavaScript: the intensity of an episode as a step chart,
//! and the ZRM as a heat strip (domains × assessments) whose five colours are told apart
//! without colour vision too (each cell also carries its score as a number).

use jiff::civil::Date;
use nabij_app::guidance::{AssessmentView, IntensityView};
use nabij_domain::guidance::{ZrmDomain, level_name};
use nabij_domain::labels::{self, Label};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn hours_text(h: f64) -> String {
    let s = if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    };
    s.replace('.', ",")
}

/// The intensity history from `start` to `end` as a step chart; hours on the vertical axis.
pub fn intensity(changes: &[IntensityView], start: Date, end: Date) -> String {
    const W: f64 = 640.0;
    const H: f64 = 160.0;
    const LEFT: f64 = 40.0;
    const RIGHT: f64 = 10.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 30.0;
    let end = if end <= start {
        start.saturating_add(jiff::ToSpan::days(1))
    } else {
        end
    };
    let span = (end - start).get_days().max(1) as f64;
    let days = |d: Date| ((d - start).get_days() as f64).clamp(0.0, span);
    let max = changes
        .iter()
        .map(|c| c.hours_per_week)
        .fold(4.0f64, f64::max)
        .ceil();
    let x = |d: Date| LEFT + days(d) / span * (W - LEFT - RIGHT);
    let y = |h: f64| TOP + (1.0 - h / max) * (H - TOP - BOTTOM);
    let mut points = Vec::new();
    let mut last: Option<f64> = None;
    let mut sorted: Vec<&IntensityView> = changes.iter().collect();
    sorted.sort_by_key(|c| c.from);
    for c in &sorted {
        let cx = x(c.from.max(start));
        if let Some(h) = last {
            points.push(format!("{cx:.1},{:.1}", y(h)));
        }
        points.push(format!("{cx:.1},{:.1}", y(c.hours_per_week)));
        last = Some(c.hours_per_week);
    }
    if let Some(h) = last {
        points.push(format!("{:.1},{:.1}", x(end), y(h)));
    }
    let summary = sorted
        .iter()
        .map(|c| {
            format!(
                "vanaf {}: {} uur per week",
                labels::date(c.from),
                hours_text(c.hours_per_week)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"intensiteit-titel\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"intensiteit-titel\">Intensiteit in uren per week: {}</title>",
        esc(&summary)
    );
    for tick in [0.0, max / 2.0, max] {
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ccc\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            y(tick),
            y(tick),
            LEFT - 4.0,
            y(tick) + 4.0,
            hours_text(tick)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"{:.1}\" font-size=\"11\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        H - 8.0,
        labels::date(start),
        W - RIGHT,
        H - 8.0,
        labels::date(end)
    ));
    if !points.is_empty() {
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"#0b5394\" stroke-width=\"3\" points=\"{}\"/>",
            points.join(" ")
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Five steps of a colour-blind-safe sequential palette (viridis), 1 = acute to 5 = fully
/// self-reliant, with the text colour that reads on each.
const LEVEL_COLOURS: [(&str, &str); 5] = [
    ("#440154", "#ffffff"),
    ("#3b528b", "#ffffff"),
    ("#21918c", "#ffffff"),
    ("#5ec962", "#000000"),
    ("#fde725", "#000000"),
];

/// The ZRM as a heat strip: one row per domain, one column per assessment, and the change
/// from the first to the last (or exit) column at the end.
pub fn zrm(assessments: &[AssessmentView], progress: Option<&[i8]>) -> String {
    const LABEL: f64 = 190.0;
    const CELL_W: f64 = 44.0;
    const CELL_H: f64 = 22.0;
    const TOP: f64 = 38.0;
    let cols = assessments.len() as f64;
    let w = (LABEL + cols * CELL_W + 60.0).max(LABEL + 170.0);
    let h = TOP + 13.0 * CELL_H + 12.0 + 5.0 * 20.0;
    let mut svg = format!(
        "<svg class=\"chart zrm\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-labelledby=\"zrm-titel\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"zrm-titel\">Zelfredzaamheid per domein over {} afnames; de tabel eronder geeft dezelfde scores</title>",
        assessments.len()
    );
    for (j, a) in assessments.iter().enumerate() {
        let cx = LABEL + j as f64 * CELL_W + CELL_W / 2.0;
        let d = a.assessed_on;
        svg.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"14\" font-size=\"10\" text-anchor=\"middle\">{}-{}</text>\
             <text x=\"{cx:.1}\" y=\"28\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            d.day(),
            d.month(),
            d.year()
        ));
    }
    if progress.is_some() {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"28\" font-size=\"10\" text-anchor=\"middle\">verschil</text>",
            LABEL + cols * CELL_W + 30.0
        ));
    }
    for (i, domain) in ZrmDomain::ALL.iter().enumerate() {
        let y = TOP + i as f64 * CELL_H;
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            LABEL - 6.0,
            y + CELL_H * 0.7,
            esc(domain.label())
        ));
        for (j, a) in assessments.iter().enumerate() {
            let score = a.scores.get(i).copied().unwrap_or(1).clamp(1, 5);
            let (fill, ink) = LEVEL_COLOURS[(score - 1) as usize];
            let x = LABEL + j as f64 * CELL_W;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#fff\">\
                 <title>{}: {score} ({})</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{ink}\">{score}</text>",
                CELL_W,
                CELL_H,
                esc(domain.label()),
                level_name(score),
                x + CELL_W / 2.0,
                y + CELL_H * 0.7
            ));
        }
        if let Some(p) = progress {
            let d = p.get(i).copied().unwrap_or(0);
            let text = match d {
                d if d > 0 => format!("+{d} ▲"),
                0 => "0 =".to_string(),
                d => format!("{d} ▼"),
            };
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"bold\">{text}</text>",
                LABEL + cols * CELL_W + 30.0,
                y + CELL_H * 0.7
            ));
        }
    }
    // The legend: each level's colour with its number and name, one per line.
    let ly = TOP + 13.0 * CELL_H + 12.0;
    for (k, (fill, ink)) in LEVEL_COLOURS.iter().enumerate() {
        let y = ly + k as f64 * 20.0;
        svg.push_str(&format!(
            "<rect x=\"{LABEL:.1}\" y=\"{y:.1}\" width=\"18\" height=\"18\" fill=\"{fill}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            LABEL + 9.0,
            y + 13.0,
            k + 1,
            LABEL + 24.0,
            y + 13.0,
            level_name(k as u8 + 1)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_step_chart_names_every_change_for_screen_readers() {
        let svg = intensity(
            &[
                IntensityView {
                    from: date(2026, 1, 1),
                    hours_per_week: 4.0,
                    reason: "start".into(),
                    changed_by: "a".into(),
                },
                IntensityView {
                    from: date(2026, 2, 1),
                    hours_per_week: 1.5,
                    reason: "minder".into(),
                    changed_by: "a".into(),
                },
            ],
            date(2026, 1, 1),
            date(2026, 3, 1),
        );
        assert!(svg.contains("vanaf 1 feb 2026: 1,5 uur per week"), "{svg}");
        assert!(svg.contains("<polyline"));
        assert!(!svg.contains("<script"));
    }
}
