//! Program tests on the in-process bank. One binary, one module per area.

mod adversary;
mod attacks;
mod budget;
mod cli;
mod findings;
mod fuzz;
mod governance;
mod keeper;
mod preview;
mod rebalance;
mod rejections;
mod scenario;
mod sim;
