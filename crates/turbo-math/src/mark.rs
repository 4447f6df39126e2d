//! What the protocol remembers about each price feed it uses (docs/design.md §3): the
//! newest publish time any instruction used, so nothing older is accepted again, and the range
//! of mid prices used in the recent window, so that a user's price is biased against them by
//! every price anyone used for the asset within the window, not only by the update they chose.
//!
//! The window is two cells of `span` seconds of publish time: the cell of the newest update and
//! the one before it. Two updates at most `span` apart always fall in the same cell or in
//! adjacent ones, so an instruction priced at one of them sees the other if it was used. With
//! `span` at twice the fresh-price delay, a mint and a redeem (or an LP deposit and withdrawal)
//! priced at any two updates a user may use round-trip at the worse of the two prices for the
//! caller, and so never gain.

use crate::oracle::OraclePrice;
use crate::units::*;

/// The protocol's memory of one feed. A zero `hi` marks an empty range (prices that passed the
/// oracle gate are positive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceMark {
    /// Publish time of the newest update any instruction used for this feed.
    pub last_publish_time: i64,
    /// Index of the current cell: `publish_time.div_euclid(span)`.
    pub cell: i64,
    /// Width of a cell when `cell` was computed, seconds.
    pub span: u32,
    /// Lowest and highest mid price used in the current cell.
    pub lo: Price,
    pub hi: Price,
    /// Lowest and highest mid price used in the cell before it.
    pub prev_lo: Price,
    pub prev_hi: Price,
}

impl PriceMark {
    /// Whether an update published at `publish_time` may be used: never older than the newest
    /// one used. Equal times are allowed (several instructions on one update).
    pub fn accepts(&self, publish_time: i64) -> bool {
        publish_time >= self.last_publish_time
    }

    /// Remember that an instruction used `px`, in cells of `span` seconds.
    pub fn record(&mut self, px: &OraclePrice, span: u32) {
        let span = span.max(1);
        let cell = px.publish_time.div_euclid(span as i64);
        let mid = px.mid;
        let restart = self.hi.0 == 0 || span != self.span;
        if self.hi.0 == 0 {
            (self.lo, self.hi, self.prev_lo, self.prev_hi) = (mid, mid, Price(0), Price(0));
        } else if span != self.span {
            // The cell width changed: keep everything recent as the previous cell, so a change of
            // the delay never forgets a price used inside the window.
            let (lo, hi) = union((self.lo, self.hi), (self.prev_lo, self.prev_hi));
            (self.lo, self.hi, self.prev_lo, self.prev_hi) = (mid, mid, lo, hi);
        } else if cell <= self.cell {
            (self.lo, self.hi) = union((self.lo, self.hi), (mid, mid));
        } else if cell == self.cell.saturating_add(1) {
            (self.prev_lo, self.prev_hi) = (self.lo, self.hi);
            (self.lo, self.hi) = (mid, mid);
        } else {
            (self.lo, self.hi, self.prev_lo, self.prev_hi) = (mid, mid, Price(0), Price(0));
        }
        self.cell = if restart { cell } else { self.cell.max(cell) };
        self.span = span;
        self.last_publish_time = self.last_publish_time.max(px.publish_time);
    }

    /// `px` with its low and high prices widened to every mid price used in the window. The
    /// mid price, which settlement uses, does not change.
    pub fn widen(&self, px: &OraclePrice) -> OraclePrice {
        let (lo, hi) = union(union((px.lo, px.hi), (self.lo, self.hi)), (self.prev_lo, self.prev_hi));
        OraclePrice { lo, hi, ..*px }
    }
}

/// Whether an update published at `publish_time` is on time at the chain's clock `now`: at most
/// `ahead` seconds after the clock (however far the clock lags the publishers) and, for a user
/// (`fresh` given), at most `fresh` seconds before it. With `ahead` equal to the fresh-price delay
/// and cells of twice the delay, any two updates a user may use at one clock lie within one span,
/// so they see each other in the window whatever the lag (the second review's N-1).
pub fn on_time(publish_time: i64, now: i64, fresh: Option<u32>, ahead: u32) -> bool {
    let not_ahead = publish_time <= now.saturating_add(ahead as i64);
    let fresh_enough = fresh.is_none_or(|f| publish_time >= now.saturating_sub(f as i64));
    not_ahead && fresh_enough
}

/// The union of two ranges, where a zero `hi` is empty.
fn union(a: (Price, Price), b: (Price, Price)) -> (Price, Price) {
    match (a.1 .0 == 0, b.1 .0 == 0) {
        (true, _) => b,
        (_, true) => a,
        _ => (a.0.min(b.0), a.1.max(b.1)),
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn px(p: u64, t: i64) -> OraclePrice {
        OraclePrice::exact(Price(p), t)
    }

    #[test]
    fn the_window_keeps_the_current_and_the_previous_cell() {
        let mut m = PriceMark::default();
        m.record(&px(100, 1_000), 10);
        m.record(&px(105, 1_004), 10);
        // Same cell [1000, 1010): both prices widen a later user price.
        let w = m.widen(&px(102, 1_004));
        assert_eq!((w.lo, w.mid, w.hi), (Price(100), Price(102), Price(105)));
        // Next cell: the previous one is still in the window.
        m.record(&px(110, 1_012), 10);
        assert_eq!((m.widen(&px(110, 1_012)).lo, m.widen(&px(110, 1_012)).hi), (Price(100), Price(110)));
        // Two cells later the first cell has left the window.
        m.record(&px(120, 1_021), 10);
        let w = m.widen(&px(120, 1_021));
        assert_eq!((w.lo, w.hi), (Price(110), Price(120)));
        // A gap of more than one cell empties the previous one.
        m.record(&px(90, 1_050), 10);
        let w = m.widen(&px(90, 1_050));
        assert_eq!((w.lo, w.hi), (Price(90), Price(90)));
        assert_eq!(m.last_publish_time, 1_050);
        assert!(m.accepts(1_050) && !m.accepts(1_049));
    }

    #[test]
    fn a_change_of_span_forgets_nothing_recent() {
        let mut m = PriceMark::default();
        m.record(&px(100, 1_000), 10);
        m.record(&px(130, 1_003), 10);
        m.record(&px(115, 1_004), 60);
        let w = m.widen(&px(115, 1_004));
        assert_eq!((w.lo, w.hi), (Price(100), Price(130)));
    }

    #[test]
    fn on_time_bounds_both_sides() {
        // Fresh delay 5 s: a user may use [now − 5, now + 5]; a keeper anything up to now + 5.
        assert!(on_time(95, 100, Some(5), 5) && on_time(105, 100, Some(5), 5));
        assert!(!on_time(94, 100, Some(5), 5) && !on_time(106, 100, Some(5), 5));
        assert!(on_time(0, 100, None, 5) && !on_time(106, 100, None, 5));
    }

    proptest! {
        /// N-1, for any lag of the clock behind the publishers: two updates a user may use at
        /// one clock, used in publish order with anything else between them that is on time,
        /// see each other, so a round trip in one transaction or slot is priced at the worse
        /// of the two for the caller.
        #[test]
        fn usable_updates_at_one_clock_see_each_other_at_any_lag(
            now in 0i64..1_000_000, lag in 0i64..=60, fresh in 1u32..=30, a in 1u64..1_000_000, b in 1u64..1_000_000,
            o1 in 0i64..1_000, o2 in 0i64..1_000, between in proptest::collection::vec((-30i64..=90, 1u64..1_000_000), 0..4),
        ) {
            let span = fresh * 2;
            // Publishers are `lag` seconds ahead of the clock, so the newest update that exists is
            // at now + lag; a user may use [now − fresh, now + fresh]. Draw both legs there.
            let (lo, hi) = (now - fresh as i64, now + lag.min(fresh as i64));
            let width = hi - lo + 1;
            let (t1, t2) = (lo + o1.min(o2) % width, lo + o1.max(o2) % width);
            let (t1, t2) = (t1.min(t2), t1.max(t2));
            prop_assert!(on_time(t1, now, Some(fresh), fresh) && on_time(t2, now, Some(fresh), fresh));
            // Nothing published ahead of the bound is usable, whatever the lag.
            prop_assert!(!on_time(now + fresh as i64 + 1, now, None, fresh));
            let mut m = PriceMark::default();
            m.record(&px(a, t1), span);
            let mut mids = vec![a];
            let mut others: Vec<(i64, u64)> = between.into_iter().map(|(dt, p)| (now + dt, p)).collect();
            others.sort();
            for (t, p) in others {
                // Anything on time for a keeper and not older than the newest used.
                if on_time(t, now, None, fresh) && m.accepts(t) && t <= t2 {
                    m.record(&px(p, t), span);
                    mids.push(p);
                }
            }
            m.record(&px(b, t2), span);
            let w = m.widen(&px(b, t2));
            prop_assert!(w.lo.0 <= a.min(b) && w.hi.0 >= a.max(b));
        }

        /// Any two updates at most `span` apart: once both were used, in either order, a user
        /// price at either one is widened to cover both mids.
        #[test]
        fn two_updates_within_a_span_see_each_other(
            t0 in 0i64..1_000_000, dt in 0i64..=60, span in 1u32..=60, a in 1u64..1_000_000, b in 1u64..1_000_000,
            before in proptest::collection::vec((0i64..120, 1u64..1_000_000), 0..5),
        ) {
            let dt = dt.min(span as i64);
            let mut m = PriceMark::default();
            // Earlier history, in publish-time order, before both updates.
            let mut hist: Vec<(i64, u64)> = before.into_iter().map(|(back, p)| (t0 - back, p)).collect();
            hist.sort();
            for (t, p) in hist {
                m.record(&px(p, t), span);
            }
            m.record(&px(a, t0), span);
            m.record(&px(b, t0 + dt), span);
            let w = m.widen(&px(b, t0 + dt));
            prop_assert!(w.lo.0 <= a.min(b) && w.hi.0 >= a.max(b));
        }
    }
}
