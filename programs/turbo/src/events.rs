//! One event per action. Amounts are raw token units; USD values are micro-USD; prices have 8
//! decimals; leverage has 6 decimals (signed; `i64::MAX` stands for "no positive equity").
//! An indexer can rebuild each vault's book from these events alone.

use anchor_lang::prelude::*;

use crate::state::{ConfigParams, PoolCaps, VaultParams};

/// What a rebalance call did: `turbo_math::Action` as events and the IDL carry it (one byte,
/// in this order).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RebalanceAction {
    /// |L| inside the (effective) band.
    InBand,
    /// Outside the band, waiting for the interval since the last capped step.
    Waiting,
    /// Exposure trimmed toward the target.
    Trim,
    /// Exposure grown toward the target.
    Relever,
    /// Exposure cut straight to the target at the emergency level.
    Emergency,
    /// No positive risk equity: nothing to lever.
    NoEquity,
}

impl From<turbo_math::Action> for RebalanceAction {
    fn from(a: turbo_math::Action) -> Self {
        use turbo_math::Action as A;
        match a {
            A::InBand => RebalanceAction::InBand,
            A::Waiting => RebalanceAction::Waiting,
            A::Trim => RebalanceAction::Trim,
            A::Relever => RebalanceAction::Relever,
            A::Emergency => RebalanceAction::Emergency,
            A::NoEquity => RebalanceAction::NoEquity,
        }
    }
}

impl RebalanceAction {
    /// A human name for reports.
    pub fn name(self) -> &'static str {
        match self {
            RebalanceAction::InBand => "in band",
            RebalanceAction::Waiting => "waiting",
            RebalanceAction::Trim => "trim",
            RebalanceAction::Relever => "re-leverage",
            RebalanceAction::Emergency => "emergency",
            RebalanceAction::NoEquity => "no equity",
        }
    }
}

/// Emit an event as a `Program data:` log line. On SBF this is exactly Anchor's `emit!` (the
/// `sol_log_data` syscall). Off chain Anchor 1.2 discards event data, so native builds (the
/// test bank, simulators) route it through the syscall stubs, where the bank can record it.
#[inline]
pub fn emit<E: anchor_lang::Event>(event: E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    anchor_lang::compat::solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigInitializedEvent {
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub treasury: Pubkey,
    pub usdc_mint: Pubkey,
    pub crt_mint: Pubkey,
    pub crt_feed_id: [u8; 32],
    pub params: ConfigParams,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigUpdatedEvent {
    pub guardian: Pubkey,
    pub treasury: Pubkey,
    pub params: ConfigParams,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct AdminProposedEvent {
    pub admin: Pubkey,
    pub proposed: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAcceptedEvent {
    pub previous: Pubkey,
    pub admin: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PauseChangedEvent {
    /// The vault whose flags changed; the default key for the protocol-wide flags.
    pub vault: Pubkey,
    pub by: Pubkey,
    /// Pause flags of mint, rebalance and deposit.
    pub flags_before: u8,
    pub flags_after: u8,
    /// Redeem and LP withdrawal are paused until these times (0: not paused).
    pub redeem_paused_until: i64,
    pub withdraw_paused_until: i64,
}

/// A change that adds risk was queued; it may be executed from `eta`.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeQueuedEvent {
    pub id: u32,
    pub change: crate::state::Change,
    pub eta: i64,
}

/// A queued change took effect.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeExecutedEvent {
    pub id: u32,
    pub change: crate::state::Change,
    pub by: Pubkey,
}

/// A queued change was cancelled.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeCancelledEvent {
    pub id: u32,
    pub change: crate::state::Change,
    pub by: Pubkey,
}

/// A vault was retired: its exposure closed and its NAV frozen; holders redeem in kind.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct VaultRetiredEvent {
    pub vault: Pubkey,
    pub by: Pubkey,
    /// The price the exposure was closed at, 8 decimals: a fresh one on the admin's path, the
    /// last settlement price when the feed was dead.
    pub price: u64,
    /// True when anyone retired it because no price for its asset had been usable for a day.
    pub feed_dead: bool,
    /// What the vault holds for its holders, and what the pool still owes it.
    pub usdc: u64,
    pub crt: u64,
    pub claim: u64,
    /// The vault left the registry (it owes and is owed nothing).
    pub deregistered: bool,
}

/// Anyone armed a feed-dead retirement: no instruction has used a price of the vault's asset for
/// a day. It is carried out at `executable_at` unless any instruction uses a live price of the
/// asset first (docs/decisions.md, "Dead means dead").
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct RetirementArmedEvent {
    pub vault: Pubkey,
    pub by: Pubkey,
    /// The newest publish time any instruction used for the asset.
    pub last_publish_time: i64,
    pub executable_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PoolInitializedEvent {
    pub pool: Pubkey,
    pub lp_mint: Pubkey,
    pub caps: PoolCaps,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCapsUpdatedEvent {
    pub caps: PoolCaps,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct LiquidityDepositedEvent {
    pub provider: Pubkey,
    /// USDC deposited.
    pub usdc_in: u64,
    /// LP shares minted.
    pub shares_out: u64,
    /// Pool value the shares were priced at (biased high), micro-USD.
    pub pool_value: u64,
    pub lp_supply_after: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct LiquidityWithdrawnEvent {
    pub provider: Pubkey,
    pub shares_burned: u64,
    /// Value paid, micro-USD, as USDC and then CRT.
    pub value_out: u64,
    pub usdc_out: u64,
    pub crt_out: u64,
    /// Pool value the shares were priced at (biased low), micro-USD.
    pub pool_value: u64,
    pub lp_supply_after: u64,
    /// Σ|notional| the pool backs after the withdrawal, micro-USD.
    pub gross_notional: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct VaultCreatedEvent {
    pub vault: Pubkey,
    pub mint: Pubkey,
    pub vault_id: u16,
    pub feed_id: [u8; 32],
    pub params: VaultParams,
    pub seed_usdc: u64,
    /// Seed shares, locked in the vault's own token account forever.
    pub seed_shares: u64,
    pub price: u64,
    pub exposure: i64,
    pub leverage: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct VaultUpdatedEvent {
    pub vault: Pubkey,
    pub params: VaultParams,
}

/// Emitted whenever a settlement realized PnL, paid or added to the vault's claim, or closed the
/// exposure.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct VaultSettledEvent {
    pub vault: Pubkey,
    pub price: u64,
    pub previous_price: u64,
    /// `q * (P - P_s)` less the funding, micro-USD.
    pub pnl: i64,
    /// The skew funding charged, micro-USD (docs/design.md §5.5).
    pub funding: u64,
    /// The utilization fee of the asset's hedge charged, micro-USD (docs/design.md §5.6).
    pub hedge_fee: u64,
    /// Positive: pool to vault. Negative: vault to pool.
    pub usdc_to_vault: i64,
    pub crt_to_vault: i64,
    /// Loss the vault could not pay; absorbed by the pool.
    pub bad_debt: u64,
    /// The part of this settlement's gain the pool could not pay: added to the vault's claim.
    pub unpaid_gain: u64,
    /// What the pool still owes the vault after this settlement, micro-USD.
    pub claim: u64,
    /// The exposure was closed because risk equity was not positive.
    pub closed_out: bool,
    pub exposure: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MintEvent {
    pub vault: Pubkey,
    pub user: Pubkey,
    pub price: u64,
    pub conf_price: u64,
    pub usdc_in: u64,
    pub crt_in: u64,
    pub fee_usdc: u64,
    pub fee_crt: u64,
    /// Value credited for the net deposit, micro-USD.
    pub deposit_value: u64,
    /// NAV at mid before the mint, micro-USD.
    pub nav_before: u64,
    /// NAV the tokens were priced at (worst price for the minter), micro-USD.
    pub nav_priced: u64,
    pub nav_after: u64,
    pub tokens_out: u64,
    pub supply_after: u64,
    pub exposure_before: i64,
    pub exposure_after: i64,
    pub leverage_before: i64,
    pub leverage_after: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct RedeemEvent {
    pub vault: Pubkey,
    pub user: Pubkey,
    pub price: u64,
    pub conf_price: u64,
    pub tokens_burned: u64,
    pub usdc_out: u64,
    pub crt_out: u64,
    pub fee_usdc: u64,
    pub fee_crt: u64,
    /// NAV at mid, and at the worst price for the redeemer, micro-USD.
    pub nav_before: u64,
    pub nav_redeem: u64,
    pub nav_after: u64,
    pub supply_after: u64,
    pub exposure_before: i64,
    pub exposure_after: i64,
    pub leverage_before: i64,
    pub leverage_after: i64,
}

/// Fees a vault held for the pool moved into the pool and were split: emitted by any settlement
/// whose transfer carried them.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct FeesSweptEvent {
    pub vault: Pubkey,
    pub usdc: u64,
    pub crt: u64,
    /// The treasury's part; the rest is the LPs'.
    pub treasury_usdc: u64,
    pub treasury_crt: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct FeesWithdrawnEvent {
    pub treasury: Pubkey,
    pub usdc: u64,
    pub crt: u64,
    pub treasury_usdc_left: u64,
    pub treasury_crt_left: u64,
}

/// Emitted by every rebalance call, including those that had nothing to do.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct RebalanceEvent {
    pub vault: Pubkey,
    pub keeper: Pubkey,
    pub price: u64,
    pub action: RebalanceAction,
    /// The step limit bound the move.
    pub capped: bool,
    /// Annualized volatility estimate, bps.
    pub vol_bps: u64,
    /// Signed target after the volatility budget and the imbalance cap, 6 decimals.
    pub effective_target: i64,
    pub leverage_before: i64,
    pub leverage_after: i64,
    pub exposure_before: i64,
    pub exposure_after: i64,
    /// PnL realized by this call's settlement, micro-USD.
    pub pnl: i64,
    pub bad_debt: u64,
    pub closed_out: bool,
    /// NAV after the call, micro-USD.
    pub nav: u64,
    /// USDC paid to the keeper.
    pub bounty: u64,
    /// Price of one UI token after the call (after any reverse split), micro-USD.
    pub ui_price: u64,
    /// The effective band on |L| the decision used, 6 decimals.
    pub band_lo: u64,
    pub band_hi: u64,
}

/// Which of the pool's ceilings an asset's heavy side is over (docs/design.md §5.5–5.6).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmergencyCause {
    /// The hedged part over its gap cap, read at the vault's own leverage under its target.
    GapCap,
    /// The residual the custody does not cover over the tighter of its hard and risk caps.
    ResidualCap,
}

/// The declared emergency: emitted by a rebalance of a vault whose side of its asset is over what
/// the pool may carry, before its `RebalanceEvent`. Every vault on the heavy side is cut by the
/// same share, `room / net`, never as a queue; the pool's caps lower holders' leverage only here.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct EmergencyDeleverageEvent {
    pub vault: Pubkey,
    pub asset_index: u8,
    pub cause: EmergencyCause,
    /// What the side may carry, and the asset's net it carries, micro-USD.
    pub room: u64,
    pub net: u64,
    /// The vault's own target, and the one the cut aims at, 6 decimals.
    pub target: i64,
    pub effective_target: i64,
}

/// The read-only `quote` instruction's answer: what a vault is worth and how far it is from its
/// next rebalance at the current prices (docs/design.md §5.7). Clients simulate `quote` and
/// read this event; nothing is written.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct VaultQuotedEvent {
    pub vault: Pubkey,
    /// The asset's mid price, 8 decimals.
    pub price: u64,
    /// NAV, micro-USD, and the price of one UI token, micro-USD.
    pub nav: u64,
    pub ui_price: u64,
    /// Raw token supply.
    pub supply: u64,
    /// Signed leverage at mid, 6 decimals (`i64::MAX` without positive equity).
    pub leverage: i64,
    /// Signed effective target and the effective band on |L|, 6 decimals.
    pub effective_target: i64,
    pub band_lo: u64,
    pub band_hi: u64,
    pub emergency: u64,
    /// Asset prices at which |L| would reach the band's top (a trim), its bottom (a re-leverage)
    /// and the emergency level if only the price moved, 8 decimals (0: no such price).
    pub trim_price: u64,
    pub relever_price: u64,
    pub emergency_price: u64,
    /// Annualized volatility estimate, bps.
    pub vol_bps: u64,
    /// What a rebalance would do now.
    pub action: RebalanceAction,
    /// The pool's caps in use after that rebalance, micro-USD: its book value, Σ|notional| and
    /// its cap, and the net notional of this vault's asset and the cap on it (the tighter of the
    /// hard and the risk cap, at this vault's volatility).
    pub pool_book_value: u64,
    pub gross_notional: u64,
    pub gross_cap: u64,
    pub asset_net: u64,
    pub net_cap: u64,
    /// The asset's hedge (docs/design.md §5.6): its custody's tokens owned and locked (raw), the
    /// net notional the lock covers and the residual it does not (micro-USD), the gap cap on the
    /// hedged part (0: none), and the net notional a mint on this vault could still add now.
    pub hedge_owned: u64,
    pub hedge_locked: u64,
    pub hedged: u64,
    pub residual: u64,
    pub gap_cap: u64,
    pub capacity: u64,
    /// The custody's utilization, `locked / owned` in bps rounded up (0 with nothing owned).
    pub utilization_bps: u64,
    /// The earliest clock time a trim or re-leverage step may land (the interval and its jitter
    /// after the last step; an emergency never waits), unix seconds.
    pub next_step_at: i64,
    /// The most USDC a mint into this vault could pay now (before its fee): `capacity` at the
    /// vault's leverage (its target while flat), rounded down; what a page shows before anyone
    /// types.
    pub mint_capacity_usdc: u64,
}

/// The read-only `quote_pool` instruction's answer: the LP valuation both ways and the share
/// price, micro-USD (docs/design.md §5.7). Nothing is written.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PoolQuotedEvent {
    /// The pool's value as a withdrawal prices it (biased low) and as a deposit does (high).
    pub value_low: u64,
    pub value_high: u64,
    pub lp_supply: u64,
    /// Value of one LP share (one UI unit), low and high.
    pub share_price_low: u64,
    pub share_price_high: u64,
}

/// The ScaledUiAmount multiplier was halved `splits_after − splits_before` times; raw balances
/// did not change.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ReverseSplitEvent {
    pub vault: Pubkey,
    pub splits_before: u8,
    pub splits_after: u8,
    /// Price per UI token before and after, micro-USD.
    pub ui_price_before: u64,
    pub ui_price_after: u64,
}

// --- the hedged pool (docs/design.md §5.6) ---

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct CustodyCreatedEvent {
    pub custody: Pubkey,
    pub asset_index: u8,
    pub mint: Pubkey,
    pub reserve: Pubkey,
    pub decimals: u8,
    pub params: crate::state::CustodyParams,
}

/// A swap between a custody and the pool's USDC at the oracle price.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct CustodySwappedEvent {
    pub custody: Pubkey,
    pub user: Pubkey,
    /// True: the asset in, USDC out. False: USDC in, the asset out.
    pub asset_in: bool,
    /// Raw units of what came in, and of what went out.
    pub amount_in: u64,
    pub amount_out: u64,
    /// The trade's value at the price against the trader, micro-USD.
    pub value: u64,
    /// The base fee plus the impact, micro-USD; negative: a rebate for moving the custody toward
    /// its target.
    pub fee: i64,
    /// The asset's price the trade was valued at (the side against the trader), 8 decimals.
    pub price: u64,
    pub owned_after: u64,
    pub locked_after: u64,
}

/// An LP deposit in a custody's token.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct CustodyDepositedEvent {
    pub custody: Pubkey,
    pub provider: Pubkey,
    /// Raw units deposited, and their value at the asset's low price, micro-USD.
    pub amount_in: u64,
    pub value: u64,
    /// The base fee plus the impact, micro-USD (negative: a rebate).
    pub fee: i64,
    pub shares_out: u64,
    /// Pool value the shares were priced at (biased high), micro-USD.
    pub pool_value: u64,
    pub lp_supply_after: u64,
    pub owned_after: u64,
}

/// An LP withdrawal in a custody's token.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct CustodyWithdrawnEvent {
    pub custody: Pubkey,
    pub provider: Pubkey,
    pub shares_burned: u64,
    /// The shares' value at the pool's low valuation, micro-USD.
    pub value_out: u64,
    /// The base fee plus the impact, micro-USD (negative: a rebate).
    pub fee: i64,
    /// Raw units paid, at the asset's high price.
    pub amount_out: u64,
    /// Pool value the shares were priced at (biased low), micro-USD.
    pub pool_value: u64,
    pub lp_supply_after: u64,
    pub owned_after: u64,
    pub locked_after: u64,
}

/// A signed feed opened: the deployment's Pyth feed `feed_id` reads Pyth Pro feed
/// `lazer_feed_id` from `signed_feed`.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct SignedFeedOpenedEvent {
    pub signed_feed: Pubkey,
    pub feed_id: [u8; 32],
    pub lazer_feed_id: u32,
}

/// A verified signed price posted for one feed. `stored` is false when the account already held
/// a price signed at the same time or later (it keeps that one).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct SignedPricePostedEvent {
    pub signed_feed: Pubkey,
    pub lazer_feed_id: u32,
    pub price: i64,
    pub confidence: u64,
    pub exponent: i32,
    pub timestamp_us: u64,
    pub stored: bool,
    pub by: Pubkey,
}
