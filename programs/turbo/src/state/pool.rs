//! The counterparty pool: LP liquidity that takes the other side of every vault, the
//! treasury's share of fees (held in the same token accounts, never counted as LP value), and
//! the per-asset long/short books behind the exposure caps (docs/design.md §1, §2).

use anchor_lang::prelude::*;
use turbo_math::{AssetBook, Bps, Exposure, PoolBook, Price, TokenAmount, Usd};

use crate::constants::*;
use crate::error::{CheckedExt, MathResultExt, TurboError};

/// The protocol's memory of one price feed (`turbo_math::PriceMark`): the newest publish time
/// any instruction used, and the mid prices used in the recent window. Prices have 8 decimals.
#[zero_copy]
#[repr(C, packed)]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct PriceMark {
    pub last_publish_time: i64,
    pub cell: i64,
    pub span: u32,
    pub lo: u64,
    pub hi: u64,
    pub prev_lo: u64,
    pub prev_hi: u64,
}

impl PriceMark {
    pub fn get(&self) -> turbo_math::PriceMark {
        turbo_math::PriceMark {
            last_publish_time: self.last_publish_time,
            cell: self.cell,
            span: self.span,
            lo: Price(self.lo),
            hi: Price(self.hi),
            prev_lo: Price(self.prev_lo),
            prev_hi: Price(self.prev_hi),
        }
    }
    pub fn set(&mut self, m: turbo_math::PriceMark) {
        *self = PriceMark {
            last_publish_time: m.last_publish_time,
            cell: m.cell,
            span: m.span,
            lo: m.lo.0,
            hi: m.hi.0,
            prev_lo: m.prev_lo.0,
            prev_hi: m.prev_hi.0,
        };
    }
}

#[zero_copy]
#[repr(C, packed)]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct AssetSlot {
    /// Pyth feed id of the asset.
    pub feed_id: [u8; 32],
    /// Notional of long vaults at their last settlement, micro-USD.
    pub long_notional: u64,
    /// Notional of short vaults at their last settlement, micro-USD.
    pub short_notional: u64,
    /// The asset's price mark, shared by every vault of the asset and the pool's valuation.
    pub mark: PriceMark,
    /// The asset's EWMA variance rate (18 decimals, per second), sampled at the settlements of
    /// all its vaults at most once a minute: the σ of the pool's risk cap (docs/design.md §5.5).
    pub variance_rate: u64,
    /// The mid price and publish time of the asset's last volatility sample.
    pub vol_sample_price: u64,
    pub vol_sample_time: i64,
}

impl AssetSlot {
    pub fn book(&self) -> AssetBook {
        AssetBook { long: Usd(self.long_notional), short: Usd(self.short_notional) }
    }
    pub fn set_book(&mut self, b: AssetBook) {
        self.long_notional = b.long.0;
        self.short_notional = b.short.0;
    }
}

/// A singleton like `Config`: created once by `initialize_pool` at its fixed PDA, identified by
/// owner and discriminator.
#[account(zero_copy)]
#[repr(C, packed)]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// The layout version (`LAYOUT_VERSION`).
    pub version: u8,
    pub lp_mint: Pubkey,
    pub usdc_reserve: Pubkey,
    pub crt_reserve: Pubkey,
    /// USDC in `usdc_reserve` by the program's accounting, including `treasury_usdc`.
    pub usdc_balance: u64,
    /// CRT in `crt_reserve` by the program's accounting, including `treasury_crt`.
    pub crt_balance: u64,
    /// The treasury's fees held in `usdc_reserve`, micro-USD.
    pub treasury_usdc: u64,
    /// The treasury's fees held in `crt_reserve`, raw CRT.
    pub treasury_crt: u64,
    /// The caps on the exposure the pool backs, and the skew funding.
    pub caps: PoolCaps,
    /// Lifetime bad debt the pool absorbed, micro-USD.
    pub bad_debt_absorbed: u64,
    /// Lifetime vault gains the pool could not pay when they were settled, micro-USD.
    pub unpaid_gains: u64,
    /// What the pool owes vaults now: the sum of their claims (`Vault::gain_claim`), micro-USD.
    pub claims_owed: u64,
    /// Lifetime fees credited to LPs.
    pub lp_fees_usdc: u64,
    pub lp_fees_crt: u64,
    /// Lifetime skew funding the heavy sides paid the pool, micro-USD.
    pub funding_earned: u64,
    /// CRT's price mark: every instruction that reads CRT records its price here.
    pub crt_mark: PriceMark,
    /// Set by the first LP deposit or mint of anyone but the admin, and never cleared: from then
    /// on other people's money is at stake, and changes that add risk wait for the timelock.
    /// 0 or 1 (`Pool::is_launched`).
    pub launched: u8,
    pub bump: u8,
    pub asset_count: u8,
    pub assets: [AssetSlot; MAX_ASSETS],
    /// Per asset slot, its custody's book and hot parameters when it has one (docs/design.md
    /// §5.6); the custody account holds the rest.
    pub hedges: [Hedge; MAX_ASSETS],
    /// Zero; room for the fields the coming work adds (docs/design.md §2, "Layout").
    pub reserved: [u8; POOL_RESERVED],
}

/// An asset's hedge: what the pool owns of the asset in its custody, what of it is locked
/// against the vaults' net long, the vaults' exposure on the asset, and the custody's hot
/// parameters (docs/design.md §5.6). The exposures are kept for every asset, custody or not, so
/// a custody opened later starts from the true book.
#[zero_copy]
#[repr(C, packed)]
#[derive(InitSpace, Debug, Default, PartialEq, Eq)]
pub struct Hedge {
    /// Custody tokens the pool owns by accounting, raw (locked included).
    pub owned: u64,
    /// Of which locked against the asset's net long, raw.
    pub locked: u64,
    /// Σ exposure of the asset's vaults, signed, 9 decimals.
    pub net_exposure: i64,
    /// Σ exposure of its long vaults, 9 decimals (each pays its share of the lock's fee).
    pub long_exposure: u64,
    /// Lifetime utilization fees the long vaults paid, micro-USD.
    pub fees_earned: u64,
    /// The custody token's decimals.
    pub decimals: u8,
    /// 1 once the asset has a custody.
    pub enabled: u8,
    /// The largest share of `owned` that may be locked, bps.
    pub max_util_bps: u16,
    /// The utilization the swap impact steers toward, bps.
    pub target_util_bps: u16,
    /// The utilization fee: `base + slope · u` a year on the locked value, bps.
    pub util_base_bps: u16,
    pub util_slope_bps: u16,
}

impl Hedge {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }

    pub fn book(&self) -> turbo_math::HedgeBook {
        turbo_math::HedgeBook {
            owned: TokenAmount(self.owned),
            locked: TokenAmount(self.locked),
            decimals: self.decimals,
            max_util: Bps(self.max_util_bps as u64),
        }
    }

    /// Recompute the lock for the current net exposure (a no-op without a custody).
    pub fn relock(&mut self) -> Result<()> {
        if self.is_enabled() {
            self.locked = self.book().locked_for(Exposure(self.net_exposure)).or_math()?.0;
        }
        Ok(())
    }

    /// Move one vault's exposure from `old` to `new` in the asset's sums, then relock.
    pub fn rebook(&mut self, old: Exposure, new: Exposure) -> Result<()> {
        self.net_exposure = self.net_exposure.checked_sub(old.0).and_then(|n| n.checked_add(new.0)).or_overflow()?;
        let long = |q: Exposure| q.0.max(0) as u64;
        self.long_exposure = self.long_exposure.checked_sub(long(old)).and_then(|l| l.checked_add(long(new))).or_overflow()?;
        self.relock()
    }
}

pod_params! {
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
// All zero is a default only for the program's unit tests.
#[cfg_attr(test, derive(Default))]
pub struct PoolCaps {
    /// Cap on Σ|notional| of all vaults per unit of pool value, bps: a hard ceiling.
    pub gross_cap_bps: u32,
    /// Cap on |long − short| notional per asset per unit of pool value, bps: a hard ceiling.
    pub net_cap_bps: u32,
    /// The risk cap (docs/design.md §5.5): the largest loss a `z`-sigma day on an asset may cost
    /// the pool, bps of its value; 0 turns the risk cap off.
    pub max_daily_loss_bps: u16,
    /// `z` of the risk cap, hundredths (300: a 3σ day).
    pub risk_z_centi: u16,
    /// The risk cap never takes σ below this (a new vault has no estimate), annualized bps.
    pub vol_floor_bps: u32,
    /// Skew funding at the cap: what the heavy side of an asset pays the pool, bps of its
    /// notional per day, in proportion to its net exposure over the cap (0: no funding).
    pub funding_max_bps_per_day: u16,
    /// The gap cap on hedged exposure (docs/design.md §5.6): the loss a stress gap beyond
    /// `1/L` may cost the pool, bps of its value (0 turns it off) ...
    pub gap_budget_bps: u16,
    /// ... and that stress gap, bps.
    pub stress_gap_bps: u16,
}
}

impl PoolCaps {
    /// Higher hard caps, a looser risk cap (a larger loss budget, a smaller `z`, a lower σ
    /// floor, or turning it off) add risk. Any change of the funding rate waits for the timelock
    /// too: a rise costs holders, a cut costs LPs, and both deserve the time to leave.
    pub fn adds_risk_over(&self, old: &PoolCaps) -> bool {
        let loosens_risk_cap = match (old.max_daily_loss_bps, self.max_daily_loss_bps) {
            (_, 0) => old.max_daily_loss_bps != 0, // turning it off
            (0, _) => false,                       // turning it on
            (old_loss, loss) => loss > old_loss || self.risk_z_centi < old.risk_z_centi || self.vol_floor_bps < old.vol_floor_bps,
        };
        self.gross_cap_bps > old.gross_cap_bps
            || self.net_cap_bps > old.net_cap_bps
            || loosens_risk_cap
            || self.funding_max_bps_per_day != old.funding_max_bps_per_day
            // A looser gap cap: a larger budget, a smaller stress gap, or turning it off.
            || (old.gap_budget_bps != 0 && (self.gap_budget_bps == 0 || self.gap_budget_bps > old.gap_budget_bps))
            || self.stress_gap_bps < old.stress_gap_bps
    }

    pub fn validate(&self) -> Result<()> {
        require!((1..=MAX_GROSS_CAP_BPS).contains(&{ self.gross_cap_bps }), TurboError::ExposureCapOutOfBounds);
        require!((1..=MAX_NET_CAP_BPS).contains(&{ self.net_cap_bps }), TurboError::ExposureCapOutOfBounds);
        require!(self.max_daily_loss_bps <= MAX_DAILY_LOSS_BPS, TurboError::RiskCapOutOfBounds);
        require!((MIN_RISK_Z_CENTI..=MAX_RISK_Z_CENTI).contains(&{ self.risk_z_centi }), TurboError::RiskCapOutOfBounds);
        require!((MIN_VOL_FLOOR_BPS..=MAX_VOL_FLOOR_BPS).contains(&{ self.vol_floor_bps }), TurboError::RiskCapOutOfBounds);
        require!(self.funding_max_bps_per_day <= MAX_FUNDING_BPS_PER_DAY, TurboError::FundingOutOfBounds);
        require!(self.gap_budget_bps <= MAX_GAP_BUDGET_BPS, TurboError::HedgeParamsOutOfBounds);
        require!((MIN_STRESS_GAP_BPS..=MAX_STRESS_GAP_BPS).contains(&{ self.stress_gap_bps }), TurboError::HedgeParamsOutOfBounds);
        Ok(())
    }

    /// The risk cap's limits, with the σ floor as a daily volatility.
    pub fn risk_limits(&self) -> turbo_math::RiskLimits {
        turbo_math::RiskLimits {
            max_daily_loss: Bps(self.max_daily_loss_bps as u64),
            z_centi: self.risk_z_centi,
            vol_floor_daily: turbo_math::daily_from_annual_vol_bps(self.vol_floor_bps as u64),
        }
    }
}

impl Pool {
    /// Whether anyone but the admin has put money in (set once, never cleared).
    pub fn is_launched(&self) -> bool {
        self.launched != 0
    }

    /// Record that someone else's money is in: from now on changes that add risk wait.
    pub fn launch(&mut self) {
        self.launched = 1;
    }

    /// What LPs own in tokens: the balances minus the treasury's fees.
    pub fn free_book(&self) -> Result<PoolBook> {
        Ok(PoolBook {
            usdc: Usd(self.usdc_balance).checked_sub(Usd(self.treasury_usdc)).or_math()?,
            crt: TokenAmount(self.crt_balance).checked_sub(TokenAmount(self.treasury_crt)).or_math()?,
        })
    }

    /// Write back free balances after settlement math moved them.
    pub fn set_free_book(&mut self, b: PoolBook) -> Result<()> {
        self.usdc_balance = b.usdc.0.checked_add(self.treasury_usdc).or_overflow()?;
        self.crt_balance = b.crt.0.checked_add(self.treasury_crt).or_overflow()?;
        Ok(())
    }

    /// Owned seeds of the pool PDA, for signing CPIs out of its reserves.
    pub fn signer(&self) -> crate::state::PdaSigner<0> {
        crate::state::PdaSigner { prefix: POOL_SEED, key: [], bump: [self.bump] }
    }

    /// The hard caps, gross and net, as fractions of the pool's value.
    pub fn hard_caps(&self) -> (Bps, Bps) {
        (Bps(self.caps.gross_cap_bps as u64), Bps(self.caps.net_cap_bps as u64))
    }

    /// The slot for `feed_id`, added if new.
    pub fn asset_index_for(&mut self, feed_id: &[u8; 32]) -> Result<u8> {
        if let Some(i) = self.assets[..self.asset_count as usize].iter().position(|a| &a.feed_id == feed_id) {
            return Ok(i as u8);
        }
        // Every asset belongs to at least one registered vault, so asset slots cannot run out
        // before vault slots do (checked at compile time below).
        let i = self.asset_count as usize;
        require!(i < MAX_ASSETS, TurboError::VaultRegistryFull);
        self.assets[i] = AssetSlot { feed_id: *feed_id, ..AssetSlot::default() };
        self.asset_count += 1;
        Ok(i as u8)
    }

    /// Move a vault's notional in its asset's book from `(old_q, old_p)` to `(new_q, new_p)`.
    pub fn rebook(&mut self, asset: u8, old_q: Exposure, old_p: Price, new_q: Exposure, new_p: Price) -> Result<()> {
        let slot = &mut self.assets[asset as usize];
        let mut b = slot.book();
        b.update(old_q, old_p, new_q, new_p).or_math()?;
        slot.set_book(b);
        self.hedges[asset as usize].rebook(old_q, new_q)
    }

    /// Σ (long + short) over every asset: the gross notional the pool backs.
    pub fn gross_notional(&self) -> Result<Usd> {
        let mut g = Usd(0);
        for a in &self.assets[..self.asset_count as usize] {
            g = g.checked_add(a.book().gross().or_math()?).or_math()?;
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: PoolCaps = PoolCaps {
        gross_cap_bps: 50_000,
        net_cap_bps: 30_000,
        max_daily_loss_bps: 1_000,
        risk_z_centi: 300,
        vol_floor_bps: 5_000,
        funding_max_bps_per_day: 10,
        gap_budget_bps: 1_000,
        stress_gap_bps: 5_000,
    };

    #[test]
    fn which_pool_changes_wait_for_the_timelock() {
        let risky = [
            PoolCaps { gross_cap_bps: 50_001, ..BASE },
            PoolCaps { net_cap_bps: 30_001, ..BASE },
            PoolCaps { max_daily_loss_bps: 1_001, ..BASE },
            PoolCaps { max_daily_loss_bps: 0, ..BASE },
            PoolCaps { risk_z_centi: 299, ..BASE },
            PoolCaps { vol_floor_bps: 4_999, ..BASE },
            PoolCaps { funding_max_bps_per_day: 11, ..BASE },
            PoolCaps { funding_max_bps_per_day: 9, ..BASE },
            PoolCaps { gap_budget_bps: 1_001, ..BASE },
            PoolCaps { gap_budget_bps: 0, ..BASE },
            PoolCaps { stress_gap_bps: 4_999, ..BASE },
        ];
        for c in risky {
            assert!(c.adds_risk_over(&BASE), "{c:?}");
        }
        let safer = [
            PoolCaps { gross_cap_bps: 40_000, ..BASE },
            PoolCaps { max_daily_loss_bps: 500, ..BASE },
            PoolCaps { risk_z_centi: 400, vol_floor_bps: 8_000, ..BASE },
            PoolCaps { gap_budget_bps: 500, stress_gap_bps: 6_000, ..BASE },
            BASE,
        ];
        for c in safer {
            assert!(!c.adds_risk_over(&BASE), "{c:?}");
        }
        // Turning the risk cap on tightens; turning it off loosens.
        let off = PoolCaps { max_daily_loss_bps: 0, ..BASE };
        assert!(!BASE.adds_risk_over(&off));
        assert!(off.adds_risk_over(&BASE));
    }
}
