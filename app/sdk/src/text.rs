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

pub fn bps(b: u64) -> String {
    format!("{}%", amount(b, 2, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

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
