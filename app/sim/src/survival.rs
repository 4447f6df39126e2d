//! The survival study: from every start day in a file, for windows of 30, 90 and 365 days, the
//! share of windows in which each strategy ends at zero, is liquidated, or loses more than 90%.

use serde::Serialize;

use crate::report::day_ends;
use crate::strategies::{self, Options, Path};

#[derive(Clone, Debug, Default, Serialize)]
pub struct Survival {
    pub strategy: String,
    pub window_days: u32,
    pub windows: usize,
    /// Share of windows ending at (or below) zero.
    pub ended_at_zero: f64,
    /// Share of windows in which the position was liquidated or wiped out.
    pub liquidated: f64,
    /// Share of windows ending more than 90% down.
    pub lost_90: f64,
}

/// Run the study. `progress` is called with (done, total) windows.
pub fn study(path: &Path, o: &Options, windows: &[u32], vol_budget_bps: u32, mut progress: impl FnMut(usize, usize)) -> Vec<Survival> {
    let starts: Vec<usize> = std::iter::once(0).chain(day_ends(path).into_iter().map(|i| i + 1)).filter(|&i| i < path.len()).collect();
    let end_time = path.time[path.len() - 1];
    let jobs: Vec<(u32, usize, usize)> = windows
        .iter()
        .flat_map(|&w| {
            starts.iter().filter_map(move |&s| {
                let stop = path.time[s] + w as i64 * 86_400;
                (stop <= end_time).then(|| (w, s, path.time.partition_point(|&t| t <= stop)))
            })
        })
        .collect();
    let mut out: Vec<Survival> = Vec::new();
    for (done, &(w, s, e)) in jobs.iter().enumerate() {
        let sub = path.slice(s, e);
        for t in strategies::all(&sub, o, vol_budget_bps) {
            if t.name == "Spot" {
                continue;
            }
            let last = *t.values.last().unwrap_or(&0.0);
            let zero = last <= 1e-12;
            let row = match out.iter_mut().find(|r| r.strategy == t.name && r.window_days == w) {
                Some(r) => r,
                None => {
                    out.push(Survival { strategy: t.name.clone(), window_days: w, ..Survival::default() });
                    out.last_mut().expect("pushed")
                }
            };
            row.windows += 1;
            row.ended_at_zero += zero as u8 as f64;
            row.liquidated += (t.liquidated_at.is_some() || t.bad_debt > 0.0) as u8 as f64;
            row.lost_90 += (last < 0.1) as u8 as f64;
        }
        progress(done + 1, jobs.len());
    }
    for r in &mut out {
        let n = r.windows.max(1) as f64;
        r.ended_at_zero /= n;
        r.liquidated /= n;
        r.lost_90 /= n;
    }
    out
}

pub fn markdown(title: &str, rows: &[Survival]) -> String {
    let mut s = format!("#### {title}\n\n| strategy | window | windows | ended at zero | liquidated or wiped | lost > 90% |\n|---|---:|---:|---:|---:|---:|\n");
    for r in rows {
        s.push_str(&format!(
            "| {} | {} d | {} | {:.1}% | {:.1}% | {:.1}% |\n",
            r.strategy,
            r.window_days,
            r.windows,
            r.ended_at_zero * 100.0,
            r.liquidated * 100.0,
            r.lost_90 * 100.0
        ));
    }
    s
}
