//! The protocol's state transitions, pure: functions over `Config`, `Pool` and `Vault` values
//! that change them and return what to move and announce, or the exact error the instruction
//! raises (Kamino's `lending_operations` is the model). Handlers load accounts, call the engine,
//! move tokens and emit; the SDK's previews, the keeper, the simulator and the CLI call the same
//! functions on decoded copies, so a preview is the program's own decision.

pub mod caps;
pub mod create;
pub mod fees;
pub mod flow;
pub mod hedge;
pub mod lp;
pub mod rebalance;
pub mod retire;
pub mod settle;
pub mod trade;
