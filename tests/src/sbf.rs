//! The cases the SBF bytecode runs (`scripts/sbf`, `app/sbf-runner`): every instruction of the
//! cost scenario (`cost::measure_all`) as the native bank ran it, with the accounts right before
//! it, the clock it saw, and every writable account and event right after. The runner executes
//! each one through `target/deploy/turbo.so` and must leave the same bytes behind.
//!
//! The runner lives in its own workspace on the agave 4.2 runtime, so the two sides meet only
//! in this JSON; its structs mirror these field for field.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::cost::{Measured, SnapAccount};

#[derive(Serialize, Deserialize)]
pub struct Cases {
    pub program_id: [u8; 32],
    pub cases: Vec<Case>,
}

#[derive(Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    /// Instruction data, base64.
    pub data: String,
    pub unix_timestamp: i64,
    pub slot: u64,
    pub accounts: Vec<Before>,
    pub after: Vec<After>,
    pub events: Vec<String>,
}

#[derive(Serialize, Deserialize)]
pub struct Before {
    pub key: [u8; 32],
    pub signer: bool,
    pub writable: bool,
    pub lamports: u64,
    pub data: String,
    pub owner: [u8; 32],
    pub executable: bool,
}

#[derive(Serialize, Deserialize)]
pub struct After {
    pub key: [u8; 32],
    pub lamports: u64,
    pub data: String,
    pub owner: [u8; 32],
}

fn before(a: &SnapAccount) -> Before {
    Before {
        key: a.key,
        signer: a.signer,
        writable: a.writable,
        lamports: a.lamports,
        data: B64.encode(&a.data),
        owner: a.owner,
        executable: a.executable,
    }
}

/// The cases of every measured instruction.
pub fn cases(measured: &[Measured]) -> Cases {
    let cases = measured
        .iter()
        .map(|m| Case {
            name: m.name.to_string(),
            data: B64.encode(&m.snapshot.data),
            unix_timestamp: m.snapshot.unix_timestamp,
            slot: m.snapshot.slot,
            accounts: m.snapshot.accounts.iter().map(before).collect(),
            after: m.after.iter().map(|a| After { key: a.key, lamports: a.lamports, data: B64.encode(&a.data), owner: a.owner }).collect(),
            events: m.events.clone(),
        })
        .collect();
    Cases { program_id: turbo::ID.to_bytes(), cases }
}

/// One instruction's result on the bytecode, as the runner writes it to `metered.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct Metered {
    pub name: String,
    /// Compute units the runtime metered for the whole instruction, CPIs included.
    pub cu: u64,
    /// Each direct CPI: the program and the units it consumed.
    pub cpis: Vec<(String, u64)>,
    /// What Turbo's own code spent: `cu` minus the direct CPIs.
    pub own_cu: u64,
    /// None when the bytecode left exactly what the native run left.
    pub mismatch: Option<String>,
}

/// The runner's results, from the file `scripts/sbf` names in `TURBO_SBF_METERED`.
pub fn metered(path: &str) -> Vec<Metered> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}: run scripts/sbf first"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}
