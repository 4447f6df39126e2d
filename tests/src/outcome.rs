//! What a transaction did: its logs, the CPIs it made, the compute it used, the events it
//! emitted, and the specific error it failed with.

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

/// Assert that `outcome` failed with exactly `code`.
#[track_caller]
pub fn assert_error(outcome: &Outcome, code: impl Into<u32>) {
    let code = code.into();
    assert_eq!(
        outcome.error_code(),
        Some(code),
        "expected error {code}, got {:?}; logs:\n{}",
        outcome.result,
        outcome.logs.join("\n")
    );
}

/// Assert that `outcome` succeeded.
#[track_caller]
pub fn assert_ok(outcome: &Outcome) {
    assert!(outcome.result.is_ok(), "transaction failed: {:?}; logs:\n{}", outcome.result, outcome.logs.join("\n"));
}

/// The prefix the fixture's syscall stubs give event data in native runs (see
/// [`install_event_log`]); on SBF the same bytes appear after `Program data: `.
pub const NATIVE_EVENT_PREFIX: &str = "Program log: data: ";

/// Wrap solana-program-test's syscall stubs so that `sol_log_data` from the natively running
/// program lands in the transaction's log (as `Program log: data: <base64>`), like the
/// `Program data:` line the SBF runtime writes. Everything else is delegated unchanged.
pub fn install_event_log() {
    use anchor_lang::compat::solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
    use std::sync::Once;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        struct EventLog(std::sync::RwLock<Option<Box<dyn SyscallStubs>>>);
        macro_rules! inner {
            ($s:expr) => {
                $s.0.read().unwrap().as_ref().expect("inner stubs")
            };
        }
        use anchor_lang::solana_program::account_info::AccountInfo;
        use anchor_lang::solana_program::instruction::Instruction;
        use anchor_lang::solana_program::pubkey::Pubkey;
        impl SyscallStubs for EventLog {
            fn sol_log(&self, m: &str) {
                inner!(self).sol_log(m)
            }
            fn sol_log_compute_units(&self) {
                inner!(self).sol_log_compute_units()
            }
            fn sol_remaining_compute_units(&self) -> u64 {
                inner!(self).sol_remaining_compute_units()
            }
            fn sol_invoke_signed(&self, i: &Instruction, a: &[AccountInfo], s: &[&[&[u8]]]) -> Result<(), anchor_lang::solana_program::program_error::ProgramError> {
                inner!(self).sol_invoke_signed(i, a, s)
            }
            fn sol_get_sysvar(&self, id: *const u8, v: *mut u8, o: u64, l: u64) -> u64 {
                inner!(self).sol_get_sysvar(id, v, o, l)
            }
            fn sol_get_clock_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_clock_sysvar(v)
            }
            fn sol_get_epoch_schedule_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_epoch_schedule_sysvar(v)
            }
            fn sol_get_fees_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_fees_sysvar(v)
            }
            fn sol_get_rent_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_rent_sysvar(v)
            }
            fn sol_get_epoch_rewards_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_epoch_rewards_sysvar(v)
            }
            fn sol_get_last_restart_slot(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_last_restart_slot(v)
            }
            fn sol_get_epoch_stake(&self, v: *const u8) -> u64 {
                inner!(self).sol_get_epoch_stake(v)
            }
            unsafe fn sol_memcpy(&self, d: *mut u8, s: *const u8, n: usize) {
                unsafe { inner!(self).sol_memcpy(d, s, n) }
            }
            unsafe fn sol_memmove(&self, d: *mut u8, s: *const u8, n: usize) {
                unsafe { inner!(self).sol_memmove(d, s, n) }
            }
            unsafe fn sol_memcmp(&self, a: *const u8, b: *const u8, n: usize, r: *mut i32) {
                unsafe { inner!(self).sol_memcmp(a, b, n, r) }
            }
            unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
                unsafe { inner!(self).sol_memset(s, c, n) }
            }
            fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
                inner!(self).sol_get_return_data()
            }
            fn sol_set_return_data(&self, d: &[u8]) {
                inner!(self).sol_set_return_data(d)
            }
            fn sol_log_data(&self, fields: &[&[u8]]) {
                let b64: Vec<String> = fields.iter().map(|f| base64::engine::general_purpose::STANDARD.encode(f)).collect();
                inner!(self).sol_log(&format!("data: {}", b64.join(" ")))
            }
            fn sol_get_processed_sibling_instruction(&self, i: usize) -> Option<Instruction> {
                inner!(self).sol_get_processed_sibling_instruction(i)
            }
            fn sol_get_stack_height(&self) -> u64 {
                inner!(self).sol_get_stack_height()
            }
        }
        let wrapper = Box::new(EventLog(std::sync::RwLock::new(None)));
        // Install a placeholder, take program-test's stubs out, then put the wrapper around them.
        let ptr: *const EventLog = &*wrapper;
        let inner = set_syscall_stubs(wrapper);
        // SAFETY: the wrapper now lives in the global stubs slot for the rest of the process.
        unsafe { *(*ptr).0.write().unwrap() = Some(inner) };
    });
}
