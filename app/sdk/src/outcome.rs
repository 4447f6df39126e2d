//! What a transaction did: its logs, the CPIs it made, the compute it used, the events it
//! emitted, and the specific error it failed with. Both chain backends return it.

use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;

#[derive(Clone, Debug)]
pub struct Outcome {
    pub result: Result<(), TransactionError>,
    pub logs: Vec<String>,
    pub compute_units: u64,
}

impl Outcome {
    /// The custom error code the transaction failed with, if any.
    pub fn error_code(&self) -> Option<u32> {
        match &self.result {
            Err(TransactionError::InstructionError(_, InstructionError::Custom(c))) => Some(*c),
            _ => None,
        }
    }

    /// Every event of type `E` emitted, in order.
    pub fn events<E: AnchorDeserialize + Discriminator>(&self) -> Vec<E> {
        self.logs
            .iter()
            .filter_map(|l| l.strip_prefix("Program data: ").or_else(|| l.strip_prefix(NATIVE_EVENT_PREFIX)))
            .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|d| d.starts_with(E::DISCRIMINATOR))
            .filter_map(|d| E::try_from_slice(&d[E::DISCRIMINATOR.len()..]).ok())
            .collect()
    }

    /// The single event of type `E`.
    pub fn event<E: AnchorDeserialize + Discriminator>(&self) -> E {
        let mut v = self.events::<E>();
        assert_eq!(v.len(), 1, "expected exactly one event of this type; logs:\n{}", self.logs.join("\n"));
        v.remove(0)
    }

    /// The CPIs the top-level program made directly (stack height 2), in order, each with the
    /// compute units its program consumed (nested calls included). Builtins such as the System
    /// program log no consumption: `None`.
    pub fn direct_cpis(&self) -> Vec<(String, Option<u64>)> {
        let mut out: Vec<(String, Option<u64>)> = Vec::new();
        for line in &self.logs {
            let Some(rest) = line.strip_prefix("Program ") else { continue };
            if let Some(program) = rest.strip_suffix(" invoke [2]") {
                out.push((program.to_string(), None));
            } else if let Some((program, tail)) = rest.split_once(" consumed ") {
                if let Some(last) = out.last_mut() {
                    if last.0 == program && last.1.is_none() {
                        last.1 = tail.split_whitespace().next().and_then(|n| n.parse().ok());
                    }
                }
            }
        }
        out
    }

    /// The compute units each CPI to another program consumed, read from the logs, as
    /// `(program id, units)`, in the order the calls returned.
    pub fn cpi_costs(&self, program: &str) -> Vec<(String, u64)> {
        self.logs
            .iter()
            .filter_map(|l| {
                let rest = l.strip_prefix("Program ")?;
                let (id, rest) = rest.split_once(" consumed ")?;
                let units: u64 = rest.split_whitespace().next()?.parse().ok()?;
                (id != program).then(|| (id.to_string(), units))
            })
            .collect()
    }
}

/// The prefix the fixture's syscall stubs give event data in native runs (see
/// `bank::install_event_log`); on SBF the same bytes appear after `Program data: `.
pub const NATIVE_EVENT_PREFIX: &str = "Program log: data: ";
