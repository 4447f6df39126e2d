// Every instruction module exports a `handler`; callers name it by module path.
#![allow(ambiguous_glob_reexports)]

pub mod mint;
pub mod redeem;
pub mod swap;

pub use mint::*;
pub use redeem::*;
pub use swap::*;
