//! Turn a failed transaction into the program's error name and a plain sentence.

use anchor_lang::error::ErrorCode as AnchorCode;
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;
use turbo::error::TurboError;

use crate::outcome::Outcome;

/// A failure explained for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The error's name (`SlippageExceeded`), or a description of a non-program failure.
    pub name: String,
    /// A plain sentence.
    pub message: String,
    /// The numeric code, when the program returned one.
    pub code: Option<u32>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

/// `TurboError` for a custom error code, if it is one of ours.
pub fn turbo_error(code: u32) -> Option<TurboError> {
    let i = code.checked_sub(anchor_lang::error::ERROR_CODE_OFFSET)?;
    TurboError::try_from(i).ok()
}

/// Anchor's framework errors a caller can hit by passing wrong accounts.
const ANCHOR_ERRORS: &[AnchorCode] = &[
    AnchorCode::InstructionMissing,
    AnchorCode::InstructionFallbackNotFound,
    AnchorCode::InstructionDidNotDeserialize,
    AnchorCode::ConstraintMut,
    AnchorCode::ConstraintHasOne,
    AnchorCode::ConstraintSigner,
    AnchorCode::ConstraintRaw,
    AnchorCode::ConstraintOwner,
    AnchorCode::ConstraintSeeds,
    AnchorCode::ConstraintAddress,
    AnchorCode::ConstraintTokenMint,
    AnchorCode::ConstraintTokenOwner,
    AnchorCode::ConstraintMintMintAuthority,
    AnchorCode::ConstraintMintDecimals,
    AnchorCode::ConstraintTokenTokenProgram,
    AnchorCode::ConstraintMintTokenProgram,
    AnchorCode::ConstraintAccountIsNone,
    AnchorCode::ConstraintDuplicateMutableAccount,
    AnchorCode::AccountDiscriminatorNotFound,
    AnchorCode::AccountDiscriminatorMismatch,
    AnchorCode::AccountDidNotDeserialize,
    AnchorCode::AccountNotEnoughKeys,
    AnchorCode::AccountNotMutable,
    AnchorCode::AccountOwnedByWrongProgram,
    AnchorCode::InvalidProgramId,
    AnchorCode::InvalidProgramExecutable,
    AnchorCode::AccountNotSigner,
    AnchorCode::AccountNotSystemOwned,
    AnchorCode::AccountNotInitialized,
    AnchorCode::AccountNotProgramData,
    AnchorCode::AccountNotAssociatedTokenAccount,
    AnchorCode::AccountReallocExceedsLimit,
    AnchorCode::AccountDuplicateReallocs,
];

/// Explain a custom error code.
pub fn explain_code(code: u32) -> Failure {
    if let Some(e) = turbo_error(code) {
        return Failure { name: e.name(), message: e.to_string(), code: Some(code) };
    }
    if let Some(e) = ANCHOR_ERRORS.iter().find(|e| u32::from(**e) == code) {
        return Failure { name: format!("{e:?}"), message: e.to_string(), code: Some(code) };
    }
    if code == 1 {
        return Failure {
            name: "InsufficientFunds".into(),
            message: "A token account does not hold enough tokens".into(),
            code: Some(code),
        };
    }
    Failure { name: format!("Custom({code})"), message: "An error the SDK does not know".into(), code: Some(code) }
}

/// Explain a transaction error.
pub fn explain(err: &TransactionError) -> Failure {
    match err {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => explain_code(*code),
        TransactionError::InstructionError(_, e) => Failure { name: format!("{e:?}"), message: e.to_string(), code: None },
        e => Failure { name: format!("{e:?}"), message: e.to_string(), code: None },
    }
}

/// The failure of an outcome, if it failed.
/// The failure a preview's error stands for: the program's error by name when it has a code.
pub fn refusal(e: &anchor_lang::error::Error) -> Failure {
    match e {
        anchor_lang::error::Error::AnchorError(a) => explain_code(a.error_code_number),
        other => Failure { name: "Refused".into(), message: other.to_string(), code: None },
    }
}

pub fn failure(o: &Outcome) -> Option<Failure> {
    o.result.as_ref().err().map(explain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_its_variant() {
        let mut names = std::collections::BTreeSet::new();
        // Codes are dense from 6000 up to the last variant.
        let mut i = 0;
        while let Some(e) = turbo_error(6000 + i) {
            assert_eq!(u32::from(e), 6000 + i);
            assert!(names.insert(e.name()), "duplicate name {}", e.name());
            i += 1;
        }
        assert_eq!(i, TurboError::SignedFeedUnknown as u32 + 1, "the last variant ends the codes");
        assert!(turbo_error(5999).is_none());
        let f = explain_code(u32::from(TurboError::SlippageExceeded));
        assert_eq!(f.name, "SlippageExceeded");
        assert_eq!(f.message, "The received amount is below the slippage guard");
        assert_eq!(explain_code(2001).name, "ConstraintHasOne");
    }
}
