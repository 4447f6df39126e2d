//! One error enum, each variant named for what went wrong in the caller's terms.

use anchor_lang::prelude::*;

#[error_code]
#[derive(num_enum::TryFromPrimitive, PartialEq, Eq)]
pub enum TurboError {
    // --- authority ---
    #[msg("Only the admin (or, to pause, the guardian) may do this")]
    Unauthorized,
    #[msg("Only the proposed admin may accept the admin role")]
    NotPendingAdmin,
    #[msg("The guardian may pause, but only the admin may unpause")]
    GuardianCannotUnpause,
    #[msg("The guardian may not extend an exit pause, and may start one only 72 h after the last exit pause in any scope ended")]
    GuardianCannotRenewExitPause,
    #[msg("Only the program's upgrade authority may initialize the config")]
    NotUpgradeAuthority,

    // --- parameters ---
    #[msg("A fee is above its 5% bound")]
    FeeTooHigh,
    #[msg("Target leverage is zero or above the 5x bound")]
    TargetLeverageOutOfBounds,
    #[msg("The band must contain |target| and lie under the emergency level")]
    BandOutOfBounds,
    #[msg("The step must be above zero and at most 50% of exposure")]
    StepOutOfBounds,
    #[msg("An interval or jitter is above one day")]
    IntervalOutOfBounds,
    #[msg("The maximum price age must be between 1 and 300 seconds")]
    PriceAgeOutOfBounds,
    #[msg("The confidence bound must be between 0.01% and 10%")]
    ConfidenceBoundOutOfBounds,
    #[msg("The CRT weight must be at most 95%")]
    CrtWeightOutOfBounds,
    #[msg("A fee share is above 100%")]
    FeeShareOutOfBounds,
    #[msg("The keeper bounty is above its bound")]
    KeeperBountyTooHigh,
    #[msg("An exposure cap is zero or above its bound")]
    ExposureCapOutOfBounds,
    #[msg("A risk-cap parameter is out of its bounds (daily loss ≤ 50%, z in 1–10, σ floor 10%–1,000%)")]
    RiskCapOutOfBounds,
    #[msg("The skew funding rate is above its 1%-a-day bound")]
    FundingOutOfBounds,
    #[msg("The reverse-split threshold must be positive")]
    SplitThresholdOutOfBounds,
    #[msg("Token name, symbol or uri is too long")]
    MetadataTooLong,
    #[msg("The seed deposit is below the minimum")]
    SeedTooSmall,
    #[msg("The amount must be greater than zero")]
    ZeroAmount,
    #[msg("The fresh-price delay for users must be between 1 and 30 seconds")]
    FreshPriceDelayOutOfBounds,
    #[msg("A vault's direction (long or short) can never change")]
    DirectionImmutable,
    #[msg("This change adds risk: queue it and execute it after the timelock")]
    ChangeNeedsTimelock,
    #[msg("The timelock delay must be between 1 hour and 30 days")]
    TimelockOutOfBounds,
    #[msg("The USDC and CRT mints must differ")]
    SameCollateralMints,
    #[msg("The queued change's delay has not run out yet")]
    TimelockNotElapsed,
    #[msg("The queued change is not the one this instruction carries out")]
    ChangeMismatch,

    // --- oracle ---
    #[msg("The price update is older than the maximum age")]
    StalePrice,
    #[msg("The price update is for another feed")]
    PriceFeedMismatch,
    #[msg("The price update is not fully verified")]
    PriceNotFullyVerified,
    #[msg("The price is zero or negative")]
    NonPositivePrice,
    #[msg("The price's confidence interval is too wide")]
    ConfidenceTooWide,
    #[msg("The price update is older than the newest one already used for this asset")]
    PriceUpdateOutOfOrder,
    #[msg("Users need a price published within the fresh-price delay; post a newer update")]
    PriceNotFresh,
    #[msg("Every vault of one asset must be valued at the same price update")]
    AssetPriceMismatch,

    // --- protocol state ---
    #[msg("Minting is paused")]
    MintPaused,
    #[msg("Redeeming is paused")]
    RedeemPaused,
    #[msg("Rebalancing is paused")]
    RebalancePaused,
    #[msg("Liquidity deposits are paused")]
    DepositPaused,
    #[msg("Liquidity withdrawals are paused")]
    WithdrawPaused,
    #[msg("The received amount is below the slippage guard")]
    SlippageExceeded,
    #[msg("The mint would exceed the vault's supply cap")]
    SupplyCapExceeded,
    #[msg("The pool cannot back this much exposure")]
    PoolCapacityExceeded,
    #[msg("The pool's net exposure on this asset is over its cap on this side")]
    ImbalanceCapExceeded,
    #[msg("The pool's net exposure on this asset is over what a bad day may cost it (the risk cap)")]
    RiskCapExceeded,
    #[msg("The withdrawal would leave the pool's exposure over its caps")]
    WithdrawalBreaksCaps,
    #[msg("The pool's value is not positive")]
    PoolInsolvent,
    #[msg("The pool does not hold enough free USDC and CRT for this withdrawal")]
    PoolLiquidityInsufficient,
    #[msg("The vault's value was wiped out by a recorded bad debt; it takes no new mints")]
    VaultWipedOut,
    #[msg("The registry of vaults is full")]
    VaultRegistryFull,
    #[msg("The remaining accounts must be every registered vault with its price update, in registry order")]
    VaultListMismatch,
    #[msg("A CRT account is needed to receive or send CRT")]
    CrtAccountMissing,
    #[msg("The fee withdrawal is more than the treasury holds")]
    InsufficientTreasuryFees,
    #[msg("The deposit would receive no tokens or LP shares")]
    MintTooSmall,
    #[msg("A payout may not go into one of the protocol's own reserves")]
    PayoutToReserve,
    #[msg("The vault is retired: it takes no mints, rebalances or parameter changes, and redeems in kind")]
    VaultRetired,
    #[msg("Only the admin, after the timelock, may retire a vault whose feed still works; anyone may once it has been dead for a day")]
    RetireNotAllowed,
    #[msg("This instruction needs the price update account it was not given")]
    PriceAccountMissing,
    #[msg("This needs the CRT price: the vault holds CRT, or the payout would include CRT")]
    CrtPriceRequired,

    #[msg("The pause flags name no known pause")]
    PauseFlagsInvalid,
    #[msg("The redeem burns more tokens than exist")]
    BurnExceedsSupply,

    // --- math ---
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Division by zero")]
    MathDivisionByZero,
    #[msg("A value that must be positive was not")]
    MathNonPositive,

    // --- oracle time, liveness and admin bounds (the second review, 2026-12-02) ---
    #[msg("The price update is published further ahead of the chain's clock than the fresh-price delay")]
    PriceAheadOfClock,
    #[msg("A feed-dead retirement is armed and waits out its grace period; any use of a live price cancels it")]
    RetirementPending,
    #[msg("Exits may be paused at most 7 days in a row, and again only 72 h after the last exit pause ended")]
    ExitPauseLimit,
    #[msg("The queued change expired: it was not executed within 7 days of becoming due")]
    ChangeExpired,

    // --- the hedged pool (issue 21) ---
    #[msg("The pool's hedge of this asset is full and the rest would pass its risk cap: the quote shows how much still fits")]
    HedgeFull,
    #[msg("The hedged exposure on this asset would pass its gap cap (the loss on a stress gap beyond 1/L would pass the budget)")]
    GapCapExceeded,
    #[msg("Those custody tokens are locked against the vaults' net long and cannot leave the pool")]
    CustodyLocked,
    #[msg("This slot's trades with the custody would pass its per-slot bound")]
    SwapSizeExceeded,
    #[msg("This asset already has a custody")]
    CustodyExists,
    #[msg("The custody, its reserve, its mint or its asset is not the one expected")]
    CustodyMismatch,
    #[msg("A hedge or custody parameter is out of its bounds")]
    HedgeParamsOutOfBounds,
    #[msg("The remaining accounts must end with one price update for each custody, in asset order")]
    CustodyListMismatch,
    #[msg("Swaps with the custody are paused")]
    SwapPaused,

    // --- signed prices (issue 23) ---
    #[msg("The signed price message is not Pyth Pro's Solana format")]
    SignedPriceMalformed,
    #[msg("The signed message carries this feed without a price, confidence or exponent")]
    SignedPriceIncomplete,
    #[msg("The signed message does not carry the feed of a signed-feed account given to post")]
    SignedFeedNotInMessage,
    #[msg("Post a signed price into at least one signed-feed account")]
    SignedFeedMissing,
    #[msg("The feed is not one this deployment prices (CRT or an asset of the pool), or its Pyth Pro id is zero")]
    SignedFeedUnknown,
}

impl From<turbo_math::MathError> for TurboError {
    fn from(e: turbo_math::MathError) -> Self {
        use turbo_math::MathError as M;
        match e {
            M::Overflow => TurboError::MathOverflow,
            M::DivisionByZero => TurboError::MathDivisionByZero,
            M::NonPositive => TurboError::MathNonPositive,
            M::BurnExceedsSupply => TurboError::BurnExceedsSupply,
        }
    }
}

/// `?` on a math result inside the program: each math error keeps its own code, and the
/// failing line is logged (Drift's `SafeMath` style), so a failed transaction says where.
pub trait MathResultExt<T> {
    fn or_math(self) -> Result<T>;
}

impl<T> MathResultExt<T> for turbo_math::MathResult<T> {
    #[inline]
    #[track_caller]
    fn or_math(self) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => {
                let at = core::panic::Location::caller();
                msg!("math error: {} at {}:{}", e, at.file(), at.line());
                Err(TurboError::from(e).into())
            }
        }
    }
}

/// `?` on a checked integer step (`checked_add` and friends) inside the program: `None` is an
/// overflow, logged with its line.
pub trait CheckedExt<T> {
    fn or_overflow(self) -> Result<T>;
}

impl<T> CheckedExt<T> for Option<T> {
    #[inline]
    #[track_caller]
    fn or_overflow(self) -> Result<T> {
        match self {
            Some(v) => Ok(v),
            None => {
                let at = core::panic::Location::caller();
                msg!("math error: arithmetic overflow at {}:{}", at.file(), at.line());
                Err(TurboError::MathOverflow.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use turbo_math::MathError;

    #[test]
    fn each_math_error_keeps_its_own_code() {
        assert_eq!(TurboError::from(MathError::Overflow), TurboError::MathOverflow);
        assert_eq!(TurboError::from(MathError::DivisionByZero), TurboError::MathDivisionByZero);
        assert_eq!(TurboError::from(MathError::NonPositive), TurboError::MathNonPositive);
        assert_eq!(TurboError::from(MathError::BurnExceedsSupply), TurboError::BurnExceedsSupply);
        let e: Result<()> = Err::<(), _>(MathError::DivisionByZero).or_math();
        assert_eq!(e.unwrap_err(), TurboError::MathDivisionByZero.into());
    }
}
