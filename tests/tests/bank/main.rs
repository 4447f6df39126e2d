//! Program tests on the in-process bank. One binary, one module per area.

mod adversary;
mod attacks;
mod budget;
mod cli;
mod findings;
mod fuzz;
mod governance;
mod hedge;
mod keeper;
mod preview;
mod prices;
mod quote;
mod rebalance;
mod rejections;
mod review2;
mod risk;
mod scenario;
mod sim;

/// Count the program's heap use the way SBF's bump allocator would (`turbo_sdk::heap`).
#[global_allocator]
static ALLOC: turbo_sdk::heap::CountingAlloc = turbo_sdk::heap::CountingAlloc;
