//! The Turbo vault model: a `Config`, a `Pool` and a `Vault` exactly as the program stores them,
//! stepped by the program's own `rebalance::plan` (settlement, volatility, effective target,
//! decision, bad debt, reverse split). Nothing here re-implements protocol math, so the model
//! ends at the same NAV as a vault on the bank driven through the real program.

use anchor_lang::prelude::Pubkey;
use turbo::engine::create::{self, NewConfig, NewVault, VaultAddresses};
use turbo::engine::rebalance::{plan, RebalanceCall, RebalancePlan};
use turbo::engine::settle::settle_state;
use turbo::state::{Config, Pool, PoolCaps, Vault, VaultParams};
use turbo_math::{quote_mint, quote_redeem, Exposure, Lev, OraclePrice, Price, Prices, Shares, TokenAmount, Usd};

/// One dollar of CRT, for a model that holds no CRT.
const CRT_PRICE: Price = Price(100_000_000);

#[derive(Clone, Debug)]
pub struct TurboModel {
    pub config: Config,
    pub pool: Pool,
    pub vault: Vault,
    /// Token supply (constant: the model's holders neither mint nor redeem after entry).
    pub supply: u64,
    /// Calls that moved exposure.
    pub rebalances: u64,
    /// Σ |Δq| · P, micro-USD.
    pub turnover: u128,
    pub slot: u64,
}

/// What one step did.
#[derive(Clone, Debug)]
pub struct Step {
    pub plan: RebalancePlan,
    /// NAV after the step, micro-USD.
    pub nav: u64,
}

impl TurboModel {
    /// A vault holding `equity` micro-USD at its target leverage at `price` (8 decimals), at
    /// `time`, with a pool of `pool_usdc` behind it and permissive caps.
    pub fn new(params: VaultParams, equity: u64, price: u64, time: i64, pool_usdc: u64) -> Self {
        let mut config = model_config();
        let caps = PoolCaps {
            gross_cap_bps: turbo::constants::MAX_GROSS_CAP_BPS,
            net_cap_bps: turbo::constants::MAX_NET_CAP_BPS,
            // One vault's backtest: the pool's risk cap and skew funding are the LP study's
            // subject (`lp.rs`), not this one's.
            max_daily_loss_bps: 0,
            funding_max_bps_per_day: 0,
            ..turbo_sdk::defaults::pool_caps()
        };
        let mut pool = create::pool(Pubkey::default(), Pubkey::default(), Pubkey::default(), caps, 0);
        pool.usdc_balance = pool_usdc;
        pool.launch();
        let asset_index = pool.asset_index_for(&[0; 32]).expect("a free asset slot");
        let addresses = VaultAddresses {
            vault: Pubkey::new_unique(),
            mint: Pubkey::default(),
            usdc_reserve: Pubkey::default(),
            crt_reserve: Pubkey::default(),
            bump: 0,
        };
        let new = NewVault { vault_id: 1, feed_id: [0; 32], params, seed_usdc: equity };
        let px = OraclePrice::exact(Price(price), time);
        let (vault, _, _) =
            create::vault(&mut config, &mut pool, &addresses, &new, asset_index, &px, time).expect("the model's vault fits its pool");
        // $100 per token at the start, as a fresh vault.
        let supply = turbo_math::initial_shares(Usd(equity)).0.max(1);
        TurboModel::from_state(config, pool, vault, supply)
    }

    /// A model of an existing vault, from its accounts.
    pub fn from_state(config: Config, pool: Pool, vault: Vault, supply: u64) -> Self {
        TurboModel { config, pool, vault, supply, rebalances: 0, turnover: 0, slot: 1 }
    }

    /// A keeper call at `time` with the asset at `price` (8 decimals, exact: no confidence).
    pub fn keeper_call(&mut self, price: u64, time: i64) -> Step {
        self.slot += 1;
        let px = Self::exact(price, time);
        let call = RebalanceCall { vault: Pubkey::default(), keeper: Pubkey::default(), now: time, bounty_eligible: false };
        let p =
            plan(&self.config, &mut self.pool, &mut self.vault, Shares(self.supply), &px, &call).expect("the model's state stays in range");
        if p.moved() {
            self.rebalances += 1;
            self.turnover += Exposure(p.after.0 - p.before.0).abs_notional_floor(Price(price)).expect("notional").0 as u128;
        }
        let nav = p.nav.0;
        Step { plan: p, nav }
    }

    /// NAV at `price` without touching the vault (between keeper calls), micro-USD.
    pub fn nav_at(&self, price: u64) -> u64 {
        let n = self.vault.book().nav_floor(Price(price), CRT_PRICE, self.config.crt()).expect("nav");
        n.0.max(0) as u64
    }

    /// Leverage at `price`, or `None` without positive equity.
    pub fn leverage_at(&self, price: u64) -> Option<Lev> {
        self.vault.book().leverage(Price(price), CRT_PRICE, self.config.crt()).expect("leverage")
    }

    pub fn bad_debt(&self) -> u64 {
        self.vault.bad_debt
    }

    fn exact(price: u64, time: i64) -> Prices {
        Prices { asset: OraclePrice::exact(Price(price), time), crt: OraclePrice::exact(CRT_PRICE, time) }
    }

    /// What a mint of `usdc` micro-USD at `price` keeps after its fee, through the program's own
    /// quote (the fee rounds up against the minter), micro-USD.
    pub fn mint_net(&self, usdc: u64, price: u64, time: i64) -> u64 {
        let fee = self.vault.params.mint_fee();
        let q = quote_mint(
            &self.vault.book(),
            Shares(self.supply),
            &Self::exact(price, time),
            self.config.crt(),
            Usd(usdc),
            TokenAmount(0),
            fee,
        )
        .expect("the model's vault quotes");
        q.net_usdc.0
    }

    /// What redeeming every token pays at `price` after the redeem fee: the vault settled on
    /// copies by the program's settlement, then the program's redeem quote, micro-USD.
    pub fn redeem_all(&self, price: u64, time: i64) -> u64 {
        let px = Self::exact(price, time);
        let (mut pool, mut vault) = (self.pool, self.vault);
        settle_state(&mut vault, &mut pool, &self.config, &px).expect("the model settles");
        let fee = vault.params.redeem_fee();
        let q =
            quote_redeem(&vault.book(), Shares(self.supply), Shares(self.supply), &px, self.config.crt(), fee).expect("the model quotes");
        q.usdc_out.0
    }
}

/// The config every model starts from: the SDK's default parameters, CRT at 9 decimals, no
/// vault yet (the program's own constructor).
pub fn model_config() -> Config {
    create::config(&NewConfig {
        admin: Pubkey::default(),
        guardian: Pubkey::default(),
        treasury: Pubkey::default(),
        usdc_mint: Pubkey::default(),
        crt_mint: Pubkey::default(),
        crt_feed_id: [0xc7; 32],
        crt_decimals: 9,
        params: turbo_sdk::defaults::config_params(),
        bump: 0,
    })
}

/// Whether a step's plan was a real rebalance.
pub fn moved(step: &Step) -> bool {
    step.plan.moved()
}
