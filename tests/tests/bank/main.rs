//! Program tests on the in-process bank. One binary, one module per area.

mod cli;
mod keeper;
mod rebalance;
mod rejections;
mod scenario;
mod sim;
