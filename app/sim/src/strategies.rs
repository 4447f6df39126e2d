//! The strategies replayed side by side on one price path. The comparison strategies are
//! textbook formulas in floating point; Turbo and Bear run through [`TurboModel`], i.e. the
//! program's own integer code.

use turbo::state::VaultParams;

use crate::model::{moved, TurboModel};

/// A price path: unix seconds and prices at 8 decimals.
#[derive(Clone, Debug, Default)]
pub struct Path {
    pub time: Vec<i64>,
    pub price: Vec<u64>,
}

impl Path {
    pub fn from_points(points: &[turbo_sdk::series::PricePoint]) -> Path {
        Path { time: points.iter().map(|p| p.time).collect(), price: points.iter().map(|p| p.price.max(1) as u64).collect() }
    }
    pub fn len(&self) -> usize {
        self.price.len()
    }
    pub fn is_empty(&self) -> bool {
        self.price.is_empty()
    }
    /// The sub-path `[from, to)` by index.
    pub fn slice(&self, from: usize, to: usize) -> Path {
        Path { time: self.time[from..to].to_vec(), price: self.price[from..to].to_vec() }
    }
}

/// One strategy's value over the path, relative to 1.0 at the start.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Track {
    pub name: String,
    /// The leverage it aims for (1 for spot, −2 for Bear): the multiple tracking error uses.
    pub nominal: f64,
    #[serde(skip)]
    pub values: Vec<f64>,
    pub rebalances: u64,
    /// Σ |Δ notional| over the path, in units of initial equity.
    pub turnover: f64,
    /// Loss beyond everything the position held, in units of initial equity.
    pub bad_debt: f64,
    /// Step at which it was liquidated (perp) or wiped out (daily 3x), if ever.
    pub liquidated_at: Option<usize>,
    /// Steps with a rebalance (for the chart).
    #[serde(skip)]
    pub marks: Vec<usize>,
}

/// Everything configurable about a run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Leverage of the constant, daily and perp comparisons.
    pub leverage: f64,
    /// Turbo's parameters (target, band, step, interval, emergency, volatility budget, fees).
    pub turbo: VaultParams,
    /// Bear's parameters.
    pub bear: VaultParams,
    /// Call the keeper every this many steps.
    pub keeper_every: usize,
    /// Perp maintenance margin as a fraction of notional.
    pub maintenance: f64,
    /// Initial equity of the Turbo/Bear models, micro-USD.
    pub equity: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            leverage: 3.0,
            turbo: turbo_sdk::defaults::turbo_params(),
            bear: turbo_sdk::defaults::bear_params(),
            keeper_every: 1,
            maintenance: 0.025,
            equity: 1_000_000_000_000,
        }
    }
}

pub fn spot(path: &Path) -> Track {
    let p0 = path.price[0] as f64;
    Track { name: "Spot".into(), nominal: 1.0, values: path.price.iter().map(|p| *p as f64 / p0).collect(), ..Track::default() }
}

/// Leverage `l` restored at every step: `v ← v · (1 + l·r)`, zero once it hits zero.
pub fn constant(path: &Path, l: f64) -> Track {
    let mut t = Track { name: format!("Constant {l}x"), nominal: l, values: vec![1.0], ..Track::default() };
    let mut v = 1.0;
    for (i, w) in path.price.windows(2).enumerate() {
        let r = w[1] as f64 / w[0] as f64 - 1.0;
        let before = v;
        let next = v * (1.0 + l * r);
        if next <= 0.0 && t.liquidated_at.is_none() && v > 0.0 {
            t.liquidated_at = Some(i + 1);
            t.bad_debt = -next;
        }
        v = next.max(0.0);
        // Holding l·v of notional through the move drifts it to l·before·(1+r); reset to l·v.
        t.turnover += (l * before * (1.0 + r) - l * v).abs();
        t.values.push(v);
    }
    t.rebalances = (path.len() - 1) as u64;
    t
}

/// Leverage `l` restored at the first step of each UTC day; exposure fixed in between.
pub fn daily(path: &Path, l: f64) -> Track {
    let mut t = Track { name: format!("Daily {l}x"), nominal: l, ..Track::default() };
    let (mut v_reset, mut q, mut p_reset) = (1.0, l / path.price[0] as f64, path.price[0] as f64);
    let mut day = path.time[0].div_euclid(86_400);
    for (i, (&time, &p)) in path.time.iter().zip(&path.price).enumerate() {
        let p = p as f64;
        let mut v = if t.liquidated_at.is_some() { 0.0 } else { v_reset + q * (p - p_reset) };
        if v <= 0.0 && t.liquidated_at.is_none() {
            t.bad_debt = -v;
            t.liquidated_at = Some(i);
            v = 0.0;
        }
        let d = time.div_euclid(86_400);
        if d != day && t.liquidated_at.is_none() {
            let target = l * v / p;
            t.turnover += (target - q).abs() * p;
            q = target;
            v_reset = v;
            p_reset = p;
            t.rebalances += 1;
            t.marks.push(i);
        }
        day = d;
        t.values.push(v);
    }
    t
}

/// A perp of leverage `l` opened at the start and never resized, liquidated (and worth zero
/// from then on) once equity falls under `maintenance` of notional.
pub fn perp(path: &Path, l: f64, maintenance: f64) -> Track {
    let mut t = Track { name: format!("Perp {l}x"), nominal: l, ..Track::default() };
    let p0 = path.price[0] as f64;
    let q = l / p0;
    for (i, &p) in path.price.iter().enumerate() {
        let p = p as f64;
        let equity = 1.0 + q * (p - p0);
        let v = if t.liquidated_at.is_some() {
            0.0
        } else if equity < maintenance * q * p {
            t.liquidated_at = Some(i);
            t.bad_debt = (-equity).max(0.0);
            0.0
        } else {
            equity
        };
        t.values.push(v);
    }
    t.turnover = l;
    t
}

/// A Turbo or Bear vault through the program's own code, keeper every `keeper_every` steps.
/// Values are NAV per initial NAV; the mint fee is taken on entry and the last value is what
/// redeeming everything pays, both through the program's quotes.
pub fn turbo(path: &Path, name: &str, params: VaultParams, o: &Options) -> Track {
    let mut m = TurboModel::new(params, o.equity, path.price[0], path.time[0], o.equity.saturating_mul(1_000));
    // The entry and exit fees through the program's quotes, in integers.
    let entry = m.mint_net(o.equity, path.price[0], path.time[0]) as f64 / o.equity as f64;
    let nav0 = o.equity as f64;
    let mut t = Track { name: name.into(), nominal: params.target_leverage as f64 / 1e6, ..Track::default() };
    t.values.push(entry);
    for i in 1..path.len() {
        let nav = if i % o.keeper_every.max(1) == 0 {
            let s = m.keeper_call(path.price[i], path.time[i]);
            if moved(&s) {
                t.marks.push(i);
            }
            if s.plan.settlement.closed_out && s.nav == 0 && t.liquidated_at.is_none() {
                t.liquidated_at = Some(i);
            }
            s.nav
        } else {
            m.nav_at(path.price[i])
        };
        t.values.push(nav as f64 / nav0 * entry);
    }
    if let Some(last) = t.values.last_mut() {
        let end = path.len() - 1;
        *last = m.redeem_all(path.price[end], path.time[end]) as f64 / nav0 * entry;
    }
    t.rebalances = m.rebalances;
    t.turnover = m.turnover as f64 / nav0;
    t.bad_debt = m.bad_debt() as f64 / nav0;
    t
}

/// Every strategy on one path: spot, constant, daily, perp, Turbo, Turbo with a volatility
/// budget (when `vol_budget_bps > 0`), and Bear.
pub fn all(path: &Path, o: &Options, vol_budget_bps: u32) -> Vec<Track> {
    let mut v = vec![
        spot(path),
        constant(path, o.leverage),
        daily(path, o.leverage),
        perp(path, o.leverage, o.maintenance),
        turbo(path, "Turbo", o.turbo, o),
    ];
    if vol_budget_bps > 0 {
        let p = VaultParams { vol_budget_bps, ..o.turbo };
        v.push(turbo(path, &format!("Turbo (vol budget {}%)", vol_budget_bps / 100), p, o));
    }
    v.push(turbo(path, "Bear", o.bear, o));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Up x% and back down to the start, repeated: prices are exact integers, so the returns
    /// are exactly `x` and `−x/(1+x)`.
    fn zigzag(n: usize, x_bps: u64) -> Path {
        let (lo, hi) = (10_000_000_000u64, 10_000_000_000u64 / 10_000 * (10_000 + x_bps));
        Path {
            time: (0..=n as i64).map(|i| 1_700_000_000 + i * 3_600).collect(),
            price: (0..=n).map(|i| if i % 2 == 0 { lo } else { hi }).collect(),
        }
    }

    #[test]
    fn constant_3x_matches_the_closed_form() {
        // Each up-and-back pair multiplies a constant-3x position by (1 + 3x)(1 − 3x/(1+x)).
        let x = 0.02_f64;
        let t = constant(&zigzag(1_000, 200), 3.0);
        let got = *t.values.last().unwrap();
        let closed = ((1.0 + 3.0 * x) * (1.0 - 3.0 * x / (1.0 + x))).powi(500);
        assert!(((got - closed) / closed).abs() < 1e-9, "{got} vs {closed}");
        // Volatility decay: the path ends where it started, the 3x token does not.
        assert!(got < 0.6);
        assert_eq!(t.rebalances, 1_000);
    }

    #[test]
    fn perp_is_liquidated_and_stays_liquidated() {
        // A 3x perp at 2.5% maintenance dies at about −32%.
        let path = Path { time: vec![0, 1, 2, 3], price: vec![100_00000000, 80_00000000, 67_00000000, 100_00000000] };
        let t = perp(&path, 3.0, 0.025);
        assert_eq!(t.liquidated_at, Some(2));
        assert_eq!(t.values[3], 0.0);
        assert!((t.values[1] - 0.4).abs() < 1e-12);
    }

    #[test]
    fn daily_3x_goes_to_zero_on_a_minus_34_percent_day() {
        let path = Path { time: vec![0, 3_600, 7_200], price: vec![100_00000000, 90_00000000, 66_00000000] };
        let t = daily(&path, 3.0);
        assert_eq!(t.liquidated_at, Some(2));
        assert!((t.bad_debt - 0.02).abs() < 1e-12);
    }

    #[test]
    fn turbo_survives_a_day_that_zeroes_daily_3x() {
        // −34% over a day, in 1% hourly steps: the keeper trims all the way down.
        let mut price = vec![100_00000000u64];
        while *price.last().unwrap() > 66_00000000 {
            let l = *price.last().unwrap();
            price.push(l * 99 / 100);
        }
        let path = Path { time: (0..price.len() as i64).map(|i| i * 600).collect(), price };
        let o = Options::default();
        let t = turbo(&path, "Turbo", o.turbo, &o);
        let v = *t.values.last().unwrap();
        assert!(v > 0.25 && v < 0.35, "{v}");
        assert_eq!(t.bad_debt, 0.0);
        assert!(t.rebalances > 30);
        // The same day zeroes a daily-rebalanced 3x token.
        assert!(daily(&path, 3.0).liquidated_at.is_some());
    }
}
