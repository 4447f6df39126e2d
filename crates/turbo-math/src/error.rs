//! The one error type of the math crate. The program maps it to `TurboError`.

use core::fmt;

/// What can go wrong in pure arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// An intermediate or result did not fit its type.
    Overflow,
    /// A divisor was zero.
    DivisionByZero,
    /// A value that must be positive was not (for example an oracle price).
    NonPositive,
    /// More shares burnt than exist: the caller's error, not the arithmetic's.
    BurnExceedsSupply,
}

impl fmt::Display for MathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MathError::Overflow => "arithmetic overflow",
            MathError::DivisionByZero => "division by zero",
            MathError::NonPositive => "value must be positive",
            MathError::BurnExceedsSupply => "burn exceeds the supply",
        })
    }
}

impl std::error::Error for MathError {}

pub type MathResult<T> = Result<T, MathError>;
