//! Runs the Turbo program's SBF bytecode on the agave 4.2 runtime (Mollusk 0.15), one recorded
//! case at a time, and checks it against the native run on the bank.
//!
//! Usage: `turbo-sbf-runner <turbo.so> <cases.json> <metered.json>`
//!
//! Each case is one instruction the cost scenario sent on the bank (`turbo_tests::sbf`): the
//! accounts right before it, the clock it saw, and what it left behind (every writable account's
//! lamports, owner and data, and the events it emitted). The runner executes the same instruction
//! through the `.so` with the real SPL Token, Token-2022 and ATA programs as CPI targets, compares
//! the result to the unit, and records the compute units the runtime metered: the whole
//! instruction, each direct CPI, and the program's own share. It exits non-zero when any case
//! fails or differs, after writing every result.
//!
//! This crate is its own workspace, built with the SBF nightly by `scripts/sbf`: the runtime
//! that loads sbpf-linker's SBPF v3 layout needs a newer compiler than the project's 1.95.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use mollusk_svm::program::{create_program_account_loader_v3, keyed_account_for_system_program, loader_keys};
use mollusk_svm::Mollusk;
use mollusk_svm_programs_token::{associated_token, token, token2022};
use serde::{Deserialize, Serialize};
use solana_account::Account;
use solana_instruction::{AccountMeta, Instruction};
use solana_pubkey::Pubkey;
use solana_svm_log_collector::LogCollector;

#[derive(Deserialize)]
struct Cases {
    program_id: [u8; 32],
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    data: String,
    unix_timestamp: i64,
    slot: u64,
    accounts: Vec<Before>,
    after: Vec<After>,
    events: Vec<String>,
}

#[derive(Deserialize)]
struct Before {
    key: [u8; 32],
    signer: bool,
    writable: bool,
    lamports: u64,
    data: String,
    owner: [u8; 32],
    executable: bool,
}

#[derive(Deserialize)]
struct After {
    key: [u8; 32],
    lamports: u64,
    data: String,
    owner: [u8; 32],
}

/// One case's result, as `metered.json` records it.
#[derive(Serialize)]
struct Metered {
    name: String,
    /// Compute units the runtime metered for the whole instruction, CPIs included.
    cu: u64,
    /// Each direct CPI: the program called and the units it consumed.
    cpis: Vec<(String, u64)>,
    /// `cu` minus the direct CPIs' own consumption: what Turbo's code spent.
    own_cu: u64,
    /// None when the bytecode's result equals the native run's to the unit.
    mismatch: Option<String>,
    /// With a `cu-probe` build (`scripts/sbf --probe`): the units spent up to each probe since
    /// the one before (named by the probe that ends the stage; the previous probe's own logging
    /// included), then what was left for the accounts' write-back.
    stages: Vec<(String, u64)>,
    logs: Vec<String>,
}

/// The stages between the program's probes (src/probe.rs): the label logged, then the runtime's
/// `Program consumption: N units remaining`.
fn stages(logs: &[String], limit: u64, total: u64) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut used = 0u64;
    for (i, line) in logs.iter().enumerate() {
        let Some(label) = line.strip_prefix("Program log: probe: ") else { continue };
        let Some(remaining) = logs.get(i + 1).and_then(|l| l.strip_prefix("Program consumption: ")) else { continue };
        let Some(left) = remaining.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()) else { continue };
        let at = limit - left;
        out.push((label.to_string(), at - used));
        used = at;
    }
    if !out.is_empty() {
        out.push(("after the handler (accounts written back)".to_string(), total - used));
    }
    out
}

fn b64(s: &str) -> Result<Vec<u8>> {
    B64.decode(s).context("base64 in the case file")
}

fn runtime(program_id: &Pubkey, elf: &[u8]) -> Mollusk {
    let mut m = Mollusk::default();
    m.add_program_with_loader_and_elf(program_id, &loader_keys::LOADER_V3, elf);
    token::add_program(&mut m);
    token2022::add_program(&mut m);
    associated_token::add_program(&mut m);
    m
}

/// The program accounts the runtime itself provides: the bank's copies (a native stand-in for
/// Turbo, the bank's own loaders for the token programs) are replaced by the runtime's.
fn program_account(key: &Pubkey, turbo: &Pubkey) -> Option<Account> {
    if key == turbo {
        Some(create_program_account_loader_v3(turbo))
    } else if *key == token::ID {
        Some(token::account())
    } else if *key == token2022::ID {
        Some(token2022::account())
    } else if *key == associated_token::ID {
        Some(associated_token::account())
    } else if *key == keyed_account_for_system_program().0 {
        Some(keyed_account_for_system_program().1)
    } else {
        None
    }
}

/// A CPI target's short name in the table.
fn program_name(id: &str) -> &str {
    match id {
        "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" => "Token",
        "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb" => "Token-2022",
        "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL" => "ATA",
        "11111111111111111111111111111111" => "System",
        other => other,
    }
}

/// The units each direct CPI consumed, read from the runtime's log.
fn direct_cpis(logs: &[String]) -> Vec<(String, u64)> {
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    for line in logs {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Program", id, "invoke", depth] => {
                let d = depth.trim_matches(|c| c == '[' || c == ']').parse().unwrap_or(0);
                stack.push((id.to_string(), d));
            }
            ["Program", id, "consumed", n, "of", ..] => {
                if let Some((top, 2)) = stack.last() {
                    if top == id {
                        out.push((id.to_string(), n.parse().unwrap_or(0)));
                    }
                }
            }
            ["Program", _, "success"] | ["Program", _, "failed:", ..] => {
                stack.pop();
            }
            _ => {}
        }
    }
    out
}

/// The events emitted (`Program data:` lines; only Turbo writes them).
fn events(logs: &[String]) -> Vec<String> {
    logs.iter().filter_map(|l| l.strip_prefix("Program data: ")).map(str::to_string).collect()
}

fn run(m: &mut Mollusk, turbo: &Pubkey, case: &Case) -> Result<Metered> {
    m.sysvars.clock.slot = case.slot;
    m.sysvars.clock.unix_timestamp = case.unix_timestamp;
    let metas: Vec<AccountMeta> = case
        .accounts
        .iter()
        .map(|a| AccountMeta { pubkey: Pubkey::new_from_array(a.key), is_signer: a.signer, is_writable: a.writable })
        .collect();
    let mut seen = BTreeSet::new();
    let mut accounts = Vec::new();
    for a in &case.accounts {
        let key = Pubkey::new_from_array(a.key);
        if !seen.insert(key) {
            continue;
        }
        let account = match program_account(&key, turbo) {
            Some(p) => p,
            None => Account {
                lamports: a.lamports,
                data: b64(&a.data)?,
                owner: Pubkey::new_from_array(a.owner),
                executable: a.executable,
                rent_epoch: 0,
            },
        };
        accounts.push((key, account));
    }
    let ix = Instruction { program_id: *turbo, accounts: metas, data: b64(&case.data)? };
    let logger = LogCollector::new_ref();
    m.logger = Some(logger.clone());
    let result = m.process_instruction(&ix, &accounts);
    let logs: Vec<String> = logger.borrow().get_recorded_content().to_vec();
    let cpis = direct_cpis(&logs);
    let cu = result.compute_units_consumed;
    let own_cu = cu - cpis.iter().map(|(_, n)| n).sum::<u64>();
    let mut mismatch = None;
    if let Err(e) = &result.raw_result {
        mismatch = Some(format!("failed on the bytecode: {e:?}"));
    } else {
        for want in &case.after {
            let key = Pubkey::new_from_array(want.key);
            let got = result.resulting_accounts.iter().find(|(k, _)| *k == key).map(|(_, a)| a);
            let Some(got) = got else {
                mismatch = Some(format!("{key}: missing from the result"));
                break;
            };
            let data = b64(&want.data)?;
            if got.lamports != want.lamports || got.owner.to_bytes() != want.owner || got.data != data {
                let first = got.data.iter().zip(&data).position(|(a, b)| a != b);
                mismatch = Some(format!(
                    "{key}: lamports {} (native {}), owner {} (native {}), data {} bytes (native {}), first differing byte {:?}",
                    got.lamports,
                    want.lamports,
                    got.owner,
                    Pubkey::new_from_array(want.owner),
                    got.data.len(),
                    data.len(),
                    first
                ));
                break;
            }
        }
        if mismatch.is_none() {
            let got = events(&logs);
            if got != case.events {
                mismatch = Some(format!("events differ: bytecode {got:?}, native {:?}", case.events));
            }
        }
    }
    let stages = stages(&logs, m.compute_budget.compute_unit_limit, cu);
    Ok(Metered { name: case.name.clone(), cu, cpis, own_cu, mismatch, stages, logs })
}

fn main() -> ExitCode {
    match real_main() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("turbo-sbf-runner: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<bool> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        bail!("usage: turbo-sbf-runner <turbo.so> <cases.json> <metered.json>");
    }
    let elf = std::fs::read(&args[1]).with_context(|| format!("reading {}", args[1]))?;
    let cases: Cases = serde_json::from_slice(&std::fs::read(&args[2]).with_context(|| format!("reading {}", args[2]))?)?;
    let turbo = Pubkey::new_from_array(cases.program_id);
    let mut m = runtime(&turbo, &elf);
    let mut results = Vec::new();
    let mut all_ok = true;
    println!("| instruction | metered CU | direct CPIs (CU) | Turbo's own CU | vs native |");
    println!("|---|---:|---|---:|---|");
    for case in &cases.cases {
        let r = run(&mut m, &turbo, case)?;
        let cpis: Vec<String> = r.cpis.iter().map(|(id, n)| format!("{} {n}", program_name(id))).collect();
        let verdict = match &r.mismatch {
            None => "equal".to_string(),
            Some(why) => {
                all_ok = false;
                format!("DIFFERS: {why}")
            }
        };
        println!("| {} | {} | {} | {} | {} |", r.name, r.cu, cpis.join(", "), r.own_cu, verdict);
        if r.mismatch.is_some() {
            for l in &r.logs {
                eprintln!("    {l}");
            }
        }
        results.push(r);
    }
    if results.iter().any(|r| !r.stages.is_empty()) {
        println!("\n| instruction | stage | CU |\n|---|---|---:|");
        for r in results.iter().filter(|r| !r.stages.is_empty()) {
            for (stage, n) in &r.stages {
                println!("| {} | {stage} | {n} |", r.name);
            }
        }
    }
    std::fs::write(&args[3], serde_json::to_vec_pretty(&results)?).with_context(|| format!("writing {}", args[3]))?;
    println!("{} cases, {} equal to the native run", results.len(), results.iter().filter(|r| r.mismatch.is_none()).count());
    Ok(all_ok)
}
