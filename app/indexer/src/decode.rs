//! Turbo's events out of a transaction's logs: every event by name (its Anchor discriminator),
//! and the rows the index derives from the ones that carry history: a vault's numbers, money in
//! and out, the pool's value.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use turbo_sdk::turbo::events::*;

macro_rules! events {
    ($($t:ident),* $(,)?) => {
        /// Every event the program emits, by name and discriminator.
        pub const EVENTS: &[(&str, &[u8])] = &[$((stringify!($t), <$t as Discriminator>::DISCRIMINATOR)),*];
    };
}

events!(
    ConfigInitializedEvent,
    ConfigUpdatedEvent,
    AdminProposedEvent,
    AdminAcceptedEvent,
    PauseChangedEvent,
    ChangeQueuedEvent,
    ChangeExecutedEvent,
    ChangeCancelledEvent,
    VaultRetiredEvent,
    RetirementArmedEvent,
    PoolInitializedEvent,
    PoolCapsUpdatedEvent,
    LiquidityDepositedEvent,
    LiquidityWithdrawnEvent,
    VaultCreatedEvent,
    VaultUpdatedEvent,
    VaultSettledEvent,
    MintEvent,
    RedeemEvent,
    FeesSweptEvent,
    FeesWithdrawnEvent,
    RebalanceEvent,
    EmergencyDeleverageEvent,
    VaultQuotedEvent,
    PoolQuotedEvent,
    ReverseSplitEvent,
    CustodyCreatedEvent,
    CustodySwappedEvent,
    CustodyDepositedEvent,
    CustodyWithdrawnEvent,
    SignedFeedOpenedEvent,
    SignedPricePostedEvent,
);

/// A vault's numbers at a moment (`vault_points`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultPoint {
    pub vault: Pubkey,
    pub price: u64,
    pub nav: u64,
    pub ui_price: u64,
    pub leverage: i64,
    pub supply: u64,
}

/// Money in or out of one wallet (`flows`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// `mint`, `redeem`, `deposit`, `withdraw`, or `seed` (a vault's locked seed shares).
    pub kind: &'static str,
    pub vault: Option<Pubkey>,
    pub wallet: Pubkey,
    pub usdc: u64,
    pub crt: u64,
    /// Micro-USD at the event's own valuation: what a mint credited, what a redeemed token was
    /// worth before its fee, an LP deposit's USDC or custody value, a withdrawal's value out.
    pub value: u64,
    /// Tokens or LP shares received (mint, deposit) or given back (redeem, withdraw).
    pub units: u64,
    /// The USDC fee, micro-USD.
    pub fee: u64,
}

/// What the pool earned from one event (`pool_income`): `fees` (the LPs' part of swept fees, raw
/// USDC and CRT), `funding` and `hedge_fee` (micro-USD, in `usdc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Income {
    pub kind: &'static str,
    pub usdc: u64,
    pub crt: u64,
}

/// The pool's value and LP supply at a moment (`pool_points`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolPoint {
    pub value: u64,
    pub lp_supply: u64,
}

/// One event as the index stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub name: &'static str,
    pub vault: Option<Pubkey>,
    pub wallet: Option<Pubkey>,
    /// The discriminator and the Borsh body, as logged.
    pub data: Vec<u8>,
    pub point: Option<VaultPoint>,
    pub flow: Option<Flow>,
    pub pool: Option<PoolPoint>,
    pub income: Vec<Income>,
}

impl Decoded {
    /// An LP's deposit or withdrawal (in USDC or a custody's token): its flow, with `(usdc, crt)`
    /// raw, and the pool's value and supply after it.
    #[allow(clippy::too_many_arguments)]
    fn lp(&mut self, kind: &'static str, provider: Pubkey, (usdc, crt): (u64, u64), value: u64, units: u64, fee: u64, after: PoolPoint) {
        self.wallet = Some(provider);
        self.flow = Some(Flow { kind, vault: None, wallet: provider, usdc, crt, value, units, fee });
        self.pool = Some(after);
    }
}

fn body<E: AnchorDeserialize + Discriminator>(data: &[u8]) -> Option<E> {
    E::try_from_slice(data.get(E::DISCRIMINATOR.len()..)?).ok()
}

/// `units` of `supply`'s part of `value` (micro-USD), rounded down by the shared math; 0 without
/// a supply.
pub fn share(value: u64, units: u64, supply: u64) -> u64 {
    turbo_sdk::math::Usd(value).mul_div_floor(units, supply).map_or(0, |u| u.0)
}

/// One event from its logged bytes; `None` for bytes that are not a Turbo event.
pub fn decode(data: &[u8]) -> Option<Decoded> {
    let (name, _) = EVENTS.iter().find(|(_, d)| data.starts_with(d))?;
    let mut out = Decoded { name, vault: None, wallet: None, data: data.to_vec(), point: None, flow: None, pool: None, income: Vec::new() };
    // The leading key of every event that names one: a vault, or a custody.
    if data.len() >= 8 + 32 && !matches!(*name, "LiquidityDepositedEvent" | "LiquidityWithdrawnEvent") {
        let key = Pubkey::try_from(&data[8..40]).ok();
        if EVENTS_WITH_VAULT.contains(name) {
            out.vault = key;
        }
    }
    match *name {
        "MintEvent" => {
            let e: MintEvent = body(data)?;
            out.wallet = Some(e.user);
            out.point = Some(VaultPoint {
                vault: e.vault,
                price: e.price,
                nav: e.nav_after,
                ui_price: 0,
                leverage: e.leverage_after,
                supply: e.supply_after,
            });
            out.flow = Some(Flow {
                kind: "mint",
                vault: Some(e.vault),
                wallet: e.user,
                usdc: e.usdc_in,
                crt: e.crt_in,
                value: e.deposit_value,
                units: e.tokens_out,
                fee: e.fee_usdc,
            });
        }
        "RedeemEvent" => {
            let e: RedeemEvent = body(data)?;
            out.wallet = Some(e.user);
            out.point = Some(VaultPoint {
                vault: e.vault,
                price: e.price,
                nav: e.nav_after,
                ui_price: 0,
                leverage: e.leverage_after,
                supply: e.supply_after,
            });
            out.flow = Some(Flow {
                kind: "redeem",
                vault: Some(e.vault),
                wallet: e.user,
                usdc: e.usdc_out,
                crt: e.crt_out,
                value: share(e.nav_redeem, e.tokens_burned, e.supply_after.saturating_add(e.tokens_burned)),
                units: e.tokens_burned,
                fee: e.fee_usdc,
            });
        }
        "RebalanceEvent" => {
            let e: RebalanceEvent = body(data)?;
            out.wallet = Some(e.keeper);
            out.point = Some(VaultPoint {
                vault: e.vault,
                price: e.price,
                nav: e.nav,
                ui_price: e.ui_price,
                leverage: e.leverage_after,
                supply: 0,
            });
        }
        "LiquidityDepositedEvent" => {
            let e: LiquidityDepositedEvent = body(data)?;
            let after = PoolPoint { value: e.pool_value.saturating_add(e.usdc_in), lp_supply: e.lp_supply_after };
            out.lp("deposit", e.provider, (e.usdc_in, 0), e.usdc_in, e.shares_out, 0, after);
        }
        "LiquidityWithdrawnEvent" => {
            let e: LiquidityWithdrawnEvent = body(data)?;
            let after = PoolPoint { value: e.pool_value.saturating_sub(e.value_out), lp_supply: e.lp_supply_after };
            out.lp("withdraw", e.provider, (e.usdc_out, e.crt_out), e.value_out, e.shares_burned, 0, after);
        }
        "CustodyDepositedEvent" => {
            let e: CustodyDepositedEvent = body(data)?;
            let after = PoolPoint { value: e.pool_value.saturating_add(e.value), lp_supply: e.lp_supply_after };
            out.lp("deposit", e.provider, (0, 0), e.value, e.shares_out, e.fee.max(0) as u64, after);
        }
        "CustodyWithdrawnEvent" => {
            let e: CustodyWithdrawnEvent = body(data)?;
            let after = PoolPoint { value: e.pool_value.saturating_sub(e.value_out), lp_supply: e.lp_supply_after };
            out.lp("withdraw", e.provider, (0, 0), e.value_out, e.shares_burned, e.fee.max(0) as u64, after);
        }
        "FeesSweptEvent" => {
            let e: FeesSweptEvent = body(data)?;
            out.income.push(Income {
                kind: "fees",
                usdc: e.usdc.saturating_sub(e.treasury_usdc),
                crt: e.crt.saturating_sub(e.treasury_crt),
            });
        }
        "VaultSettledEvent" => {
            let e: VaultSettledEvent = body(data)?;
            for (kind, usdc) in [("funding", e.funding), ("hedge_fee", e.hedge_fee)] {
                if usdc > 0 {
                    out.income.push(Income { kind, usdc, crt: 0 });
                }
            }
        }
        "VaultCreatedEvent" => {
            // The seed shares, minted to the vault itself and locked: the supply's first units.
            let e: VaultCreatedEvent = body(data)?;
            out.flow = Some(Flow {
                kind: "seed",
                vault: Some(e.vault),
                wallet: e.vault,
                usdc: e.seed_usdc,
                crt: 0,
                value: e.seed_usdc,
                units: e.seed_shares,
                fee: 0,
            });
        }
        "CustodySwappedEvent" => {
            let e: CustodySwappedEvent = body(data)?;
            out.wallet = Some(e.user);
        }
        _ => {}
    }
    Some(out)
}

/// Events whose first field is the vault they concern.
const EVENTS_WITH_VAULT: &[&str] = &[
    "PauseChangedEvent",
    "VaultRetiredEvent",
    "RetirementArmedEvent",
    "VaultCreatedEvent",
    "VaultUpdatedEvent",
    "VaultSettledEvent",
    "MintEvent",
    "RedeemEvent",
    "FeesSweptEvent",
    "RebalanceEvent",
    "EmergencyDeleverageEvent",
    "VaultQuotedEvent",
    "ReverseSplitEvent",
];

/// Every Turbo event in `logs`, in order: `Program data:` lines (what a node returns), or the
/// bank's native event lines.
pub fn events_in(logs: &[String]) -> Vec<Decoded> {
    logs.iter()
        .filter_map(|l| l.strip_prefix("Program data: ").or_else(|| l.strip_prefix(turbo_sdk::outcome::NATIVE_EVENT_PREFIX)))
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b.split(' ').next()?).ok())
        .filter_map(|d| decode(&d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event;

    #[test]
    fn every_discriminator_names_one_event() {
        for (i, (a, da)) in EVENTS.iter().enumerate() {
            for (b, db) in &EVENTS[i + 1..] {
                assert_ne!(da, db, "{a} and {b}");
            }
        }
    }

    #[test]
    fn a_mint_event_gives_its_flow_and_point_and_foreign_bytes_give_nothing() {
        let (vault, user) = (Pubkey::new_unique(), Pubkey::new_unique());
        let e = MintEvent {
            vault,
            user,
            price: 15_000_000_000,
            conf_price: 15_000_000_000,
            usdc_in: 1_000_000_000,
            crt_in: 0,
            fee_usdc: 5_000_000,
            fee_crt: 0,
            deposit_value: 995_000_000,
            nav_before: 10_000_000_000,
            nav_priced: 10_000_000_000,
            nav_after: 10_995_000_000,
            tokens_out: 9_950_000,
            supply_after: 109_950_000,
            exposure_before: 1,
            exposure_after: 2,
            leverage_before: 3_000_000,
            leverage_after: 3_000_000,
        };
        let line = format!("Program data: {}", base64::engine::general_purpose::STANDARD.encode(e.data()));
        let d = events_in(&[line, "Program data: AAAA".into(), "Program log: hi".into()]);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].name, d[0].vault, d[0].wallet), ("MintEvent", Some(vault), Some(user)));
        let f = d[0].flow.clone().unwrap();
        assert_eq!((f.kind, f.usdc, f.value, f.units, f.fee), ("mint", 1_000_000_000, 995_000_000, 9_950_000, 5_000_000));
        let p = d[0].point.clone().unwrap();
        assert_eq!((p.nav, p.supply, p.leverage), (10_995_000_000, 109_950_000, 3_000_000));
    }
}
