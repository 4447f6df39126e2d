//! Compute-unit probes for the SBF profile (`scripts/sbf --probe`, docs/performance.md, "Where
//! the compute goes"). Built with the `cu-probe` feature for SBF, each probe logs its label and
//! the units the runtime has left, so the runner can split an instruction's cost into its
//! stages; in every other build a probe is nothing at all.

/// Log `label` and the units left (with `cu-probe`, on SBF only).
#[macro_export]
macro_rules! probe {
    ($label:literal) => {
        #[cfg(all(feature = "cu-probe", target_os = "solana"))]
        $crate::probe::mark(concat!("probe: ", $label));
    };
}

#[cfg(all(feature = "cu-probe", target_os = "solana"))]
pub fn mark(label: &str) {
    extern "C" {
        fn sol_log_(message: *const u8, len: u64);
        fn sol_log_compute_units_();
    }
    // SAFETY: the runtime's own logging syscalls, given a valid string.
    unsafe {
        sol_log_(label.as_ptr(), label.len() as u64);
        sol_log_compute_units_();
    }
}
