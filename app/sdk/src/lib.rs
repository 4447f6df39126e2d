//! Turbo's client SDK: PDA derivation, instruction builders and account decoding. Previews call
//! the same `turbo-math` functions the program runs, so a preview matches the chain exactly.

pub mod defaults;
pub mod ix;
pub mod pda;
pub mod preview;

pub use turbo;
pub use turbo_math as math;
