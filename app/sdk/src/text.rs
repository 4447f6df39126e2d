//! Formatting amounts for people: integers until printed, every digit kept. The CLI, the demo,
//! the deployer and the keeper's logs share it.

/// `raw` with `decimals` decimals, all digits kept, trailing zeros trimmed to `min` places.
pub fn amount(raw: u64, decimals: u32, min: usize) -> String {
    let s = format!("{raw:0>width$}", width = decimals as usize + 1);
    let (int, frac) = s.split_at(s.len() - decimals as usize);
    let mut frac = frac.trim_end_matches('0').to_string();
    while frac.len() < min {
        frac.push('0');
    }
    let int = group(int);
    if frac.is_empty() {
        int
    } else {
        format!("{int}.{frac}")
    }
}

fn group(int: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Micro-USD as dollars with cents.
pub fn usd(micro: u64) -> String {
    format!("${}", amount(micro / 10_000, 2, 2))
}

/// A signed micro-USD amount.
pub fn usd_signed(micro: i64) -> String {
    if micro < 0 {
        format!("-{}", usd(micro.unsigned_abs()))
    } else {
        usd(micro as u64)
    }
}

/// A price at 8 decimals, with 2 to 6 significant decimals.
pub fn price(p: u64) -> String {
    if p >= 100_000_000 {
        format!("${}", amount(p / 1_000_000, 2, 2))
    } else {
        format!("${}", amount(p / 100, 6, 4))
    }
}

/// Leverage at 6 decimals, signed.
pub fn lev(l: Option<i64>) -> String {
    match l {
        Some(l) if l != i64::MAX => format!("{}{:.3}x", if l < 0 { "-" } else { "" }, l.unsigned_abs() as f64 / 1e6),
        _ => "∞".into(),
    }
}

/// A band on |L| as the vault's side reads it: `2.900x to 3.000x` for a long, `-2.000x to
/// -2.500x` for a short (a Bear token's leverage is negative).
pub fn band(lo: u64, hi: u64, short: bool) -> String {
    format!("{} to {}", side_lev(lo, short), side_lev(hi, short))
}

/// A level on |L| (a band edge, the emergency level) as the vault's side reads it: negative for
/// a short.
pub fn side_lev(l: u64, short: bool) -> String {
    lev(Some(if short { -(l as i64) } else { l as i64 }))
}

/// What a vault's rebalance stands at, from the program's quote at clock time `now`, in the
/// words the web app uses: in band, trim due, re-lever due, emergency, or the wait before the
/// next step ("trim in 12s").
pub fn vault_state(q: &turbo::events::VaultQuotedEvent, now: i64) -> String {
    use turbo::events::RebalanceAction as A;
    match q.action {
        A::InBand => "in band".into(),
        A::Trim => "trim due".into(),
        A::Relever => "re-lever due".into(),
        A::Emergency => "emergency".into(),
        A::NoEquity => "no equity".into(),
        A::Waiting => {
            let what = if q.leverage.unsigned_abs() > q.band_hi { "trim" } else { "re-lever" };
            format!("{what} in {}s", q.next_step_at.saturating_sub(now).max(0))
        }
    }
}

pub fn bps(b: u64) -> String {
    format!("{}%", amount(b, 2, 0))
}

/// An exit's pause state at `now`: paused until `until` (the scope's end), or open, and for how
/// long the one clock of every exit pause (`clock_until`, `Config::exit_pause_until`) keeps anyone
/// from pausing one again (docs/decisions.md, "Pauses have one clock"). Hours round up.
pub fn exit_pause(until: i64, clock_until: i64, now: i64) -> String {
    use turbo::constants::{MAX_EXIT_PAUSE_SECS, MAX_EXIT_PAUSE_STRETCH_SECS};
    let hours = |s: i64| (s + 3_599) / 3_600;
    if now < until {
        return format!(
            "paused for {} h more (at most {} h at a time, {} days in a row)",
            hours(until - now),
            MAX_EXIT_PAUSE_SECS / 3_600,
            MAX_EXIT_PAUSE_STRETCH_SECS / 86_400
        );
    }
    if now < clock_until {
        return format!("open; an exit pause elsewhere ends in {} h", hours(clock_until - now));
    }
    let next = if clock_until == 0 { 0 } else { clock_until.saturating_add(MAX_EXIT_PAUSE_SECS) };
    if now < next {
        format!("open; no exit pause may start for {} h", hours(next - now))
    } else {
        "open".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bear_band_reads_signed() {
        assert_eq!(band(2_900_000, 3_000_000, false), "2.900x to 3.000x");
        assert_eq!(band(2_000_000, 2_500_000, true), "-2.000x to -2.500x");
    }

    #[test]
    fn exit_pauses_read_with_the_one_clock() {
        assert_eq!(exit_pause(0, 0, 1_000), "open");
        assert_eq!(exit_pause(1_000 + 3_600, 1_000 + 3_600, 1_000), "paused for 1 h more (at most 72 h at a time, 7 days in a row)");
        assert_eq!(exit_pause(1_000, 1_000, 1_000 + 3_600), "open; no exit pause may start for 71 h");
        assert_eq!(exit_pause(0, 1_000, 1_000 + 72 * 3_600), "open");
        assert_eq!(exit_pause(0, 1_000 + 7_200, 1_000), "open; an exit pause elsewhere ends in 2 h");
    }

    #[test]
    fn amounts_print_exactly() {
        assert_eq!(amount(12_345_678, 6, 2), "12.345678");
        assert_eq!(amount(1_000_000_000_000, 6, 2), "1,000,000.00");
        assert_eq!(amount(5, 6, 0), "0.000005");
        assert_eq!(usd(12_805_650_000), "$12,805.65");
        assert_eq!(usd_signed(-1_500_000), "-$1.50");
        assert_eq!(price(6_000_000_000_000), "$60,000.00");
        assert_eq!(price(150_000_000), "$1.50");
        assert_eq!(price(1_234_567), "$0.012345");
        assert_eq!(lev(Some(-2_000_000)), "-2.000x");
        assert_eq!(lev(None), "∞");
        assert_eq!(bps(50), "0.5%");
    }
}
