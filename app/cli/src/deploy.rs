//! `turbo deploy <manifest>`: make the chain match a manifest, idempotently. Missing accounts
//! are created, differing parameters are updated, and a second run changes nothing and says so.
//! Fields fixed at creation (mints, feeds) are never silently changed: a mismatch is an error.

use std::fmt::Write;

use anchor_lang::AccountDeserialize;
use solana_sdk::signature::{Keypair, Signer};
use turbo::instructions::*;
use turbo::state::{Pool, Vault};
use turbo_sdk::accounts::{self};
use turbo_sdk::chain::Chain;
use turbo_sdk::ix::{self, Deployment, PricedVault};
use turbo_sdk::pda::{self, VaultKeys};

use crate::commands::{Cli, CliError, CliResult};
use crate::manifest::{feed, Env, Manifest};
use crate::text::usd;

fn input(s: impl Into<String>) -> CliError {
    CliError::Input(s.into())
}

impl<C: Chain> Cli<C> {
    pub async fn deploy(&mut self, admin: &Keypair, m: &Manifest, env: &Env) -> CliResult {
        let c = &m.config;
        let usdc_mint = env.key("config.usdc_mint", &c.usdc_mint, |l| Some(l.usdc_mint)).map_err(input)?;
        let crt_mint = env.key("config.crt_mint", &c.crt_mint, |l| Some(l.crt_mint)).map_err(input)?;
        let crt_feed = feed("config.crt_feed_id", &c.crt_feed_id).map_err(input)?;
        let crt_price = env.price_account("config.crt_price_account", c.crt_price_account.as_deref(), &crt_feed).map_err(input)?;
        let guardian = env.key("config.guardian", &c.guardian, |_| None).map_err(input)?;
        let treasury = env.key("config.treasury", &c.treasury, |_| None).map_err(input)?;
        let d = Deployment { usdc_mint, crt_mint, crt_price };
        let mut priced = Vec::new();
        for v in &m.vaults {
            let f = feed(&format!("vault {}.feed_id", v.id), &v.feed_id).map_err(input)?;
            let price = env.price_account(&format!("vault {}.price_account", v.id), v.price_account.as_deref(), &f).map_err(input)?;
            priced.push((v, f, PricedVault { keys: VaultKeys::new(v.id), price }));
            self.feeds.overrides.retain(|(id, _)| id != &f);
            self.feeds.overrides.push((f, price));
        }
        self.feeds.overrides.retain(|(id, _)| id != &crt_feed);
        self.feeds.overrides.push((crt_feed, crt_price));

        let me = admin.pubkey();
        let mut out = format!("Deploying {} as {me}\n", m.network);
        let mut changes = 0;

        // Config.
        match self.chain.account(&pda::config()).await? {
            None => {
                let args = InitializeConfigArgs { guardian, treasury, crt_feed_id: crt_feed, params: c.params };
                self.execute(&[ix::initialize_config(&d, me, args)], &[admin], &mut String::new()).await?;
                let _ = writeln!(out, "  config: created");
                changes += 1;
            }
            Some(_) => {
                let cur = accounts::config(&mut self.chain).await?;
                if cur.usdc_mint != usdc_mint || cur.crt_mint != crt_mint || cur.crt_feed_id != crt_feed {
                    return Err(input("config: this deployment was initialized with other mints or another CRT feed; those never change (deploy a new program instead)"));
                }
                if cur.admin != me {
                    return Err(input(format!("config: the admin is {}, not the deploying wallet {me}", cur.admin)));
                }
                let mut args = UpdateConfigArgs::default();
                let mut what = Vec::new();
                if cur.guardian != guardian {
                    args.guardian = Some(guardian);
                    what.push("guardian");
                }
                if cur.treasury != treasury {
                    args.treasury = Some(treasury);
                    what.push("treasury");
                }
                if cur.params != c.params {
                    args.params = Some(c.params);
                    what.push("parameters");
                }
                if what.is_empty() {
                    let _ = writeln!(out, "  config: unchanged");
                } else {
                    self.execute(&[ix::update_config(me, args)], &[admin], &mut String::new()).await?;
                    let _ = writeln!(out, "  config: updated {}", what.join(", "));
                    changes += 1;
                }
            }
        }

        // Pool.
        let caps = m.pool.caps;
        match self.chain.account(&pda::pool()).await? {
            None => {
                self.execute(&[ix::initialize_pool(&d, me, caps)], &[admin], &mut String::new()).await?;
                let _ = writeln!(out, "  pool: created (gross cap {} bps, net cap {} bps)", caps.gross_cap_bps, caps.net_cap_bps);
                changes += 1;
            }
            Some(acc) => {
                let cur = Pool::try_deserialize(&mut acc.data.as_slice()).map_err(|e| input(e.to_string()))?;
                if (cur.gross_cap_bps, cur.net_cap_bps) != (caps.gross_cap_bps, caps.net_cap_bps) {
                    self.execute(&[ix::update_pool(me, caps)], &[admin], &mut String::new()).await?;
                    let _ = writeln!(out, "  pool: caps updated");
                    changes += 1;
                } else {
                    let _ = writeln!(out, "  pool: unchanged");
                }
            }
        }

        // The first LP deposit, so the pool can back the vaults' seed exposure.
        let lp_mint = self.chain.account(&pda::lp_mint()).await?.map(|a| u64::from_le_bytes(a.data[36..44].try_into().expect("mint")));
        if m.pool.initial_liquidity > 0 && lp_mint == Some(0) {
            let cfg = accounts::config(&mut self.chain).await?;
            let registered: Vec<PricedVault> = cfg
                .registered_vaults()
                .iter()
                .map(|k| {
                    let found = priced.iter().find(|(_, _, p)| &p.keys.vault == k).map(|(_, _, p)| *p);
                    found.ok_or_else(|| input(format!("vault {k} is registered but not in the manifest")))
                })
                .collect::<Result<_, _>>()?;
            let payer = self.chain.payer();
            let ixs = [
                anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(&payer, &me, &pda::lp_mint(), &anchor_spl::token::ID),
                ix::deposit_liquidity(&d, me, pda::ata(&me, &usdc_mint), pda::ata(&me, &pda::lp_mint()), &registered, DepositLiquidityArgs { usdc_amount: m.pool.initial_liquidity, min_shares_out: 0 }),
            ];
            self.execute(&ixs, &[admin], &mut String::new()).await?;
            let _ = writeln!(out, "  pool: initial liquidity {} deposited", usd(m.pool.initial_liquidity));
            changes += 1;
        }

        // Vaults.
        for (spec, f, pv) in &priced {
            let params = spec.params();
            match self.chain.account(&pv.keys.vault).await? {
                None => {
                    let args = CreateVaultArgs {
                        vault_id: spec.id,
                        name: spec.name.clone(),
                        symbol: spec.symbol.clone(),
                        uri: spec.uri.clone(),
                        feed_id: *f,
                        params,
                        seed_usdc: spec.seed_usdc,
                    };
                    self.execute(&[ix::create_vault(&d, me, pda::ata(&me, &usdc_mint), pv.price, args)], &[admin], &mut String::new()).await?;
                    let _ = writeln!(out, "  vault {} {}: created with a {} seed", spec.id, spec.symbol, usd(spec.seed_usdc));
                    changes += 1;
                }
                Some(acc) => {
                    let cur = Vault::try_deserialize(&mut acc.data.as_slice()).map_err(|e| input(e.to_string()))?;
                    if cur.feed_id != *f {
                        return Err(input(format!("vault {}: it exists with another feed; a vault's feed never changes", spec.id)));
                    }
                    if cur.params != params {
                        self.execute(&[ix::update_vault(me, pv.keys.vault, params)], &[admin], &mut String::new()).await?;
                        let _ = writeln!(out, "  vault {} {}: parameters updated", spec.id, spec.symbol);
                        changes += 1;
                    } else {
                        let _ = writeln!(out, "  vault {} {}: unchanged", spec.id, spec.symbol);
                    }
                }
            }
        }
        if changes == 0 {
            let _ = writeln!(out, "Nothing to do: {} already matches the manifest.", m.network);
        } else {
            let _ = writeln!(out, "{changes} change(s) applied.");
        }
        Ok(out)
    }
}
