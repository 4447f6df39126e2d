//! Metrics, the markdown table, JSON and the chart of a run.

use std::path::Path as FsPath;

use serde::Serialize;

use crate::strategies::{Path, Track};

/// The numbers reported per strategy.
#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    pub name: String,
    /// Value at the end, per 1 at the start.
    pub terminal: f64,
    /// Largest fall from a running peak, as a fraction.
    pub max_drawdown: f64,
    /// Worst close-to-close day, as a fraction.
    pub worst_day: f64,
    pub rebalances: u64,
    pub turnover: f64,
    pub bad_debt: f64,
    /// Days from liquidation (or wipe-out) to the end of the path.
    pub days_liquidated: f64,
    /// Standard deviation of daily (return − nominal × underlying return), as a fraction.
    pub tracking_error: f64,
}

/// Day-end indices: the last step of each UTC day.
pub fn day_ends(path: &Path) -> Vec<usize> {
    let mut ends = Vec::new();
    for i in 0..path.len() {
        if i + 1 == path.len() || path.time[i + 1].div_euclid(86_400) != path.time[i].div_euclid(86_400) {
            ends.push(i);
        }
    }
    ends
}

pub fn metrics(path: &Path, t: &Track) -> Metrics {
    let v = &t.values;
    let mut peak = f64::MIN;
    let mut mdd: f64 = 0.0;
    for &x in v {
        peak = peak.max(x);
        if peak > 0.0 {
            mdd = mdd.max(1.0 - x / peak);
        }
    }
    // The start is the reference for the first day's return.
    let ends: Vec<usize> = std::iter::once(0).chain(day_ends(path)).collect();
    let (mut worst, mut errs) = (0.0_f64, Vec::new());
    for w in ends.windows(2) {
        let (a, b) = (w[0], w[1]);
        if v[a] > 0.0 {
            let r = v[b] / v[a] - 1.0;
            let u = path.price[b] as f64 / path.price[a] as f64 - 1.0;
            worst = worst.min(r);
            errs.push(r - t.nominal * u);
        }
    }
    let te = if errs.len() > 1 {
        let mean = errs.iter().sum::<f64>() / errs.len() as f64;
        (errs.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (errs.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    Metrics {
        name: t.name.clone(),
        terminal: *v.last().unwrap_or(&0.0),
        max_drawdown: mdd,
        worst_day: worst,
        rebalances: t.rebalances,
        turnover: t.turnover,
        bad_debt: t.bad_debt,
        days_liquidated: t.liquidated_at.map_or(0.0, |i| (path.time[path.len() - 1] - path.time[i]) as f64 / 86_400.0),
        tracking_error: te,
    }
}

fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

/// A multiple, with significant digits kept for values near zero (asymptotically small is not
/// zero).
fn multiple(x: f64) -> String {
    if x == 0.0 {
        "0 (wiped out)".into()
    } else if x < 0.001 {
        format!("{x:.2e}x")
    } else {
        format!("{x:.4}x")
    }
}

/// The markdown table of a run.
pub fn markdown(title: &str, rows: &[Metrics]) -> String {
    let mut s = format!("#### {title}\n\n| strategy | terminal value | max drawdown | worst day | rebalances | turnover | bad debt | days liquidated | tracking error vs L × daily |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for m in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.2}x | {} | {:.0} | {:.2}% |\n",
            m.name,
            multiple(m.terminal),
            pct(-m.max_drawdown),
            pct(m.worst_day),
            m.rebalances,
            m.turnover,
            if m.bad_debt == 0.0 {
                "0".to_string()
            } else if m.bad_debt < 0.001 {
                format!("{:.2e}", m.bad_debt)
            } else {
                format!("{:.4}", m.bad_debt)
            },
            m.days_liquidated,
            m.tracking_error * 100.0
        ));
    }
    s
}

#[derive(Serialize)]
struct Json<'a> {
    title: &'a str,
    steps: usize,
    start: i64,
    end: i64,
    metrics: &'a [Metrics],
}

pub fn json(title: &str, path: &Path, rows: &[Metrics]) -> String {
    serde_json::to_string_pretty(&Json { title, steps: path.len(), start: path.time[0], end: path.time[path.len() - 1], metrics: rows })
        .expect("json")
}

/// Font files tried, in order, for chart labels.
pub const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/System/Library/Fonts/Helvetica.ttc",
];

pub fn register_font(font: Option<&FsPath>) -> Result<(), String> {
    let candidates: Vec<std::path::PathBuf> = match font {
        Some(f) => vec![f.to_path_buf()],
        None => FONTS.iter().map(std::path::PathBuf::from).collect(),
    };
    for c in &candidates {
        if let Ok(bytes) = std::fs::read(c) {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            return plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, bytes)
                .map_err(|_| format!("{} is not a usable font", c.display()));
        }
    }
    Err("no font for chart labels; pass --font <file.ttf>".into())
}

/// The house frame of a chart: its title, margin and axis label areas. The caller picks the axes.
pub fn frame<'a, 'b, DB: plotters::prelude::DrawingBackend>(
    root: &'a plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
) -> plotters::prelude::ChartBuilder<'a, 'b, DB> {
    let mut c = plotters::prelude::ChartBuilder::on(root);
    c.caption(title, ("sans-serif", 22)).margin(12).x_label_area_size(40).y_label_area_size(70);
    c
}

/// An SVG chart of every track's value on a log scale, with Turbo's rebalances marked.
pub fn chart(out: &FsPath, title: &str, path: &Path, tracks: &[Track], font: Option<&FsPath>) -> Result<(), String> {
    use plotters::prelude::*;
    register_font(font)?;
    let days = |i: usize| (path.time[i] - path.time[0]) as f64 / 86_400.0;
    let floor = 1e-3;
    let (lo, hi) = tracks.iter().flat_map(|t| t.values.iter()).fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v.max(floor)), b.max(v)));
    let root = SVGBackend::new(out, (1200, 700)).into_drawing_area();
    let e = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut c =
        frame(&root, title).build_cartesian_2d(0.0..days(path.len() - 1).max(1e-9), (lo * 0.9..hi * 1.1).log_scale()).map_err(|x| e(&x))?;
    c.configure_mesh().x_desc("days").y_desc("value (log), start = 1").draw().map_err(|x| e(&x))?;
    let palette = [
        RGBColor(120, 120, 120),
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(23, 190, 207),
        RGBColor(148, 103, 189),
    ];
    // At most ~2,000 points per line keeps the SVG small.
    let stride = (path.len() / 2_000).max(1);
    for (k, t) in tracks.iter().enumerate() {
        let color = palette[k % palette.len()];
        let pts: Vec<(f64, f64)> =
            (0..path.len()).step_by(stride).chain([path.len() - 1]).map(|i| (days(i), t.values[i].max(floor))).collect();
        c.draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(|x| e(&x))?
            .label(t.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
        if t.name.starts_with("Turbo") && !t.marks.is_empty() {
            let every = (t.marks.len() / 300).max(1);
            c.draw_series(t.marks.iter().step_by(every).map(|&i| Circle::new((days(i), t.values[i].max(floor)), 2, color.filled())))
                .map_err(|x| e(&x))?;
        }
    }
    finish(&mut c, &root)
}

/// Draw the legend in the upper left and write the chart out.
pub fn finish<'a, DB: plotters::prelude::DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    c: &mut plotters::prelude::ChartContext<'a, DB, CT>,
    root: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), String> {
    use plotters::prelude::*;
    let e = |e: &dyn std::fmt::Display| e.to_string();
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))
}
