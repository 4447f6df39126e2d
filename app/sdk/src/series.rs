//! Price series from CSV files: the formats of the shared price history (auto-detected by
//! header) or any `timestamp,price` file. Prices become integers at Pyth's exponent −8 by
//! exact decimal parsing; no floats touch them.

use chrono::{NaiveDate, NaiveDateTime};

/// One observation: unix seconds and the price at exponent −8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricePoint {
    pub time: i64,
    pub price: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SeriesError {
    #[error("the file is empty")]
    Empty,
    #[error("line {line}: {why}")]
    Bad { line: usize, why: String },
    #[error("no time column (looked for Open Time, Date, timestamp, time)")]
    NoTimeColumn,
    #[error("no price column (looked for Close, price)")]
    NoPriceColumn,
}

/// Parse a decimal string into an integer with `decimals` digits, truncating extra digits.
pub fn parse_decimal(s: &str, decimals: u32) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    for i in 0..decimals as usize {
        let d = frac.as_bytes().get(i).map_or(0, |b| (b - b'0') as i64);
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(if neg { -v } else { v })
}

/// Parse a time: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`, `YYYY-MM-DD`, or unix seconds
/// (milliseconds when above 10^12).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(if n > 1_000_000_000_000 { n / 1000 } else { n });
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp())
}

/// Parse a CSV price series. The header picks the columns: time from `Open Time`, `Date`,
/// `timestamp` or `time`; price from `Close`, else `price`. A header-less two-column file is
/// read as `timestamp,price`.
pub fn parse_csv(text: &str) -> Result<Vec<PricePoint>, SeriesError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines.next().ok_or(SeriesError::Empty)?;
    let cols: Vec<String> = first.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    let header = parse_time(&cols[0]).is_none();
    let (t, p) = if header {
        let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
        (
            find(&["open time", "date", "timestamp", "time"]).ok_or(SeriesError::NoTimeColumn)?,
            find(&["close", "price"]).ok_or(SeriesError::NoPriceColumn)?,
        )
    } else {
        (0, 1)
    };
    let mut out = Vec::new();
    let rows = if header { None } else { Some((0, first)) };
    for (i, line) in rows.into_iter().chain(lines) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = |why: &str| SeriesError::Bad { line: i + 1, why: why.into() };
        let time = parse_time(f.get(t).ok_or_else(|| bad("missing time"))?).ok_or_else(|| bad("bad time"))?;
        let price = parse_decimal(f.get(p).ok_or_else(|| bad("missing price"))?, 8).ok_or_else(|| bad("bad price"))?;
        out.push(PricePoint { time, price });
    }
    if out.is_empty() {
        return Err(SeriesError::Empty);
    }
    Ok(out)
}

/// Read and parse a CSV file.
pub fn load_csv(path: &std::path::Path) -> Result<Vec<PricePoint>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_csv(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("143.41000000", 8), Some(14_341_000_000));
        assert_eq!(parse_decimal("30.848087310791016", 8), Some(3_084_808_731));
        assert_eq!(parse_decimal("7", 8), Some(700_000_000));
        assert_eq!(parse_decimal(".5", 2), Some(50));
        assert_eq!(parse_decimal("-1.25", 2), Some(-125));
        assert_eq!(parse_decimal("abc", 8), None);
        assert_eq!(parse_decimal("", 8), None);
    }

    #[test]
    fn every_shared_format_is_detected() {
        let binance = "Open Time,Open,High,Low,Close,Volume\n2024-09-20 00:00:00,142.88,143.41,142.88,143.41,9070.7\n";
        assert_eq!(parse_csv(binance).unwrap(), vec![PricePoint { time: 1_726_790_400, price: 14_341_000_000 }]);
        let hourly = "Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-01 00:00:00,7195.24,7196.25,7175.46,7177.02,7177.02,511.8\n";
        assert_eq!(parse_csv(hourly).unwrap()[0].price, 717_702_000_000);
        let daily = "Date,Close\n2021-07-12,30.848087310791016\n";
        assert_eq!(parse_csv(daily).unwrap(), vec![PricePoint { time: 1_626_048_000, price: 3_084_808_731 }]);
        let plain = "1700000000,1.5\n1700000060,1.6\n";
        assert_eq!(parse_csv(plain).unwrap()[1], PricePoint { time: 1_700_000_060, price: 160_000_000 });
        assert!(matches!(parse_csv("Date,Close\n2021-07-12,x\n"), Err(SeriesError::Bad { line: 2, .. })));
    }
}
