//! `cargo run --locked -p turbo-tests --bin cost-report`: the cost table of every instruction
//! (see `docs/performance.md`). With valgrind installed it also counts, with callgrind, the
//! instructions the program's own handler path executes for mint, redeem and rebalance: the
//! handler re-runs natively on a snapshot of its accounts, with CPIs stubbed out, so only
//! Turbo's code (Anchor's account checks, the math, serialization) is counted.

use std::process::Command;

use anchor_lang::compat::solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
use anchor_lang::prelude::{AccountInfo, Pubkey};
use solana_sdk::clock::Clock;
use turbo_tests::cost::{measure_all, Measured, Snapshot};

/// Anchor's per-account overhead in compute units, from Anchor's own benchmark
/// (`bench/COMPUTE_UNITS.md` in the Anchor repository, "Unreleased" section, Solana 2.3.0):
/// the slope from 1 to 8 accounts of each kind, rounded.
const SIGNER: u64 = 295; // signer1 874 → signer8 2,941
const PROGRAM: u64 = 141; // program1 890 → program8 1,879
const STATE: u64 = 432; // boxedAccountSized1 912 → boxedAccountSized8 3,935
const TOKEN: u64 = 546; // boxedInterfaceAccountToken1 1,246 → …Token8 5,068
const MINT: u64 = 422; // boxedInterfaceAccountMint1 1,110 → …Mint8 4,064
const UNCHECKED: u64 = 279; // uncheckedAccount1 882 → uncheckedAccount8 2,833
const BASE: u64 = 335; // accountInfo1 685 minus one accountInfo slope of 350
const PER_CPI: u64 = 1_000;
/// `create_program_address`, the syscall behind every `seeds = …, bump = …` check.
const PER_PDA: u64 = 1_500;

fn overhead(s: &Snapshot, unchecked: &[[u8; 32]]) -> u64 {
    let token_programs = [anchor_spl::token::ID.to_bytes(), anchor_spl::token_2022::ID.to_bytes()];
    s.accounts
        .iter()
        .map(|a| {
            if unchecked.contains(&a.key) {
                UNCHECKED
            } else if a.executable {
                PROGRAM
            } else if a.signer && a.data.is_empty() {
                SIGNER
            } else if token_programs.contains(&a.owner) {
                if a.data.len() == 82 || (a.data.len() > 165 && a.data[165] == 1) {
                    MINT
                } else {
                    TOKEN
                }
            } else if a.data.is_empty() {
                UNCHECKED
            } else {
                STATE
            }
        })
        .sum::<u64>()
        + BASE
}

fn estimate(m: &Measured, pdas: u64) -> u64 {
    m.cpi_cu() + PER_CPI * m.cpis.len() as u64 + overhead(&m.snapshot, &m.unchecked) + PER_PDA * pdas
}

struct Stubs {
    clock: Clock,
}

impl SyscallStubs for Stubs {
    fn sol_log(&self, _: &str) {}
    fn sol_log_data(&self, _: &[&[u8]]) {}
    fn sol_invoke_signed(
        &self,
        _: &anchor_lang::solana_program::instruction::Instruction,
        _: &[AccountInfo],
        _: &[&[&[u8]]],
    ) -> anchor_lang::solana_program::entrypoint::ProgramResult {
        Ok(())
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        unsafe { *(var as *mut Clock) = self.clock.clone() };
        0
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        unsafe { *(var as *mut solana_sdk::rent::Rent) = solana_sdk::rent::Rent::default() };
        0
    }
}

#[inline(never)]
fn measured_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) {
    // The same lifetime dance as the bank's entry (docs/toolchain.md): leaked for the process's life.
    let program_id: &'static Pubkey = Box::leak(Box::new(*program_id));
    let accounts: &'static [AccountInfo<'static>] = unsafe { std::mem::transmute(accounts) };
    let data: &'static [u8] = Box::leak(data.to_vec().into_boxed_slice());
    turbo::entry(program_id, accounts, data).expect("the handler succeeds on its snapshot");
}

/// Instructions that create or close accounts: the stubbed native re-run cannot replay them.
const NOT_RERUN: [&str; 4] = ["create_vault", "queue_change", "execute_change", "retire_vault"];

/// Re-run one handler natively on its snapshot (the callgrind target).
fn handler(file: &str) {
    let s: Snapshot = bincode::deserialize(&std::fs::read(file).expect("snapshot")).expect("decode snapshot");
    set_syscall_stubs(Box::new(Stubs { clock: Clock { slot: s.slot, unix_timestamp: s.unix_timestamp, ..Clock::default() } }));
    let keys: Vec<Pubkey> = s.accounts.iter().map(|a| Pubkey::new_from_array(a.key)).collect();
    let owners: Vec<Pubkey> = s.accounts.iter().map(|a| Pubkey::new_from_array(a.owner)).collect();
    let mut lamports: Vec<u64> = s.accounts.iter().map(|a| a.lamports).collect();
    let mut datas: Vec<Vec<u8>> = s.accounts.iter().map(|a| a.data.clone()).collect();
    let infos: Vec<AccountInfo> = keys
        .iter()
        .zip(owners.iter())
        .zip(lamports.iter_mut().zip(datas.iter_mut()))
        .zip(s.accounts.iter())
        .map(|(((k, o), (l, d)), a)| AccountInfo::new(k, a.signer, a.writable, l, d, o, a.executable))
        .collect();
    measured_entry(&turbo::ID, &infos, &s.data);
}

/// Instructions executed inside `measured_entry`, and calls to `create_program_address` (PDA
/// checks), by callgrind; `None` without valgrind.
fn callgrind(m: &Measured) -> Option<(u64, u64)> {
    let dir = std::env::temp_dir().join("turbo-cost");
    std::fs::create_dir_all(&dir).ok()?;
    let slug: String = m.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let snap = dir.join(format!("{slug}.bin"));
    let out = dir.join(format!("{slug}.callgrind"));
    std::fs::write(&snap, bincode::serialize(&m.snapshot).ok()?).ok()?;
    let exe = std::env::current_exe().ok()?;
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--collect-atstart=no", "--toggle-collect=*measured_entry*"])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .args(["handler", snap.to_str()?])
        .output()
        .ok()?;
    if !status.status.success() {
        eprintln!("callgrind failed for {}: {}", m.name, String::from_utf8_lossy(&status.stderr));
        return None;
    }
    let text = std::fs::read_to_string(&out).ok()?;
    let total = text
        .lines()
        .find_map(|l| l.strip_prefix("summary: ").or_else(|| l.strip_prefix("totals: ")))
        .and_then(|n| n.trim().parse().ok())?;
    // Call edges: a `cfn=` line naming the callee, then `calls=N`. Callgrind names a function
    // in full once and by its id afterwards, so map ids to names first.
    let mut names = std::collections::HashMap::new();
    for l in text.lines() {
        for prefix in ["fn=(", "cfn=("] {
            if let Some(rest) = l.strip_prefix(prefix) {
                if let Some((id, name)) = rest.split_once(") ") {
                    names.insert(id.to_string(), name.to_string());
                }
            }
        }
    }
    let (mut pdas, mut callee) = (0u64, None);
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("cfn=(") {
            let id = rest.split(')').next().unwrap_or("");
            callee = names.get(id).cloned();
        } else if let Some(n) = l.strip_prefix("calls=") {
            // Inlined when optimized: each PDA derivation does one off-curve check.
            if callee.as_deref().is_some_and(|c| c.ends_with("::create_program_address") || c.ends_with("CompressedEdwardsY::decompress")) {
                pdas += n.split_whitespace().next().and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
            }
            callee = None;
        }
    }
    Some((total, pdas))
}

fn short(program: &str) -> &str {
    match program {
        "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" => "Token",
        "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb" => "Token-2022",
        "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL" => "ATA",
        "11111111111111111111111111111111" => "System",
        p => p,
    }
}

/// Count the program's heap use the way SBF's bump allocator would (`turbo_sdk::heap`).
#[global_allocator]
static ALLOC: turbo_sdk::heap::CountingAlloc = turbo_sdk::heap::CountingAlloc;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("handler") {
        handler(&args[2]);
        return;
    }
    std::env::set_var("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "error".into()));
    let (rows, sizes) = measure_all().await;
    println!("| instruction | CPIs | CPI compute units (measured) | accounts | tx bytes | PDA checks | callgrind instructions (handler) | estimated total CU | heap bytes (of 32 KiB) |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|");
    for m in &rows {
        let cpis: Vec<String> =
            m.cpis.iter().map(|(p, cu)| format!("{} {}", short(p), cu.map_or("builtin".into(), |c| c.to_string()))).collect();
        // `create_vault`'s handler creates its accounts through System-program CPIs, which the
        // stubbed re-run cannot do, so it has no callgrind count (and no PDA count).
        let cg = if NOT_RERUN.iter().any(|n| m.name.starts_with(n)) { None } else { callgrind(m) };
        let pdas = cg.map_or(0, |(_, p)| p);
        println!(
            "| {} | {} | {} (Σ {}) | {} | {} | {} | {} | {} | {} ({:.0}% free) |",
            m.name,
            m.cpis.len(),
            if cpis.is_empty() { "—".into() } else { cpis.join(", ") },
            m.cpi_cu(),
            m.accounts,
            m.tx_bytes,
            cg.map_or("—".into(), |(_, p)| p.to_string()),
            cg.map_or("—".into(), |(n, _)| n.to_string()),
            estimate(m, pdas),
            m.heap,
            100.0 * (1.0 - m.heap as f64 / turbo_sdk::heap::SBF_HEAP_BYTES as f64)
        );
    }
    println!("\n— create_vault, queue_change, execute_change and retire_vault are not re-run under callgrind: they create or close accounts, which the stubbed native re-run cannot do.");
    println!("\n| account | bytes | rent-exempt lamports |\n|---|---:|---:|");
    let rent = solana_sdk::rent::Rent::default();
    for (name, len) in sizes {
        println!("| {name} | {len} | {} |", rent.minimum_balance(len));
    }
}
